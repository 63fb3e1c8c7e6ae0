import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../../src/config/app-config.js';
import { parseDatabaseUrl } from '../../src/config/parse-config.js';
import { buildDataSourceOptions } from '../../src/database/database.options.js';

export interface ScratchDatabase {
  database: DatabaseConfig;
  drop(): Promise<void>;
}

/**
 * An empty database of a test's own, so that a schema can be built from
 * nothing: a SQLite file in a fresh folder, or, when DATABASE_URL names a
 * MySQL/MariaDB server, a scratch database beside the suite's on that server.
 */
export async function scratchDatabase(label: string): Promise<ScratchDatabase> {
  const shared = parseDatabaseUrl(process.env.DATABASE_URL ?? 'sqlite::memory:');
  if (shared.type === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `one_auth-${label}-`));
    return {
      database: { type: 'sqlite', path: join(dir, `${label}.sqlite`) },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `one_auth_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new DataSource({ ...(buildDataSourceOptions({ database: shared }) as DataSourceOptions), migrations: [] });
  await admin.initialize();
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const url = new URL(shared.url);
  url.pathname = `/${name}`;
  return {
    database: { type: 'mysql', url: url.toString() },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    },
  };
}
