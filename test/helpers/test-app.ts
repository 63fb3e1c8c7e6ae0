import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { DataSource } from 'typeorm';
import { type AppOptions, createApp } from '../../src/app.setup.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { publishedOpenApiDocument } from '../../src/swagger.js';
import { checkAgainstDocument, type RecordedResponse, recordResponses } from './contract.js';
import { S3TestServer } from './s3-server.js';
import { SmtpSink } from './smtp-sink.js';

/** The domain of the test apps' MAIL_FROM, which their mail's Message-IDs carry. */
export const MAIL_DOMAIN = 'one-auth.test';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  smtp: SmtpSink;
  dataDir: string;
  dataSource: DataSource;
  /** The object store images go to, when TEST_IMAGE_STORAGE=s3. */
  s3: S3TestServer | undefined;
  /**
   * Leaves the responses `which` picks out of the check against the
   * published document: those to requests the document cannot describe
   * (a method OpenAPI has no name for); the caller says why.
   */
  leaveOutOfContract(which: (response: RecordedResponse) => boolean): void;
  close(): Promise<void>;
}

/**
 * Starts the real service, as main.ts does, with a real SMTP server in this
 * process and a fresh data folder. The database is SQLite in that folder,
 * or the server named by DATABASE_URL (e.g. MariaDB in CI). Images go to
 * that folder, or with TEST_IMAGE_STORAGE=s3 to an S3-compatible server
 * started for this app (unless the caller sets IMAGE_STORAGE itself). Every
 * response it sends is checked against its published OpenAPI document on
 * close(), and every mail its SMTP server saw for the outbox's Message-ID.
 */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  const smtp = new SmtpSink();
  await smtp.start();
  const s3 = process.env.TEST_IMAGE_STORAGE === 's3' && !env.IMAGE_STORAGE ? await S3TestServer.start() : undefined;
  // A caller-given DATA_DIR is shared (e.g. by two instances) and left in place.
  const ownDataDir = !env.DATA_DIR;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'one_auth-test-'));
  const saved = { ...process.env };
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    PUBLIC_URL: 'http://one-auth.test',
    MAIL_FROM: `one_auth <no-reply@${MAIL_DOMAIN}>`,
    // Every suite calls from 127.0.0.1 (and shares one database on MariaDB):
    // per-address limits are the security suite's to test, with their own values.
    LIMIT_LOGIN_FAILURES_PER_ADDRESS: '100000/15m',
    LIMIT_CODE_MAILS_PER_ADDRESS: '100000/1h',
    // The sweep runs when a test asks for it (HousekeepingService.runOnce), not in the middle of another test.
    HOUSEKEEPING_INTERVAL: '1d',
    ...s3?.env(),
    ...env,
  });
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = `sqlite:${join(dataDir, 'one_auth.sqlite')}`;
  const app = await createApp(parseConfig(process.env), undefined, options);
  process.env = saved;
  const responses = recordResponses(app.getHttpServer());
  return {
    app,
    http: request(app.getHttpServer()),
    smtp,
    dataDir,
    dataSource: app.get(DataSource),
    s3,
    leaveOutOfContract(which) {
      for (let i = responses.length - 1; i >= 0; i--) if (which(responses[i])) responses.splice(i, 1);
    },
    async close() {
      await app.close();
      await smtp.stop();
      await s3?.dispose();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      const problems = await checkAgainstDocument(publishedOpenApiDocument(app), responses);
      if (problems.length > 0) {
        throw new Error(`${problems.length} responses differ from the published OpenAPI document:\n${problems.join('\n')}`);
      }
      const mailProblems = smtp.messageIdProblems(MAIL_DOMAIN);
      if (mailProblems.length > 0) throw new Error(`Message-IDs of the mail sent:\n${mailProblems.join('\n')}`);
    },
  };
}

/** An address no other test (or earlier run on the same database) uses. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 12)}@example.com`;
}

export function basic(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;
}

export const PASSWORD = 'correct horse battery staple';

/** Register, read the code from the mail, set the password: an active account and its first token. */
export async function createActiveUser(
  t: TestApp,
  email = uniqueEmail(),
  password = PASSWORD,
): Promise<{ email: string; password: string; token: string }> {
  await t.http.post('/one_auth/api/user').send({ email }).expect(201);
  const code = await t.smtp.waitForCode(email);
  const response = await t.http.put('/one_auth/api/user').send({ email, validation_code: code, password }).expect(200);
  return { email, password, token: response.body.access_token as string };
}

/** Lets a test pretend a minute has passed since the last code was sent. */
export async function forgetLastCodeTime(t: TestApp, email: string): Promise<void> {
  await t.dataSource.query('UPDATE users SET code_sent_at = code_sent_at - 61000 WHERE email = ?', [email]);
}
