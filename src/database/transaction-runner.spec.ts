import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import type { CausalReads } from './causal-reads.js';
import { TransactionRunner } from './transaction-runner.js';

describe('units of work on a SQLite file another process writes too', () => {
  const folder = mkdtempSync(join(tmpdir(), 'one_auth-runner-'));
  const open = () =>
    new DataSource({ type: 'better-sqlite3', database: join(folder, 'shared.sqlite'), enableWAL: true, timeout: 5000 }).initialize();
  let ours: DataSource;
  let theirs: DataSource;
  let runner: TransactionRunner;

  beforeAll(async () => {
    ours = await open();
    theirs = await open();
    await ours.query('CREATE TABLE t (k TEXT PRIMARY KEY)');
    runner = new TransactionRunner(ours, {} as CausalReads);
  });
  afterAll(async () => {
    await ours.destroy();
    await theirs.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs a transaction again when the other process committed between its read and its write', async () => {
    let tries = 0;
    await runner.run(async (tx) => {
      tries++;
      await tx.query('SELECT COUNT(*) FROM t');
      // The other process writes once, after this transaction's read: its write is then refused (SQLITE_BUSY_SNAPSHOT).
      if (tries === 1) await theirs.query("INSERT INTO t (k) VALUES ('theirs')");
      await tx.query("INSERT INTO t (k) VALUES ('ours')");
    });
    expect(tries).toBe(2);
    expect(((await ours.query('SELECT k FROM t ORDER BY k')) as { k: string }[]).map((row) => row.k)).toEqual(['ours', 'theirs']);
  });

  it('gives up on anything else at the first try', async () => {
    let tries = 0;
    await expect(
      runner.run(async (tx) => {
        tries++;
        await tx.query("INSERT INTO t (k) VALUES ('ours')");
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(tries).toBe(1);
  });
});
