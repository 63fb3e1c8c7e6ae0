import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/parse-config.js';
import { buildDataSourceOptions } from '../../src/database/database.options.js';
import { type ServiceProcess, sharedInstanceEnv, startServiceProcess } from '../helpers/service-process.js';
import { outboxMessageId, SmtpSink } from '../helpers/smtp-sink.js';
import { uniqueEmail } from '../helpers/test-app.js';

const CLAIM_MS = 20_000;
const MAIL_DOMAIN = 'mail.one-auth.test';
const NAMES = ['instance-a', 'instance-b'] as const;
/**
 * The client address of every registration here (the instances trust the
 * loopback proxy): its own per-address mail limit, so that these mails use
 * none of the budget that 127.0.0.1 shares with other suites on one database.
 */
const CLIENT = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const headers = { 'Content-Type': 'application/json', 'X-Forwarded-For': CLIENT };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface OutboxRow {
  recipient: string;
  status: string;
  message_id: string;
  locked_until: number | string | null;
}

/**
 * Two instances on one database and one SMTP server. The server takes a
 * message and holds back its reply to the end of DATA; the instance sending
 * it is killed (SIGKILL) inside that conversation, so it never learns the
 * message was accepted. Once the claim lapses the other instance sends it
 * again, under the same Message-ID; every other message arrives once.
 */
describe('mail across an instance killed inside an SMTP conversation', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let db: DataSource;
  const instances: ServiceProcess[] = [];

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-mail-crash-'));
    const env = {
      ...sharedInstanceEnv(dataDir, smtp.url),
      MAIL_FROM: `one_auth <no-reply@${MAIL_DOMAIN}>`,
      MAIL_CLAIM_TTL: `${CLAIM_MS / 1000}s`,
      TRUST_PROXY: 'loopback',
      LIMIT_CODE_MAILS_PER_ADDRESS: '100000/1h',
    };
    // Each instance names itself in EHLO, so the server knows which one sent what.
    for (const name of NAMES) instances.push(await startServiceProcess({ ...env, SMTP_URL: `${smtp.url}/?name=${name}` }));
    db = new DataSource(buildDataSourceOptions({ database: parseDatabaseUrl(env.DATABASE_URL) }));
    await db.initialize();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await db?.destroy();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const register = async (via: ServiceProcess, email: string) => {
    const response = await fetch(`${via.url}/one_auth/api/user`, { method: 'POST', headers, body: JSON.stringify({ email }) });
    expect(response.status).toBe(201);
  };

  const rowsOf = async (emails: string[]) =>
    (await db.query(
      `SELECT recipient, status, message_id, locked_until FROM mail_outbox WHERE recipient IN (${emails.map(() => '?').join(', ')})`,
      emails,
    )) as OutboxRow[];

  async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
      await sleep(50);
    }
  }

  it('sends the message again under the same Message-ID once the claim lapses; no other message is lost or sent twice', async () => {
    // Mail through both instances, delivered and recorded before anything happens.
    const before = Array.from({ length: 6 }, () => uniqueEmail('before'));
    await Promise.all(before.map((email, i) => register(instances[i % 2], email)));
    await waitUntil('the first mails recorded as sent', async () => (await rowsOf(before)).every((row) => row.status === 'sent'), 20_000);

    // The message the server will hold the reply to, and others queued with it through the same instance.
    const victim = uniqueEmail('crash');
    const alongside = Array.from({ length: 4 }, () => uniqueEmail('alongside'));
    smtp.holdReplyTo = victim;
    const held = smtp.waitForHeld();
    await Promise.all([victim, ...alongside].map((email) => register(instances[0], email)));
    const heldMail = await held;
    const holder = NAMES.indexOf(heldMail.client as (typeof NAMES)[number]);
    expect(holder).toBeGreaterThanOrEqual(0);
    const survivor = 1 - holder;
    // While one reply is held, each other message's outcome is committed as soon as its own send ends,
    // so the instance about to die has nothing else accepted and unrecorded.
    await waitUntil(
      'every other message recorded as sent while one reply is held',
      async () => (await rowsOf(alongside)).every((row) => row.status === 'sent'),
      10_000,
    );
    const [victimRow] = await rowsOf([victim]);
    expect(victimRow.status).toBe('pending');
    const claimLapsesAt = Number(victimRow.locked_until);
    const killedAt = Date.now();
    await instances[holder].stop('SIGKILL');
    smtp.releaseHeld();

    // Meanwhile the survivor's own mail goes out at once, long before the claim lapses.
    const during = Array.from({ length: 4 }, () => uniqueEmail('during'));
    await Promise.all(during.map((email) => register(instances[survivor], email)));
    for (const email of during) await smtp.waitForCode(email, 1, 10_000);
    expect(Math.max(...during.map((email) => smtp.mailsTo(email)[0].receivedAt))).toBeLessThan(claimLapsesAt);

    await waitUntil('the held message sent again', () => smtp.mailsTo(victim).length >= 2, claimLapsesAt - Date.now() + 15_000);
    // Two more polls of the survivor: nothing else may follow.
    await sleep(5_000);

    const [first, again] = smtp.mailsTo(victim);
    const alongsideByHolder = alongside.filter((email) => smtp.mailsTo(email)[0]?.client === NAMES[holder]).length;
    console.log(
      `crash: ${NAMES[holder]} killed ${killedAt - heldMail.receivedAt} ms into the held reply ` +
        `(${alongsideByHolder} of ${alongside.length} messages queued with it sent and recorded by ${NAMES[holder]} first); ` +
        `Message-ID ${first.messageId} sent again by ${again.client} ${again.receivedAt - killedAt} ms after the kill, ` +
        `${again.receivedAt - claimLapsesAt} ms after its claim lapsed (claim ${CLAIM_MS / 1000} s)`,
    );
    expect(smtp.mailsTo(victim)).toHaveLength(2);
    expect(again.messageId).toBe(first.messageId);
    expect(first.messageId).toBe(`<${victimRow.message_id}@${MAIL_DOMAIN}>`);
    expect(first.messageId).toMatch(outboxMessageId(MAIL_DOMAIN));
    expect(again.client).toBe(NAMES[survivor]);
    expect(again.receivedAt).toBeGreaterThanOrEqual(claimLapsesAt);

    // Every other message: delivered exactly once, recorded as sent, each under its own Message-ID.
    const others = [...before, ...alongside, ...during];
    expect(others.map((email) => [email, smtp.mailsTo(email).length])).toEqual(others.map((email) => [email, 1]));
    const rows = await rowsOf([...others, victim]);
    expect(rows.filter((row) => row.status !== 'sent')).toEqual([]);
    expect(rows).toHaveLength(others.length + 1);
    const ids = others.map((email) => smtp.mailsTo(email)[0].messageId);
    expect(new Set([...ids, first.messageId]).size).toBe(others.length + 1);
  }, 120_000);
});
