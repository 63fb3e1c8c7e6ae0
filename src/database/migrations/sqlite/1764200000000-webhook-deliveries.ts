import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookDeliveriesSqlite1764200000000 implements MigrationInterface {
  name = 'WebhookDeliveriesSqlite1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "message_id" varchar(64) NOT NULL,
      "endpoint" varchar(500) NOT NULL,
      "user_id" integer NOT NULL,
      "event_type" varchar(40) NOT NULL,
      "payload" text NOT NULL,
      "status" varchar(16) NOT NULL DEFAULT ('pending'),
      "attempts" integer NOT NULL DEFAULT (0),
      "next_attempt_at" bigint NOT NULL,
      "locked_until" bigint,
      "first_attempt_at" bigint,
      "last_error" varchar(500),
      "created_at" bigint NOT NULL,
      "delivered_at" bigint
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_deliveries_order" ON "webhook_deliveries" ("endpoint", "user_id", "status", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
  }
}
