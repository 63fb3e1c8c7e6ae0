import { describe, expect, it } from 'vitest';
import { messageIdHeader, newOutboxMessageId } from './mail-message.js';

describe('outbox Message-IDs', () => {
  it('are 128 random bits, a new one for each message', () => {
    const ids = Array.from({ length: 1000 }, () => newOutboxMessageId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['one_auth <no-reply@auth.example.com>', '<00ff@auth.example.com>'],
    ['no-reply@example.org', '<00ff@example.org>'],
    ['"Support @ one_auth" <help@mail.example.net> ', '<00ff@mail.example.net>'],
    ['one_auth', '<00ff@localhost>'],
  ])('sit at the domain of MAIL_FROM %j', (mailFrom, expected) => {
    expect(messageIdHeader('00ff', mailFrom)).toBe(expected);
  });
});
