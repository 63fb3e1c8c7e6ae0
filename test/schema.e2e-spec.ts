import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataSourceOptions } from '../src/database/database.options.js';
import { type ScratchDatabase, scratchDatabase } from './helpers/scratch-database.js';

/**
 * The migrations and the entities describe the same schema: on an empty
 * database, after every migration, TypeORM's schema builder (what
 * `synchronize` would run) finds nothing to change.
 */
describe('the migrated schema', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    scratch = await scratchDatabase('schema');
    const options = buildDataSourceOptions({ database: scratch.database }) as DataSourceOptions;
    dataSource = await new DataSource(options).initialize();
    await dataSource.runMigrations();
    if (options.type === 'mysql') {
      // TypeORM reads MariaDB's catalogue (how it reports defaults) only when told it is MariaDB.
      const [{ version }] = (await dataSource.query('SELECT VERSION() AS version')) as { version: string }[];
      if (version.includes('MariaDB')) {
        await dataSource.destroy();
        dataSource = await new DataSource({ ...options, type: 'mariadb' }).initialize();
      }
    }
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await scratch?.drop();
  });

  it('is exactly what the entities declare', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });
});
