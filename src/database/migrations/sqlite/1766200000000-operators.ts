import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Operators: API keys, their audit log, and what the admin API shows and filters of accounts. */
export class OperatorsSqlite1766200000000 implements MigrationInterface {
  name = 'OperatorsSqlite1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "last_sign_in_at" bigint`);
    // The best earlier record of a sign-in: the newest token still held.
    await queryRunner.query(
      `UPDATE "users" SET "last_sign_in_at" = (SELECT MAX("created_at") FROM "access_tokens" WHERE "user_id" = "users"."id")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_users_status" ON "users" ("status")`);
    await queryRunner.query(`CREATE TABLE "api_keys" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "name" varchar(64) NOT NULL,
      "key_hash" varchar(64) NOT NULL,
      "scopes" varchar(128) NOT NULL,
      "created_at" bigint NOT NULL,
      "revoked_at" bigint,
      "last_used_at" bigint,
      CONSTRAINT "UQ_api_keys_name" UNIQUE ("name"),
      CONSTRAINT "UQ_api_keys_key_hash" UNIQUE ("key_hash")
    )`);
    await queryRunner.query(`CREATE TABLE "admin_audit" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "at" bigint NOT NULL,
      "key_name" varchar(64) NOT NULL,
      "action" varchar(32) NOT NULL,
      "target_user_id" integer NOT NULL,
      "target_email" varchar(254) NOT NULL DEFAULT (''),
      "client_address" varchar(64) NOT NULL DEFAULT ('')
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_admin_audit_at" ON "admin_audit" ("at")`);
    await queryRunner.query(`CREATE INDEX "IDX_admin_audit_target" ON "admin_audit" ("target_user_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "admin_audit"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "IDX_users_status"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "last_sign_in_at"`);
  }
}
