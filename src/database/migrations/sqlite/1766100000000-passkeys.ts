import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Passkeys (WebAuthn credentials) of accounts, and the challenges of ceremonies under way. */
export class PasskeysSqlite1766100000000 implements MigrationInterface {
  name = 'PasskeysSqlite1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "passkeys" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "user_id" integer NOT NULL,
      "public_id" varchar(32) NOT NULL,
      "credential_id" varchar(1400) NOT NULL,
      "credential_hash" varchar(64) NOT NULL,
      "public_key" text NOT NULL,
      "sign_count" bigint NOT NULL,
      "transports" varchar(200) NOT NULL DEFAULT (''),
      "user_handle" varchar(64) NOT NULL,
      "name" varchar(100) NOT NULL,
      "backed_up" boolean NOT NULL,
      "created_at" bigint NOT NULL,
      "last_used_at" bigint,
      CONSTRAINT "FK_passkeys_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_passkeys_public_id" ON "passkeys" ("public_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_passkeys_credential_hash" ON "passkeys" ("credential_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_passkeys_user_id" ON "passkeys" ("user_id")`);
    await queryRunner.query(`CREATE TABLE "passkey_challenges" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "challenge_hash" varchar(64) NOT NULL,
      "purpose" varchar(16) NOT NULL,
      "user_id" integer,
      "expires_at" bigint NOT NULL,
      CONSTRAINT "FK_passkey_challenges_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_passkey_challenges_hash" ON "passkey_challenges" ("challenge_hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_passkey_challenges_user_id" ON "passkey_challenges" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_passkey_challenges_expires_at" ON "passkey_challenges" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "passkey_challenges"`);
    await queryRunner.query(`DROP TABLE "passkeys"`);
  }
}
