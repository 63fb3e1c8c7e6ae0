import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import type { CausalReads } from './causal-reads.js';
import { sqliteWrites, type SqliteWrites } from './sqlite-writes.js';
import { TransactionRunner } from './transaction-runner.js';

describe('writes on SQLite, committed a round at a time', () => {
  let dataSource: DataSource;
  let writes: SqliteWrites;

  beforeAll(async () => {
    dataSource = await new DataSource({ type: 'better-sqlite3', database: ':memory:' }).initialize();
    await dataSource.query('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    writes = sqliteWrites(new TransactionRunner(dataSource, {} as CausalReads))!;
  });
  afterAll(() => dataSource.destroy());

  const rows = async () => (await dataSource.query('SELECT k, v FROM t ORDER BY k')) as { k: string; v: number }[];

  it('commits what one round of the event loop handed it, and a work that throws undoes only itself', async () => {
    const insert = writes.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const results = await Promise.allSettled([
      writes.run(() => insert('a', 1)),
      writes.run(() => {
        insert('b', 2);
        insert('a', 3); // a duplicate key: this work fails, and its first insert with it
      }),
      writes.run(() => insert('c', 4)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(await rows()).toEqual([
      { k: 'a', v: 1 },
      { k: 'c', v: 4 },
    ]);
  });

  it('runs a work alone without a transaction, and one of two statements atomically', async () => {
    const upsert = writes.prepare('INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v');
    expect(await writes.run(() => upsert('d', 5))).toBe(1);
    await expect(
      writes.run(() =>
        writes.atomic(() => {
          upsert('d', 6);
          throw new Error('second statement failed');
        }),
      ),
    ).rejects.toThrow('second statement failed');
    expect((await rows()).find((row) => row.k === 'd')).toEqual({ k: 'd', v: 5 });
  });

  it('waits for a transaction of the ORM under way instead of landing inside it', async () => {
    const insert = writes.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const transactions = new TransactionRunner(dataSource, {} as CausalReads);
    const fast = sqliteWrites(transactions)!;
    let release!: () => void;
    const open = transactions.run(async (tx) => {
      await tx.query("INSERT INTO t (k, v) VALUES ('e', 7)");
      await new Promise<void>((resolve) => (release = resolve));
      throw new Error('rolled back');
    });
    const written = fast.run(() => insert('f', 8));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await expect(open).rejects.toThrow('rolled back');
    await written;
    const keys = (await rows()).map((row) => row.k);
    expect(keys).toContain('f');
    expect(keys).not.toContain('e');
  });
});
