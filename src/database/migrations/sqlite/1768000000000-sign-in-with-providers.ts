import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in with another provider: the providers, the identities linked
 * through them, the sign-ins under way and the login codes they hand out;
 * when an account was activated (it may be active without a password); the
 * audit log's entries about a provider rather than an account.
 */
export class SignInWithProvidersSqlite1768000000000 implements MigrationInterface {
  name = 'SignInWithProvidersSqlite1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "activated_at" bigint`);
    // Every account that is active was activated; a disabled one was if it had set a password (the only way in until now).
    await queryRunner.query(
      `UPDATE "users" SET "activated_at" = COALESCE("last_sign_in_at", "updated_at")
        WHERE "status" = 'active' OR ("status" = 'disabled' AND "password_hash" IS NOT NULL)`,
    );
    await queryRunner.query(`CREATE TABLE "sign_in_providers" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "slug" varchar(32) NOT NULL,
      "kind" varchar(16) NOT NULL,
      "name" varchar(64) NOT NULL,
      "issuer" varchar(500) NOT NULL,
      "client_id" varchar(255) NOT NULL,
      "client_secret" text NOT NULL,
      "trust_email" boolean NOT NULL,
      "created_at" bigint NOT NULL,
      CONSTRAINT "UQ_sign_in_providers_slug" UNIQUE ("slug")
    )`);
    await queryRunner.query(`CREATE TABLE "identities" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "public_id" varchar(32) NOT NULL,
      "user_id" integer NOT NULL,
      "provider_id" integer NOT NULL,
      "subject" varchar(255) NOT NULL,
      "email" varchar(254) NOT NULL DEFAULT (''),
      "linked_at" bigint NOT NULL,
      "last_used_at" bigint,
      CONSTRAINT "UQ_identities_provider_subject" UNIQUE ("provider_id", "subject"),
      CONSTRAINT "FK_identities_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
      CONSTRAINT "FK_identities_provider" FOREIGN KEY ("provider_id") REFERENCES "sign_in_providers" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_identities_public_id" ON "identities" ("public_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_identities_user_id" ON "identities" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_identities_provider_id" ON "identities" ("provider_id")`);
    await queryRunner.query(`CREATE TABLE "social_sign_ins" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "state_hash" varchar(64) NOT NULL,
      "provider_id" integer NOT NULL,
      "user_id" integer,
      "return_to" varchar(2000) NOT NULL,
      "sealed" text NOT NULL,
      "expires_at" bigint NOT NULL,
      CONSTRAINT "FK_social_sign_ins_provider" FOREIGN KEY ("provider_id") REFERENCES "sign_in_providers" ("id") ON DELETE CASCADE,
      CONSTRAINT "FK_social_sign_ins_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_social_sign_ins_state_hash" ON "social_sign_ins" ("state_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_social_sign_ins_provider_id" ON "social_sign_ins" ("provider_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_social_sign_ins_user_id" ON "social_sign_ins" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_social_sign_ins_expires_at" ON "social_sign_ins" ("expires_at")`);
    await queryRunner.query(`CREATE TABLE "login_codes" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "code_hash" varchar(64) NOT NULL,
      "user_id" integer NOT NULL,
      "expires_at" bigint NOT NULL,
      CONSTRAINT "FK_login_codes_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_login_codes_code_hash" ON "login_codes" ("code_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_login_codes_user_id" ON "login_codes" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_login_codes_expires_at" ON "login_codes" ("expires_at")`);
    // SQLite cannot drop a NOT NULL: the audit log is copied into a table that allows an entry without an account.
    await this.rebuildAdminAudit(
      queryRunner,
      `"target_user_id" integer, "target_email" varchar(254) NOT NULL DEFAULT (''), "client_address" varchar(64) NOT NULL DEFAULT (''), "target_provider" varchar(32)`,
      `"id", "at", "key_name", "action", "target_user_id", "target_email", "client_address"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "admin_audit" WHERE "target_user_id" IS NULL`);
    await this.rebuildAdminAudit(
      queryRunner,
      `"target_user_id" integer NOT NULL, "target_email" varchar(254) NOT NULL DEFAULT (''), "client_address" varchar(64) NOT NULL DEFAULT ('')`,
      `"id", "at", "key_name", "action", "target_user_id", "target_email", "client_address"`,
    );
    await queryRunner.query(`DROP TABLE "login_codes"`);
    await queryRunner.query(`DROP TABLE "social_sign_ins"`);
    await queryRunner.query(`DROP TABLE "identities"`);
    await queryRunner.query(`DROP TABLE "sign_in_providers"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "activated_at"`);
  }

  private async rebuildAdminAudit(queryRunner: QueryRunner, targetColumns: string, copied: string): Promise<void> {
    await queryRunner.query(`CREATE TABLE "admin_audit_new" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "at" bigint NOT NULL,
      "key_name" varchar(64) NOT NULL,
      "action" varchar(32) NOT NULL,
      ${targetColumns}
    )`);
    await queryRunner.query(`INSERT INTO "admin_audit_new" (${copied}) SELECT ${copied} FROM "admin_audit"`);
    await queryRunner.query(`DROP TABLE "admin_audit"`);
    await queryRunner.query(`ALTER TABLE "admin_audit_new" RENAME TO "admin_audit"`);
    await queryRunner.query(`CREATE INDEX "IDX_admin_audit_at" ON "admin_audit" ("at")`);
    await queryRunner.query(`CREATE INDEX "IDX_admin_audit_target" ON "admin_audit" ("target_user_id")`);
  }
}
