import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The OpenID Provider (42–50): each account's public id (its `sub`), what
 * the provider keeps, its signing keys, back-channel logouts on their way,
 * the registered clients; the app of a sign-in in security events; audit
 * entries about clients.
 */
export class OpenIdProviderSqlite1769000000000 implements MigrationInterface {
  name = 'OpenIdProviderSqlite1769000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "public_id" varchar(32)`);
    await queryRunner.query(`UPDATE "users" SET "public_id" = lower(hex(randomblob(16)))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_public_id" ON "users" ("public_id")`);
    await queryRunner.query(`CREATE TABLE "oidc_records" (
      "key_hash" varchar(64) PRIMARY KEY NOT NULL,
      "model" varchar(40) NOT NULL,
      "payload" text NOT NULL,
      "grant_id" varchar(64),
      "uid_hash" varchar(64),
      "user_code_hash" varchar(64),
      "account_id" varchar(32),
      "client_id" varchar(64),
      "expires_at" bigint,
      "consumed_at" bigint,
      "created_at" bigint NOT NULL,
      "last_used_at" bigint
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_oidc_records_grant_id" ON "oidc_records" ("grant_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_oidc_records_uid_hash" ON "oidc_records" ("uid_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_oidc_records_user_code_hash" ON "oidc_records" ("user_code_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_oidc_records_account" ON "oidc_records" ("account_id", "model")`);
    await queryRunner.query(`CREATE INDEX "IDX_oidc_records_expires_at" ON "oidc_records" ("expires_at")`);
    await queryRunner.query(`CREATE TABLE "oidc_signing_keys" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "kid" varchar(64) NOT NULL,
      "alg" varchar(8) NOT NULL,
      "generation" integer NOT NULL,
      "private_key_sealed" text NOT NULL,
      "created_at" bigint NOT NULL,
      "activates_at" bigint NOT NULL,
      CONSTRAINT "UQ_oidc_signing_keys_kid" UNIQUE ("kid"),
      CONSTRAINT "UQ_oidc_signing_keys_generation" UNIQUE ("alg", "generation")
    )`);
    await queryRunner.query(`CREATE TABLE "oidc_logout_deliveries" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "payload" text NOT NULL,
      "status" varchar(16) NOT NULL DEFAULT ('pending'),
      "attempts" integer NOT NULL DEFAULT (0),
      "next_attempt_at" bigint NOT NULL,
      "locked_until" bigint,
      "claimed_by" varchar(32),
      "last_error" varchar(500),
      "created_at" bigint NOT NULL,
      "client_id" varchar(64) NOT NULL,
      "endpoint" varchar(500) NOT NULL,
      "first_attempt_at" bigint,
      "delivered_at" bigint
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_oidc_logout_deliveries_due" ON "oidc_logout_deliveries" ("status", "next_attempt_at")`);
    await queryRunner.query(`CREATE TABLE "oidc_clients" (
      "client_id" varchar(64) PRIMARY KEY NOT NULL,
      "client_name" varchar(100) NOT NULL,
      "metadata" text NOT NULL,
      "secret_sealed" text,
      "created_at" bigint NOT NULL,
      "updated_at" bigint NOT NULL
    )`);
    await queryRunner.query(`ALTER TABLE "security_events" ADD COLUMN "app_name" varchar(100)`);
    // Entries about a client; the audit log allows entries without an account since sign-in providers (1768000000000).
    await queryRunner.query(`ALTER TABLE "admin_audit" ADD COLUMN "target_client_id" varchar(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admin_audit" DROP COLUMN "target_client_id"`);
    await queryRunner.query(`ALTER TABLE "security_events" DROP COLUMN "app_name"`);
    for (const table of ['oidc_clients', 'oidc_logout_deliveries', 'oidc_signing_keys', 'oidc_records']) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
    await queryRunner.query(`DROP INDEX "UQ_users_public_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "public_id"`);
  }
}
