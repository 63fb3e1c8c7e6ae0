import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate-limit buckets as rows (see RateLimiter) and the worker that holds a mail's claim. */
export class ClusterSafeWritesSqlite1764400000000 implements MigrationInterface {
  name = 'ClusterSafeWritesSqlite1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rate_buckets" (
      "bucket" varchar(64) PRIMARY KEY NOT NULL,
      "generation" bigint NOT NULL DEFAULT (0),
      "touched_at" bigint NOT NULL
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_rate_buckets_touched_at" ON "rate_buckets" ("touched_at")`);
    await queryRunner.query(`ALTER TABLE "mail_outbox" ADD "claimed_by" varchar(32)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mail_outbox" DROP COLUMN "claimed_by"`);
    await queryRunner.query(`DROP TABLE "rate_buckets"`);
  }
}
