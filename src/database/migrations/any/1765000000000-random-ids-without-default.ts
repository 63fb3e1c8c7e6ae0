import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Columns that hold a random id set by the service on every insert. */
const RANDOM_IDS = [
  { table: 'access_tokens', column: 'public_id' },
  { table: 'mail_outbox', column: 'message_id' },
];

/**
 * A random id (a session's public id, a mail's Message-ID) has no default:
 * the service sets one on every insert, and a row without one is a bug the
 * database should refuse (the unique index would refuse the second). On
 * SQLite these columns got `DEFAULT ''` when they were added to existing
 * rows; MySQL never had one. Written once for every dialect: where there is
 * no default, nothing happens (on SQLite the table is rebuilt, its rows and
 * indexes kept).
 */
export class RandomIdsWithoutDefault1765000000000 implements MigrationInterface {
  name = 'RandomIdsWithoutDefault1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column } of RANDOM_IDS) await setDefault(queryRunner, table, column, undefined);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'better-sqlite3') return;
    for (const { table, column } of RANDOM_IDS) await setDefault(queryRunner, table, column, "''");
  }
}

async function setDefault(queryRunner: QueryRunner, tableName: string, columnName: string, value: string | undefined): Promise<void> {
  const table = await queryRunner.getTable(tableName);
  const column = table?.findColumnByName(columnName);
  if (!table || !column || column.default === value) return;
  const changed = column.clone();
  changed.default = value;
  await queryRunner.changeColumn(table, column, changed);
}
