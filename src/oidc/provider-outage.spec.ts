import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { answerOutages, duringOutage, isOutage, outageAware } from './provider-outage.js';

/** What mysql2 throws, wrapped by TypeORM, when the server is gone. */
const refused = () =>
  Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

/** The little of Koa's context the middleware touches. */
function context(accept: 'json' | 'html') {
  const headers: Record<string, string> = {};
  return {
    status: 404,
    body: undefined as unknown,
    headers,
    req: { requestId: 'req-1' },
    accepts: () => accept,
    set(name: string | Record<string, string>, value?: string) {
      if (typeof name === 'string') headers[name] = value!;
      else Object.assign(headers, name);
    },
  };
}

describe('a database outage at the provider', () => {
  it('becomes the OAuth error temporarily_unavailable with status 503, saying nothing of the database', async () => {
    const error = await duringOutage(() => Promise.reject(refused())).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errors.OIDCProviderError);
    expect(error).toMatchObject({ error: 'temporarily_unavailable', status: 503, statusCode: 503, expose: true, allow_redirect: true });
    expect(JSON.stringify({ ...(error as object) })).not.toMatch(/ECONNREFUSED|query failed/);
    expect(isOutage(error)).toBe(true);
  });

  it('leaves every other failure as it was', async () => {
    const other = new Error('a bug');
    await expect(duringOutage(() => Promise.reject(other))).rejects.toBe(other);
    expect(isOutage(other)).toBe(false);
  });

  it('reaches the provider through every call of an adapter', async () => {
    const failing = () => Promise.reject(refused());
    const adapter = outageAware({
      upsert: failing,
      find: failing,
      findByUid: failing,
      findByUserCode: failing,
      consume: failing,
      destroy: failing,
      revokeByGrantId: failing,
    });
    const calls = [
      adapter.upsert('id', {}, 60),
      adapter.find('id'),
      adapter.findByUid('uid'),
      adapter.findByUserCode('code'),
      adapter.consume('id'),
      adapter.destroy('id'),
      adapter.revokeByGrantId('grant'),
    ];
    for (const call of calls) await expect(call).rejects.toMatchObject({ error: 'temporarily_unavailable', status: 503 });
  });

  it('is answered 503 with Retry-After when it escapes a route: JSON for a client, the error page for a browser', async () => {
    const middleware = answerOutages('/one_auth/oidc');
    const json = context('json');
    await middleware(json as unknown as KoaContextWithOIDC, () => Promise.reject(refused()));
    expect(json.status).toBe(503);
    expect(Number(json.headers['Retry-After'])).toBeGreaterThan(0);
    expect(json.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });

    const html = context('html');
    await middleware(html as unknown as KoaContextWithOIDC, () => Promise.reject(refused()));
    expect(html.status).toBe(503);
    expect(html.headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(String(html.body)).toContain('Signing in is not possible just now');

    // A 503 a route answered itself gets Retry-After too; anything else passes through untouched.
    const answered = context('json');
    await middleware(answered as unknown as KoaContextWithOIDC, async () => {
      answered.status = 503;
    });
    expect(Number(answered.headers['Retry-After'])).toBeGreaterThan(0);
    await expect(middleware(context('json') as unknown as KoaContextWithOIDC, () => Promise.reject(new Error('a bug')))).rejects.toThrow(
      'a bug',
    );
  });
});
