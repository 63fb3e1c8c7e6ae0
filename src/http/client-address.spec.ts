import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressResolver } from './client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddressResolver', () => {
  const chain = request('10.0.0.2', '198.51.100.23, 203.0.113.9, 10.0.0.1');

  it('is the socket peer without a trusted proxy, whatever the header says', () => {
    expect(clientAddressResolver(false)(chain)).toBe('10.0.0.2');
  });

  it('trusting every hop, is the left-most forwarded address', () => {
    expect(clientAddressResolver(true)(chain)).toBe('198.51.100.23');
  });

  it('with a hop count, goes back that many hops and no further', () => {
    expect(clientAddressResolver(1)(chain)).toBe('10.0.0.1');
    expect(clientAddressResolver(2)(chain)).toBe('203.0.113.9');
    expect(clientAddressResolver(9)(chain)).toBe('198.51.100.23');
  });

  it('with a list, stops at the first address it does not trust', () => {
    expect(clientAddressResolver(['10.0.0.0/8'])(chain)).toBe('203.0.113.9');
    expect(clientAddressResolver(['loopback'])(chain)).toBe('10.0.0.2');
  });

  it('is the peer when nothing was forwarded', () => {
    expect(clientAddressResolver(true)(request('10.0.0.2'))).toBe('10.0.0.2');
  });
});
