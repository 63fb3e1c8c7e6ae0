import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../database/database.options.js';
import type { CausalReads } from '../database/causal-reads.js';
import { createTokenLookup, TOKEN_LOOKUP_SQL } from './token-lookup.js';

const HASH = 'a'.repeat(64);

describe('token lookup on SQLite', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await new DataSource(buildDataSourceOptions({ database: { type: 'sqlite', path: ':memory:' } })).initialize();
    await dataSource.runMigrations();
    await dataSource.query("INSERT INTO users (id, email, status, created_at, updated_at) VALUES (7, 'ada@example.com', 'active', 1, 1)");
    await dataSource.query(
      "INSERT INTO access_tokens (id, user_id, token_hash, public_id, created_at, expires_at, last_used_at) VALUES (3, 7, ?, 'p', 1, 2, 1)",
      [HASH],
    );
  });
  afterAll(() => dataSource.destroy());

  it('finds the token, its account and an empty profile for an account that never wrote one', async () => {
    const lookup = createTokenLookup(dataSource, {} as CausalReads);
    expect(await lookup(HASH)).toMatchObject({
      token_id: 3,
      id: 7,
      email: 'ada@example.com',
      status: 'active',
      first_name: '',
      avatar: '',
    });
    expect(await lookup('b'.repeat(64))).toBeUndefined();
  });

  it('is planned once, not again for every token (a new plan per check cost 20 µs)', async () => {
    // better-sqlite3 builds a row constructor with Function() each time SQLite
    // (re)compiles a statement: counting those calls counts compilations.
    const RealFunction = globalThis.Function;
    let compilations = 0;
    globalThis.Function = new Proxy(RealFunction, {
      apply(target, self, args: string[]) {
        compilations++;
        return Reflect.apply(target, self, args) as unknown;
      },
    });
    try {
      const lookup = createTokenLookup(dataSource, {} as CausalReads);
      for (let i = 0; i < 50; i++) await lookup(i % 2 ? HASH : i.toString(16).padStart(64, '0'));
    } finally {
      globalThis.Function = RealFunction;
    }
    expect(compilations).toBe(1);
  });

  it('searches the unique index of token hashes', async () => {
    const plan = (await dataSource.query(`EXPLAIN QUERY PLAN ${TOKEN_LOOKUP_SQL.sqlite}`, [HASH])) as { detail: string }[];
    expect(plan[0].detail).toMatch(/^SEARCH t USING INDEX .*\(token_hash=\?\)/);
  });
});
