import { describe, expect, it } from 'vitest';
import { emailHeaderValue } from './identity-headers.js';

describe('emailHeaderValue', () => {
  it('keeps an ASCII address as it is', () => {
    expect(emailHeaderValue('jennifer.lee+work@example.com')).toBe('jennifer.lee+work@example.com');
  });

  it('percent-encodes non-ASCII characters and the percent sign, reversibly', () => {
    for (const email of ['jürgen@example.de', '用户@例子.公司', 'a%41@example.com']) {
      const value = emailHeaderValue(email);
      expect(value).toMatch(/^[\x21-\x7e]+$/);
      expect(decodeURIComponent(value)).toBe(email);
    }
    expect(emailHeaderValue('a%41@example.com')).toBe('a%2541@example.com');
  });
});
