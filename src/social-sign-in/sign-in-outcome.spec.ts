import { describe, expect, it } from 'vitest';
import { answerUrl, refused } from './sign-in-outcome.js';

describe('answerUrl', () => {
  it('adds the login code and the app’s state to return_to, keeping its own query', () => {
    const url = answerUrl('https://app.example.com/signed-in?from=one_auth', { kind: 'signed_in', loginCode: 'abc' }, 'xyz');
    expect(url).toBe('https://app.example.com/signed-in?from=one_auth&login_code=abc&state=xyz');
  });

  it('answers an error, and a link made, without a state when the app sent none', () => {
    expect(answerUrl('https://app.example.com/cb', refused('link_required'), null)).toBe('https://app.example.com/cb?error=link_required');
    expect(answerUrl('https://app.example.com/cb', { kind: 'linked' }, null)).toBe('https://app.example.com/cb?linked=true');
  });

  it('works with a native app’s private-use scheme and with loopback', () => {
    expect(answerUrl('com.example.app:/signed-in', refused('access_denied'), null)).toBe('com.example.app:/signed-in?error=access_denied');
    expect(answerUrl('http://127.0.0.1:5173/cb', { kind: 'signed_in', loginCode: 'c' }, null)).toBe(
      'http://127.0.0.1:5173/cb?login_code=c',
    );
  });
});
