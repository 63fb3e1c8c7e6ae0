import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ServiceEnv, S3TestServer } from './helpers/s3-server.js';
import { createActiveUser, startTestApp, type TestApp } from './helpers/test-app.js';

const UPLOAD = '/one_auth/api/images';
// The SDK's deadline for a whole store operation is 5 s; a little room for a loaded machine.
const OUTAGE_ANSWER_WITHIN_MS = 8_000;

const png = (red: number) =>
  sharp({ create: { width: 4, height: 4, channels: 3, background: { r: red, g: 0, b: 0 } } })
    .png()
    .toBuffer();

function pathOf(url: string): string {
  return new URL(url).pathname;
}

async function imageRows(t: TestApp, email: string): Promise<number> {
  const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM images WHERE user_id = (SELECT id FROM users WHERE email = ?)', [
    email,
  ]);
  return Number(row.n);
}

describe('images in object storage: the store or the database fails mid-upload', () => {
  let s3: S3TestServer;
  let t: TestApp;
  let user: { email: string; token: string };
  beforeAll(async () => {
    s3 = await S3TestServer.start();
    t = await startTestApp(s3.env());
    user = await createActiveUser(t);
  });
  afterAll(async () => {
    await t?.close();
    await s3?.dispose();
  });

  const upload = (bytes: Buffer) => t.http.post(UPLOAD).auth(user.email, user.token).attach('file', bytes, 'a.png');

  it('answers 503 while it is down, records nothing, and serves everything again once it is back', async () => {
    const before = await upload(await png(10)).expect(201);
    const beforeBytes = (await t.http.get(pathOf(before.body.url)).expect(200)).body as Buffer;

    await s3.stop();
    const rows = await imageRows(t, user.email);
    let started = Date.now();
    const refused = await upload(await png(20));
    const uploadMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ message: expect.stringMatching(/unavailable/i) });
    expect(uploadMs).toBeLessThan(OUTAGE_ANSWER_WITHIN_MS);
    expect(await imageRows(t, user.email)).toBe(rows);

    started = Date.now();
    const unreadable = await t.http.get(pathOf(before.body.url));
    const readMs = Date.now() - started;
    expect(unreadable.status).toBe(503);
    expect(unreadable.body).toEqual({ message: expect.any(String) });
    expect(readMs).toBeLessThan(OUTAGE_ANSWER_WITHIN_MS);
    // A name that cannot be an image needs no store to be refused.
    await t.http.get('/one_auth/images/not-an-image.svg').expect(404);
    console.log(`store down: upload 503 in ${uploadMs} ms, download 503 in ${readMs} ms`);

    await s3.resume();
    const after = await upload(await png(30)).expect(201);
    await t.http.get(pathOf(after.body.url)).expect(200);
    const again = await t.http.get(pathOf(before.body.url)).expect(200);
    expect(Buffer.compare(again.body as Buffer, beforeBytes)).toBe(0);
    expect(await imageRows(t, user.email)).toBe(rows + 1);
    // The refused upload left no object behind either: only the two accepted images are stored.
    expect((await s3.objectNames()).sort()).toEqual(
      [before.body.url, after.body.url].map((url: string) => pathOf(url).split('/').pop()).sort(),
    );
  });

  it('removes the stored bytes again when the database refuses the row', async () => {
    const objects = await s3.objectNames();
    const rows = await imageRows(t, user.email);
    const sqlite = t.dataSource.options.type === 'better-sqlite3';
    await t.dataSource.query(
      sqlite
        ? `CREATE TRIGGER refuse_images BEFORE INSERT ON images BEGIN SELECT RAISE(ABORT, 'refused'); END`
        : `CREATE TRIGGER refuse_images BEFORE INSERT ON images FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'`,
    );
    try {
      const refused = await upload(await png(50));
      expect(refused.status).toBeGreaterThanOrEqual(500);
      expect(refused.body).toEqual({ message: expect.any(String) });
    } finally {
      await t.dataSource.query('DROP TRIGGER refuse_images');
    }
    expect(await imageRows(t, user.email)).toBe(rows);
    expect((await s3.objectNames()).sort()).toEqual(objects.sort());
  });
});

describe('images in object storage: a store that accepts connections and never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let connections = 0;
  let t: TestApp;
  let user: { email: string; token: string };
  beforeAll(async () => {
    silent = createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    t = await startTestApp(s3ServiceEnv(`http://127.0.0.1:${port}`));
    user = await createActiveUser(t);
  });
  afterAll(async () => {
    await t?.close();
    for (const socket of sockets) socket.destroy();
    silent?.close();
  });

  it('answers 503 within a bounded time, for uploads and downloads', async () => {
    let started = Date.now();
    const refused = await t.http
      .post(UPLOAD)
      .auth(user.email, user.token)
      .attach('file', await png(40), 'a.png');
    const uploadMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(await imageRows(t, user.email)).toBe(0);
    started = Date.now();
    const unreadable = await t.http.get('/one_auth/images/0123456789abcdef0123456789abcdef.png');
    const readMs = Date.now() - started;
    expect(unreadable.status).toBe(503);
    console.log(`silent store: upload 503 in ${uploadMs} ms, download 503 in ${readMs} ms`);
    expect(uploadMs).toBeLessThan(OUTAGE_ANSWER_WITHIN_MS);
    expect(readMs).toBeLessThan(OUTAGE_ANSWER_WITHIN_MS);
    // The answers come from waiting on the store, not from a request that never left.
    expect(connections).toBeGreaterThanOrEqual(2);
  });
});
