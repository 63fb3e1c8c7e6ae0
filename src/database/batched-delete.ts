import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { TransactionRunner } from './transaction-runner.js';

/** Rows per DELETE: each statement holds its locks (or SQLite's writer) for a few milliseconds only. */
export const BATCH_SIZE = 500;

/** Rows of one table that are done with, by a condition on their own columns (named `table.column`). */
export interface PruneRule {
  entity: EntityTarget<ObjectLiteral>;
  condition: string;
  params: ObjectLiteral;
}

/** The table and its one-column primary key, walked in order; a text key (a hash) is never read as a number. */
function keyOf(dataSource: DataSource, rule: PruneRule): { table: string; key: string; text: boolean } {
  const metadata = dataSource.getMetadata(rule.entity);
  const [primary] = metadata.primaryColumns;
  return { table: metadata.tableName, key: primary.databaseName, text: primary.type === 'varchar' || primary.type === String };
}

/**
 * Deletes what a rule matches, a batch at a time: select the next keys, then
 * delete those that still match. The condition is checked again by the
 * DELETE itself, so a row that came back into use in between stays, and
 * instances pruning at once delete each row once (the other sees 0 rows).
 */
export async function deleteInBatches(
  dataSource: DataSource,
  transactions: TransactionRunner,
  rule: PruneRule,
  stopped: () => boolean,
): Promise<number> {
  const { key } = keyOf(dataSource, rule);
  let deleted = 0;
  await forEachBatch(
    (after) => selectBatch(dataSource, rule, after),
    async (rows) => {
      const keys = rows.map((row) => row.key);
      const result = await transactions.run((tx) =>
        tx
          .createQueryBuilder()
          .delete()
          .from(rule.entity)
          .where(`${key} IN (:...keys)`, { keys })
          .andWhere(rule.condition, rule.params)
          .execute(),
      );
      deleted += result.affected ?? 0;
    },
    stopped,
  );
  return deleted;
}

/** A row's primary key; null before the first batch. */
export type BatchKey = number | string;

/** The next batch of rows a rule matches, in key order after `after`: their key and the given columns. */
export async function selectBatch<Row extends { key: BatchKey }>(
  dataSource: DataSource,
  rule: PruneRule,
  after: BatchKey | null,
  ...columns: [expression: string, alias: string][]
): Promise<Row[]> {
  const { table, key, text } = keyOf(dataSource, rule);
  const query = dataSource.createQueryBuilder().select(`${table}.${key}`, 'key').from(rule.entity, table);
  for (const [expression, alias] of columns) query.addSelect(expression, alias);
  query.where(rule.condition, rule.params);
  if (after !== null) query.andWhere(`${table}.${key} > :after`, { after });
  const rows = await query.orderBy(`${table}.${key}`, 'ASC').limit(BATCH_SIZE).getRawMany<Row>();
  // mysql2 may hand integers back as strings; a text key stays what it is.
  return rows.map((row) => ({ ...row, key: text ? String(row.key) : Number(row.key) }));
}

/**
 * Walks the matching rows in key order, a batch at a time, until none are
 * left. The cursor moves past rows that stay (another instance's, or ones
 * the DELETE no longer matched), so the walk always ends.
 */
export async function forEachBatch<Row extends { key: BatchKey }>(
  select: (after: BatchKey | null) => Promise<Row[]>,
  handle: (rows: Row[]) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  let after: BatchKey | null = null;
  while (!stopped()) {
    const rows = await select(after);
    if (rows.length === 0) return;
    await handle(rows);
    if (rows.length < BATCH_SIZE) return;
    after = rows[rows.length - 1].key;
  }
}
