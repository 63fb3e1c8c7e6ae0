import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './test-app.js';

/*
 * The tests' own authenticator app: RFC 6238 (TOTP over RFC 4226 HOTP,
 * HMAC-SHA-1, 6 digits, 30 s), written here from the RFCs and not imported
 * from the service, so that a mistake there cannot hide itself here.
 */

const PERIOD_MS = 30_000;

function decodeBase32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '')) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code of a base32 secret for the 30-second step `offset` steps from now. */
export function totpCode(secretBase32: string, offset = 0, at = Date.now()): string {
  const counter = Math.floor(at / PERIOD_MS) + offset;
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter % 2 ** 32, 4);
  const mac = createHmac('sha1', decodeBase32(secretBase32)).update(message).digest();
  const offsetByte = mac[19] & 0xf;
  const binary = ((mac[offsetByte] & 0x7f) << 24) | (mac[offsetByte + 1] << 16) | (mac[offsetByte + 2] << 8) | mac[offsetByte + 3];
  return String(binary % 1_000_000).padStart(6, '0');
}

/**
 * Waits, if need be, until the current 30-second step has at least `marginMs`
 * left: codes computed now for steps relative to the current one still mean
 * the same step when the service checks them.
 */
export async function awayFromStepEdge(marginMs = 4_000): Promise<void> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

export interface TwoStepUser {
  email: string;
  password: string;
  /** A token from before two-step login was on: the session that turned it on. */
  token: string;
  secret: string;
  recoveryCodes: string[];
}

/**
 * Turns two-step login on for an active account, confirming with the code of
 * the step before the current one, so that the current step and the next one
 * are still free for the test.
 */
export async function enableTwoStep(t: TestApp, user: { email: string; password: string; token: string }): Promise<TwoStepUser> {
  const started = await t.http.post('/one_auth/api/user/totp').auth(user.email, user.token).send({ password: user.password }).expect(200);
  const secret = started.body.secret as string;
  await awayFromStepEdge();
  const confirmed = await t.http
    .put('/one_auth/api/user/totp')
    .auth(user.email, user.token)
    .send({ code: totpCode(secret, -1) })
    .expect(200);
  return { ...user, secret, recoveryCodes: confirmed.body.recovery_codes as string[] };
}

/** The password step of a login on an account with two-step login: its mfa_token. */
export async function startLogin(t: TestApp, email: string, password: string, address?: string): Promise<string> {
  const request = t.http.get('/one_auth/api/access_tokens').auth(email, password);
  if (address) request.set('X-Forwarded-For', address);
  const response = await request.expect(401);
  expect(response.body).toEqual({ message: 'Second factor required', mfa_token: expect.any(String), methods: ['totp', 'recovery_code'] });
  return response.body.mfa_token as string;
}
