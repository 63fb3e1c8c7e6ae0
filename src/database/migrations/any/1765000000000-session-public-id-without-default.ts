import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A session's public id has no default: every login sets a random one, and
 * a row without one is a bug the database should refuse. On SQLite the
 * column got `DEFAULT ''` when it was added to existing rows; MySQL never
 * had one. Written once for every dialect: where there is no default,
 * nothing happens (on SQLite the table is rebuilt, its rows and indexes kept).
 */
export class SessionPublicIdWithoutDefault1765000000000 implements MigrationInterface {
  name = 'SessionPublicIdWithoutDefault1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await setDefault(queryRunner, undefined);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'better-sqlite3') await setDefault(queryRunner, "''");
  }
}

async function setDefault(queryRunner: QueryRunner, value: string | undefined): Promise<void> {
  const table = await queryRunner.getTable('access_tokens');
  const column = table?.findColumnByName('public_id');
  if (!table || !column || column.default === value) return;
  const changed = column.clone();
  changed.default = value;
  await queryRunner.changeColumn(table, column, changed);
}
