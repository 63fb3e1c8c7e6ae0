import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokensService } from '../src/auth/access-tokens.service.js';
import { hashToken } from '../src/auth/token-hash.js';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';

const TOKENS = '/one_auth/api/access_tokens';
const VALIDATIONS = '/one_auth/api/validations';
const CAP = 5;

/** MAX_TOKENS_PER_ACCOUNT: a login past the cap revokes the least recently used token, in the same transaction. */
describe('live tokens per account', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A short idle timeout makes uses reach the database within a fraction of a second.
    t = await startTestApp({
      MAX_TOKENS_PER_ACCOUNT: String(CAP),
      TOKEN_IDLE_TTL: '10s',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const tokenIds = async (email: string) =>
    (
      (await t.dataSource.query(
        'SELECT t.id, t.token_hash FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = ? ORDER BY t.id',
        [email],
      )) as { id: number | string; token_hash: string }[]
    ).map((row) => ({ id: Number(row.id), hash: row.token_hash }));
  const works = async (email: string, token: string) => (await t.http.get(VALIDATIONS).auth(email, token)).status === 200;

  it('a login past the cap revokes the least recently used token and keeps the others', async () => {
    const user = await createActiveUser(t);
    const tokens = [user.token];
    while (tokens.length < CAP) tokens.push((await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token);
    // The oldest token is used again (and that use written): the second oldest is now the least recently used.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const [{ last_used_at: before }] = await t.dataSource.query('SELECT last_used_at FROM access_tokens WHERE token_hash = ?', [
      hashToken(tokens[0]),
    ]);
    expect(await works(user.email, tokens[0])).toBe(true);
    for (let i = 0; i < 100; i++) {
      const [{ last_used_at: after }] = await t.dataSource.query('SELECT last_used_at FROM access_tokens WHERE token_hash = ?', [
        hashToken(tokens[0]),
      ]);
      if (Number(after) > Number(before)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const newest = (await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token as string;
    expect(await works(user.email, tokens[1])).toBe(false);
    for (const token of [tokens[0], ...tokens.slice(2), newest]) expect(await works(user.email, token)).toBe(true);
    expect(await tokenIds(user.email)).toHaveLength(CAP);
  });

  it('20 parallel logins at the cap leave exactly the cap: the most recent ones', async () => {
    const user = await createActiveUser(t);
    const first = [user.token];
    while (first.length < CAP) first.push((await t.http.get(TOKENS).auth(user.email, user.password).expect(200)).body.access_token);
    expect(await tokenIds(user.email)).toHaveLength(CAP);

    const responses = await Promise.all(Array.from({ length: 20 }, () => t.http.get(TOKENS).auth(user.email, user.password)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));

    const left = await tokenIds(user.email);
    expect(left).toHaveLength(CAP);
    const issued = responses.map((response) => hashToken(response.body.access_token as string));
    // Every token left is one of the 20 new ones; none of the first survives.
    expect(left.every((row) => issued.includes(row.hash))).toBe(true);
    for (const token of first) expect(await works(user.email, token)).toBe(false);
  });

  it('holds when the issuing transactions themselves overlap (no password check to spread them out)', async () => {
    const user = await createActiveUser(t);
    const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [user.email]);
    const tokens = t.app.get(AccessTokensService);
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 20 }, () => tokens.issue(Number(id))));
      expect(await tokenIds(user.email)).toHaveLength(CAP);
    }
  });
});
