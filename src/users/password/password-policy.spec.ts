import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.js';

const EMAIL = 'jennifer@example.com';

describe('passwordProblem', () => {
  it('accepts 8 to 256 code points without composition rules', () => {
    expect(passwordProblem('abcdefgh', EMAIL)).toBeNull();
    expect(passwordProblem('z'.repeat(256), EMAIL)).toBeNull();
    expect(passwordProblem('🔑'.repeat(8), EMAIL)).toBeNull();
  });

  it('refuses short and long passwords, counting code points after NFKC', () => {
    expect(passwordProblem('abcdefg', EMAIL)).toBe('password must be at least 8 characters');
    expect(passwordProblem('z'.repeat(257), EMAIL)).toBe('password must be at most 256 characters');
    // 7 emoji are 14 UTF-16 units but 7 code points.
    expect(passwordProblem('🔑'.repeat(7), EMAIL)).toBe('password must be at least 8 characters');
    // U+FB01 "ﬁ" becomes "fi" under NFKC: 4 ligatures are 8 characters.
    expect(passwordProblem('\ufb01'.repeat(4), EMAIL)).toBeNull();
  });

  it('refuses passwords containing the local part of the email, in any case', () => {
    expect(passwordProblem('my JENNIFER pass', EMAIL)).toBe('password must not contain the name part of your email address');
    expect(passwordProblem('jennifer', EMAIL)).not.toBeNull();
  });

  it('refuses common passwords whatever their case, and says so', () => {
    for (const password of ['password1', 'iloveyou', 'PASSWORD123', 'qwertyuiop']) {
      expect(passwordProblem(password, EMAIL)).toBe('password is too common, please choose another');
    }
    expect(passwordProblem('correct horse battery staple', EMAIL)).toBeNull();
  });

  it('ignores very short local parts, which would forbid too much', () => {
    expect(passwordProblem('joe-and-more', 'jo@example.com')).toBeNull();
  });
});
