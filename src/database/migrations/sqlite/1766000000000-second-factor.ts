import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Two-step login: the authenticator app of an account, its recovery codes, and logins waiting for their second step. */
export class SecondFactorSqlite1766000000000 implements MigrationInterface {
  name = 'SecondFactorSqlite1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "totp_factors" (
      "user_id" integer PRIMARY KEY NOT NULL,
      "secret_sealed" varchar(255) NOT NULL,
      "enabled_at" bigint,
      "pending_expires_at" bigint,
      "last_used_step" bigint NOT NULL DEFAULT (0),
      "created_at" bigint NOT NULL,
      CONSTRAINT "FK_totp_factors_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_totp_factors_pending_expires_at" ON "totp_factors" ("pending_expires_at")`);
    await queryRunner.query(`CREATE TABLE "recovery_codes" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "user_id" integer NOT NULL,
      "code_hash" varchar(64) NOT NULL,
      "created_at" bigint NOT NULL,
      CONSTRAINT "UQ_recovery_codes_user_hash" UNIQUE ("user_id", "code_hash"),
      CONSTRAINT "FK_recovery_codes_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE TABLE "pending_logins" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "user_id" integer NOT NULL,
      "token_hash" varchar(64) NOT NULL,
      "attempts" integer NOT NULL DEFAULT (0),
      "expires_at" bigint NOT NULL,
      "created_at" bigint NOT NULL,
      CONSTRAINT "UQ_pending_logins_token_hash" UNIQUE ("token_hash"),
      CONSTRAINT "FK_pending_logins_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_pending_logins_user_id" ON "pending_logins" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_pending_logins_expires_at" ON "pending_logins" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['pending_logins', 'recovery_codes', 'totp_factors']) await queryRunner.query(`DROP TABLE "${table}"`);
  }
}
