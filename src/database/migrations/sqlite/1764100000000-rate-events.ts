import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RateEventsSqlite1764100000000 implements MigrationInterface {
  name = 'RateEventsSqlite1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rate_events" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "bucket" varchar(64) NOT NULL,
      "at" bigint NOT NULL,
      "pending" boolean NOT NULL DEFAULT (1)
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_rate_events_bucket_pending_at" ON "rate_events" ("bucket", "pending", "at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_events"`);
  }
}
