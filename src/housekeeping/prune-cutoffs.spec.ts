import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { pruneCutoffs } from './prune-cutoffs.js';

const NOW = 1_800_000_000_000;
const config = (env: Record<string, string> = {}) => parseConfig({ SECRET: 'x'.repeat(32), DATA_DIR: '/tmp/one_auth-cutoffs', ...env });

describe('pruneCutoffs', () => {
  it('keeps sent mail as long as the per-address mail limit counts it', () => {
    expect(pruneCutoffs(config(), NOW, 0).sentMailQueuedBefore).toBe(NOW - 3_600_000);
    expect(pruneCutoffs(config({ LIMIT_CODE_MAILS_PER_EMAIL: '5/2h' }), NOW, 0).sentMailQueuedBefore).toBe(NOW - 7_200_000);
  });

  it('keeps rate-limit events for the longest window of any limit', () => {
    expect(pruneCutoffs(config(), NOW, 0).rateEventsBefore).toBe(NOW - 86_400_000);
    expect(pruneCutoffs(config({ LIMIT_CODE_MAILS_PER_ADDRESS: '200/3d' }), NOW, 0).rateEventsBefore).toBe(NOW - 3 * 86_400_000);
  });

  it('keeps a pending rate-limit place at least a minute, for the attempt under way', () => {
    const short = config({
      LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '10/1s',
      LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100/1s',
      LIMIT_LOGIN_FAILURES_PER_ADDRESS: '100/1s',
      LIMIT_CODE_FAILURES_PER_ACCOUNT: '20/1s',
      LIMIT_CODE_MAILS_PER_EMAIL: '5/1s',
      LIMIT_CODE_MAILS_PER_ADDRESS: '200/1s',
      CODE_RESEND_INTERVAL: '1s',
    });
    expect(pruneCutoffs(short, NOW, 0).rateEventsBefore).toBe(NOW - 1000);
    expect(pruneCutoffs(short, NOW, 0).pendingRateEventsBefore).toBe(NOW - 60_000);
  });

  it('allows idle tokens the lag of their last use being written', () => {
    expect(pruneCutoffs(config(), NOW, 61_000).idleTokensUsedBefore).toBe(NOW - 7 * 86_400_000 - 61_000);
  });

  it('never drops failed mail the mail limit still counts', () => {
    const cutoffs = pruneCutoffs(config({ HOUSEKEEPING_FAILED_MAIL_TTL: '1m', LIMIT_CODE_MAILS_PER_EMAIL: '5/1h' }), NOW, 0);
    expect(cutoffs.failedMailQueuedBefore).toBe(NOW - 3_600_000);
  });

  it('takes the image grace period and the time to live of inactive accounts from the configuration', () => {
    const cutoffs = pruneCutoffs(config({ HOUSEKEEPING_IMAGE_GRACE: '2h', INACTIVE_ACCOUNT_TTL: '3d' }), NOW, 0);
    expect(cutoffs.imagesUploadedBefore).toBe(NOW - 7_200_000);
    expect(cutoffs.inactiveAccountsIdleSince).toBe(NOW - 3 * 86_400_000);
  });

  it('keeps security events for SECURITY_EVENT_RETENTION', () => {
    expect(pruneCutoffs(config({ SECURITY_EVENT_RETENTION: '30d' }), NOW, 0).securityEventsBefore).toBe(NOW - 30 * 86_400_000);
  });
});
