import { describe, expect, it } from 'vitest';
import { refuseRetiredPlatform } from './http-platform-config.js';

describe('refuseRetiredPlatform', () => {
  it('lets a start without HTTP_PLATFORM, or with the platform the service runs on, go ahead', () => {
    for (const value of [undefined, '', '  ', 'express', ' Express ']) {
      expect(() => refuseRetiredPlatform({ HTTP_PLATFORM: value })).not.toThrow();
    }
  });

  // The rule names no retired platform: every value but express stops the start alike.
  it.each(['koa', ' hapi ', 'express,koa', 'expressjs'])('stops a start that asks for %j, naming the variable', (value) => {
    expect(() => refuseRetiredPlatform({ HTTP_PLATFORM: value })).toThrow(
      `HTTP_PLATFORM=${value.trim()} is not supported: the service runs on Express only (remove HTTP_PLATFORM)`,
    );
  });
});
