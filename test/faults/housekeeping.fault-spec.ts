import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/parse-config.js';
import { buildDataSourceOptions } from '../../src/database/database.options.js';
import { type ServiceProcess, sharedInstanceEnv, startServiceProcess } from '../helpers/service-process.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

const ACCOUNTS = 1_500;
const IMAGES = 600;

/** What one process says it pruned of a kind, summed over its log lines. */
function prunedIn(output: string[], kind: string): number {
  return [...output.join('').matchAll(new RegExp(`\\b${kind} (\\d+)`, 'g'))].reduce((sum, match) => sum + Number(match[1]), 0);
}

/**
 * Two service processes sweeping one database every second: each row is
 * removed once in all (the counts they log add up), every image's bytes go,
 * and neither reports a failure.
 */
describe('housekeeping on several instances at once', () => {
  const smtp = new SmtpSink();
  let dataDir: string;
  let db: DataSource;
  let a: ServiceProcess;
  let b: ServiceProcess;
  const prefix = `overlap${Date.now().toString(36)}`;
  const imageNames = Array.from({ length: IMAGES }, () => `${randomBytes(16).toString('hex')}.png`);

  beforeAll(async () => {
    await smtp.start();
    dataDir = mkdtempSync(join(tmpdir(), 'one_auth-housekeeping-'));
    const env = {
      ...sharedInstanceEnv(dataDir, smtp.url),
      LOG_LEVEL: 'info',
      HOUSEKEEPING_INTERVAL: '1s',
      INACTIVE_ACCOUNT_TTL: '1h',
      HOUSEKEEPING_IMAGE_GRACE: '1h',
    };
    a = await startServiceProcess(env, 90_000);
    b = await startServiceProcess(env, 90_000);
    db = new DataSource(buildDataSourceOptions({ database: parseDatabaseUrl(env.DATABASE_URL) }));
    await db.initialize();
  }, 200_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.destroy();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('removes every old inactive account and orphan image once, bytes included, with no failure', async () => {
    const old = Date.now() - 2 * 3_600_000;
    mkdirSync(join(dataDir, 'images'), { recursive: true });
    for (const name of imageNames) writeFileSync(join(dataDir, 'images', name), 'not really a png');
    // Everything appears at once, in one transaction, so that both instances find it in the same sweep.
    await db.transaction(async (tx) => {
      for (let from = 0; from < ACCOUNTS; from += 500) {
        const batch = Array.from({ length: Math.min(500, ACCOUNTS - from) }, (_, i) => `${prefix}-${from + i}@example.com`);
        await tx.query(
          `INSERT INTO users (email, status, password_hash, code_sent_at, created_at, updated_at) VALUES ${batch.map(() => "(?, 'deactived', NULL, ?, ?, ?)").join(', ')}`,
          batch.flatMap((email) => [email, old, old, old]),
        );
      }
      await tx.query(
        "INSERT INTO users (email, status, password_hash, code_sent_at, created_at, updated_at) VALUES (?, 'active', 'x', NULL, ?, ?)",
        [`${prefix}-owner@example.com`, old, old],
      );
      const [{ id }] = (await tx.query('SELECT id FROM users WHERE email = ?', [`${prefix}-owner@example.com`])) as { id: number }[];
      for (let from = 0; from < IMAGES; from += 300) {
        const batch = imageNames.slice(from, from + 300);
        await tx.query(
          `INSERT INTO images (name, user_id, content_type, bytes, created_at) VALUES ${batch.map(() => "(?, ?, 'image/png', 16, ?)").join(', ')}`,
          batch.flatMap((name) => [name, id, old]),
        );
      }
    });

    const count = async (sql: string, params: unknown[]) => Number(((await db.query(sql, params)) as { n: unknown }[])[0].n);
    const left = async () => ({
      accounts: await count('SELECT COUNT(*) AS n FROM users WHERE email LIKE ? AND status = ?', [`${prefix}-%`, 'deactived']),
      images: await count('SELECT COUNT(*) AS n FROM images i JOIN users u ON u.id = i.user_id WHERE u.email = ?', [
        `${prefix}-owner@example.com`,
      ]),
    });
    const deadline = Date.now() + 60_000;
    while (Object.values(await left()).some((n) => n > 0) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await left()).toEqual({ accounts: 0, images: 0 });
    // Let a sweep that was under way finish and log.
    await new Promise((resolve) => setTimeout(resolve, 2500));

    for (const instance of [a, b]) expect(instance.output.join('')).not.toMatch(/pruning \w+ failed/);
    expect(prunedIn(a.output, 'inactiveAccounts') + prunedIn(b.output, 'inactiveAccounts')).toBe(ACCOUNTS);
    expect(prunedIn(a.output, 'images') + prunedIn(b.output, 'images')).toBe(IMAGES);
    expect(imageNames.filter((name) => existsSync(join(dataDir, 'images', name)))).toEqual([]);
    console.log(
      `instance A pruned ${prunedIn(a.output, 'inactiveAccounts')} accounts and ${prunedIn(a.output, 'images')} images, ` +
        `instance B ${prunedIn(b.output, 'inactiveAccounts')} and ${prunedIn(b.output, 'images')}`,
    );
  });
});
