import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { TransactionRunner } from '../database/transaction-runner.js';

/** Rows per DELETE: each statement holds its locks (or SQLite's writer) for a few milliseconds only. */
export const BATCH_SIZE = 500;

/** Rows of one table that are done with, by a condition on their own columns. */
export interface PruneRule {
  entity: EntityTarget<ObjectLiteral>;
  /** The table's name; the condition refers to columns as `table.column`. */
  table: string;
  /** Integer primary key. */
  key: string;
  condition: string;
  params: ObjectLiteral;
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
          .where(`${rule.key} IN (:...keys)`, { keys })
          .andWhere(rule.condition, rule.params)
          .execute(),
      );
      deleted += result.affected ?? 0;
    },
    stopped,
  );
  return deleted;
}

/** The next batch of rows a rule matches, in key order after `after`: their key and the given columns. */
export async function selectBatch<Row extends { key: number }>(
  dataSource: DataSource,
  rule: PruneRule,
  after: number,
  ...columns: [expression: string, alias: string][]
): Promise<Row[]> {
  const query = dataSource.createQueryBuilder().select(`${rule.table}.${rule.key}`, 'key').from(rule.entity, rule.table);
  for (const [expression, alias] of columns) query.addSelect(expression, alias);
  const rows = await query
    .where(`${rule.table}.${rule.key} > :after`, { after })
    .andWhere(rule.condition, rule.params)
    .orderBy(`${rule.table}.${rule.key}`, 'ASC')
    .limit(BATCH_SIZE)
    .getRawMany<Row>();
  // mysql2 may hand integers back as strings.
  return rows.map((row) => ({ ...row, key: Number(row.key) }));
}

/**
 * Walks the matching rows in key order, a batch at a time, until none are
 * left. The cursor moves past rows that stay (another instance's, or ones
 * the DELETE no longer matched), so the walk always ends.
 */
export async function forEachBatch<Row extends { key: number }>(
  select: (after: number) => Promise<Row[]>,
  handle: (rows: Row[]) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  let after = 0;
  while (!stopped()) {
    const rows = await select(after);
    if (rows.length === 0) return;
    await handle(rows);
    if (rows.length < BATCH_SIZE) return;
    after = rows[rows.length - 1].key;
  }
}
