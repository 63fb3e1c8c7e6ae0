import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchemaSqlite1764000000000 implements MigrationInterface {
  name = 'InitialSchemaSqlite1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "users" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "email" varchar(254) NOT NULL,
      "status" varchar(16) NOT NULL DEFAULT ('deactived'),
      "password_hash" varchar(255),
      "first_name" varchar(100) NOT NULL DEFAULT (''),
      "last_name" varchar(100) NOT NULL DEFAULT (''),
      "country" varchar(100) NOT NULL DEFAULT (''),
      "department" varchar(100) NOT NULL DEFAULT (''),
      "avatar" varchar(2048) NOT NULL DEFAULT (''),
      "code_sent_at" bigint,
      "created_at" bigint NOT NULL,
      "updated_at" bigint NOT NULL,
      CONSTRAINT "UQ_users_email" UNIQUE ("email")
    )`);
    await queryRunner.query(`CREATE TABLE "validation_codes" (
      "user_id" integer PRIMARY KEY NOT NULL,
      "code_hash" varchar(64) NOT NULL,
      "failed_attempts" integer NOT NULL DEFAULT (0),
      "expires_at" bigint NOT NULL,
      "created_at" bigint NOT NULL,
      CONSTRAINT "FK_validation_codes_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE TABLE "access_tokens" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "user_id" integer NOT NULL,
      "token_hash" varchar(64) NOT NULL,
      "created_at" bigint NOT NULL,
      "expires_at" bigint NOT NULL,
      "last_used_at" bigint NOT NULL,
      CONSTRAINT "UQ_access_tokens_token_hash" UNIQUE ("token_hash"),
      CONSTRAINT "FK_access_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_access_tokens_user_id" ON "access_tokens" ("user_id")`);
    await queryRunner.query(`CREATE TABLE "mail_outbox" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "recipient" varchar(254) NOT NULL,
      "purpose" varchar(32) NOT NULL,
      "payload" text NOT NULL,
      "status" varchar(16) NOT NULL DEFAULT ('pending'),
      "attempts" integer NOT NULL DEFAULT (0),
      "next_attempt_at" bigint NOT NULL,
      "locked_until" bigint,
      "last_error" varchar(500),
      "created_at" bigint NOT NULL,
      "sent_at" bigint
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_mail_outbox_due" ON "mail_outbox" ("status", "next_attempt_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_mail_outbox_recipient" ON "mail_outbox" ("recipient", "created_at")`);
    await queryRunner.query(`CREATE TABLE "images" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "name" varchar(64) NOT NULL,
      "user_id" integer NOT NULL,
      "content_type" varchar(32) NOT NULL,
      "bytes" integer NOT NULL,
      "created_at" bigint NOT NULL,
      CONSTRAINT "UQ_images_name" UNIQUE ("name"),
      CONSTRAINT "FK_images_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_images_user_id" ON "images" ("user_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['images', 'mail_outbox', 'access_tokens', 'validation_codes', 'users']) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
