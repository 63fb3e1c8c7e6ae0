import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountLifecycleSqlite1764300000000 implements MigrationInterface {
  name = 'AccountLifecycleSqlite1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Sessions: a public handle (random, unrelated to the token) and where the login came from.
    await queryRunner.query(`ALTER TABLE "access_tokens" ADD COLUMN "public_id" varchar(32) NOT NULL DEFAULT ('')`);
    await queryRunner.query(`ALTER TABLE "access_tokens" ADD COLUMN "user_agent" varchar(256) NOT NULL DEFAULT ('')`);
    await queryRunner.query(`ALTER TABLE "access_tokens" ADD COLUMN "client_address" varchar(64) NOT NULL DEFAULT ('')`);
    await queryRunner.query(`UPDATE "access_tokens" SET "public_id" = lower(hex(randomblob(16)))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_access_tokens_public_id" ON "access_tokens" ("public_id")`);
    // Codes: what a code is for, so one mailed for an email change never activates or resets, and back.
    await queryRunner.query(`ALTER TABLE "validation_codes" ADD COLUMN "purpose" varchar(16) NOT NULL DEFAULT ('account')`);
    await queryRunner.query(`ALTER TABLE "validation_codes" ADD COLUMN "new_email" varchar(254) NOT NULL DEFAULT ('')`);
    await queryRunner.query(`CREATE TABLE "security_events" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "user_id" integer NOT NULL,
      "type" varchar(32) NOT NULL,
      "at" bigint NOT NULL,
      "client_address" varchar(64) NOT NULL DEFAULT (''),
      "user_agent" varchar(256) NOT NULL DEFAULT (''),
      CONSTRAINT "FK_security_events_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_security_events_user_at" ON "security_events" ("user_id", "at")`);
    await queryRunner.query(`CREATE INDEX "IDX_security_events_at" ON "security_events" ("at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "security_events"`);
    await queryRunner.query(`ALTER TABLE "validation_codes" DROP COLUMN "new_email"`);
    await queryRunner.query(`ALTER TABLE "validation_codes" DROP COLUMN "purpose"`);
    await queryRunner.query(`DROP INDEX "UQ_access_tokens_public_id"`);
    for (const column of ['client_address', 'user_agent', 'public_id']) {
      await queryRunner.query(`ALTER TABLE "access_tokens" DROP COLUMN "${column}"`);
    }
  }
}
