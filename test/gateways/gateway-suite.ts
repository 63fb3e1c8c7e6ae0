import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveUser, startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  CountingRelay,
  fillTemplate,
  freePort,
  GatewayProcess,
  DOCS_VALUES,
  docsSnippet,
  readTemplate,
  RecordingUpstream,
  templateValues,
} from './gateway-harness.js';

const CHALLENGE = 'Basic realm="one_auth", charset="UTF-8"';
const ONE_MEGABYTE = 1024 * 1024;

export interface GatewayUnderTest {
  name: string;
  /** The gateway's binary, undefined when it is not installed. */
  binary: string | undefined;
  /** Under deploy/gateways/; its first line starts its snippet in docs/gateways.md. */
  template: string;
  /** Whether the gateway hands one_auth's JSON body of a 401 to the client. */
  passesErrorBody: boolean;
  /** Writes the filled template into a whole configuration and starts the gateway on its port. */
  launch(gateway: GatewayProcess, binary: string, siteConfig: string): Promise<void>;
}

/**
 * The gateway from deploy/gateways/ in front of a recording service, asking
 * one_auth (in this process, behind a relay that counts what reaches it)
 * for every request.
 */
export function describeGateway(gateway: GatewayUnderTest): void {
  const template = readTemplate(gateway.template);

  describe(`${gateway.name}: the snippet of docs/gateways.md`, () => {
    it(`is deploy/gateways/${gateway.template} with the example values of docs/gateways.md`, () => {
      expect(docsSnippet(template.split('\n')[0])).toBe(fillTemplate(template, DOCS_VALUES));
    });
  });

  const missing = gateway.binary === undefined;
  if (missing && process.env.CI) {
    it(`${gateway.name} is installed (required in CI)`, () => {
      expect.fail(`${gateway.name} is not installed`);
    });
    return;
  }

  describe.skipIf(missing)(
    `${gateway.name} in front of a service, one_auth answering its checks${missing ? ` (skipped: ${gateway.name} is not installed)` : ''}`,
    () => {
      let t: TestApp;
      let relay: CountingRelay;
      let upstream: RecordingUpstream;
      let process_: GatewayProcess;
      let base: string;
      const checks: Array<{ method: string; contentLength: string | undefined; transferEncoding: string | undefined }> = [];

      beforeAll(async () => {
        t = await startTestApp();
        await t.app.listen(0, '127.0.0.1');
        const server = t.app.getHttpServer();
        server.prependListener('request', (request: IncomingMessage) => {
          if (request.url?.startsWith('/one_auth/api/validations')) {
            checks.push({
              method: request.method ?? '',
              contentLength: request.headers['content-length'],
              transferEncoding: request.headers['transfer-encoding'],
            });
          }
        });
        relay = new CountingRelay((server.address() as AddressInfo).port);
        await relay.start();
        upstream = new RecordingUpstream();
        await upstream.start();
        process_ = new GatewayProcess(gateway.name, await freePort());
        const values = templateValues(process_.port, relay.port, upstream.port);
        await gateway.launch(process_, gateway.binary!, fillTemplate(template, values));
        base = `http://127.0.0.1:${process_.port}`;
      });

      afterAll(async () => {
        await process_?.stop();
        await relay?.stop();
        await upstream?.stop();
        await t?.close();
      });

      async function accountId(email: string): Promise<string> {
        const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [email]);
        return String(id);
      }

      it('lets a request with a live token through, naming the account in X-User-Id and X-User-Email', async () => {
        const user = await createActiveUser(t);
        const id = await accountId(user.email);
        for (const authorization of [`Bearer ${user.token}`, `Basic ${Buffer.from(`${user.email}:${user.token}`).toString('base64')}`]) {
          const before = upstream.received.length;
          const response = await fetch(`${base}/reports?year=2026`, { headers: { authorization } });
          expect(response.status).toBe(200);
          expect(await response.text()).toBe('upstream');
          expect(upstream.received.length).toBe(before + 1);
          const received = upstream.received.at(-1)!;
          expect(received.url).toBe('/reports?year=2026');
          expect(received.headers['x-user-id']).toBe(id);
          expect(received.headers['x-user-email']).toBe(user.email);
        }
      });

      it('answers 401 with the Basic challenge for a revoked, wrong or missing token, and the service never sees the request', async () => {
        const user = await createActiveUser(t);
        const revoked = await createActiveUser(t);
        await t.http.delete('/one_auth/api/access_tokens').auth(revoked.email, revoked.token).expect(200);
        const before = upstream.received.length;
        const attempts: Array<Record<string, string>> = [
          { authorization: `Bearer ${revoked.token}` },
          { authorization: `Basic ${Buffer.from(`${user.email}:${'A'.repeat(43)}`).toString('base64')}` },
          { authorization: `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}` },
          {},
        ];
        for (const headers of attempts) {
          for (const method of ['GET', 'POST']) {
            const response = await fetch(`${base}/reports`, { method, headers, body: method === 'POST' ? 'x'.repeat(1000) : undefined });
            expect(response.status).toBe(401);
            expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
            const body = await response.text();
            if (gateway.passesErrorBody) expect(JSON.parse(body)).toEqual({ message: 'Email or token is not correct' });
          }
        }
        expect(upstream.received.length).toBe(before);
      });

      it('sends a 1 MB body to the service only, never to one_auth', async () => {
        const user = await createActiveUser(t);
        const body = Buffer.alloc(ONE_MEGABYTE, 'a');
        const relayed = relay.bytesToService;
        const checked = checks.length;
        const response = await fetch(`${base}/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/octet-stream' },
          body,
        });
        expect(response.status).toBe(200);
        const received = upstream.received.at(-1)!;
        expect(received.method).toBe('POST');
        expect(received.bodyBytes).toBe(ONE_MEGABYTE);
        expect(received.headers['x-user-email']).toBe(user.email);
        const check = checks.slice(checked);
        expect(check).toHaveLength(1);
        expect(check[0].contentLength ?? '0').toBe('0');
        expect(check[0].transferEncoding).toBeUndefined();
        const bytes = relay.bytesToService - relayed;
        // The check's request line and headers only.
        expect(bytes).toBeGreaterThan(0);
        expect(bytes).toBeLessThan(4096);
        console.info(
          `${gateway.name}: a 1 MB upload made one_auth receive ${bytes} bytes (${check[0].method} check); the service got ${received.bodyBytes} body bytes`,
        );
      });

      it("never passes on a client's own X-User-Id or X-User-Email", async () => {
        const user = await createActiveUser(t);
        const id = await accountId(user.email);
        const spoofed = { 'x-user-id': '999999', 'x-user-email': 'mallory@example.com' };
        const response = await fetch(`${base}/reports`, { headers: { authorization: `Bearer ${user.token}`, ...spoofed } });
        expect(response.status).toBe(200);
        const received = upstream.received.at(-1)!;
        expect(received.headers['x-user-id']).toBe(id);
        expect(received.headers['x-user-email']).toBe(user.email);
        const before = upstream.received.length;
        const refused = await fetch(`${base}/reports`, { headers: spoofed });
        expect(refused.status).toBe(401);
        expect(upstream.received.length).toBe(before);
      });
    },
  );
}
