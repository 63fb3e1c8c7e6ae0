import type { MigrationInterface, QueryRunner } from 'typeorm';

const FIELDS = ['first_name', 'last_name', 'country', 'department', 'avatar'];

/** Moves the profile out of `users` into `user_profiles`, data included; `down` moves it back. */
export class UserProfilesSqlite1764200000000 implements MigrationInterface {
  name = 'UserProfilesSqlite1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "user_profiles" (
      "user_id" integer PRIMARY KEY NOT NULL,
      "first_name" varchar(100) NOT NULL DEFAULT (''),
      "last_name" varchar(100) NOT NULL DEFAULT (''),
      "country" varchar(100) NOT NULL DEFAULT (''),
      "department" varchar(100) NOT NULL DEFAULT (''),
      "avatar" varchar(2048) NOT NULL DEFAULT (''),
      "updated_at" bigint NOT NULL,
      CONSTRAINT "FK_user_profiles_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
    )`);
    // Only accounts that wrote something get a row: no row reads as an empty profile.
    await queryRunner.query(`INSERT INTO "user_profiles" ("user_id", ${FIELDS.map((f) => `"${f}"`).join(', ')}, "updated_at")
      SELECT "id", ${FIELDS.map((f) => `"${f}"`).join(', ')}, "updated_at" FROM "users"
      WHERE ${FIELDS.map((f) => `length("${f}") > 0`).join(' OR ')}`);
    for (const field of FIELDS) await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "${field}"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const field of FIELDS) {
      const length = field === 'avatar' ? 2048 : 100;
      await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "${field}" varchar(${length}) NOT NULL DEFAULT ('')`);
    }
    await queryRunner.query(`UPDATE "users" SET ${FIELDS.map((f) => `"${f}" = p."${f}"`).join(', ')},
      "updated_at" = max("users"."updated_at", p."updated_at")
      FROM "user_profiles" p WHERE p."user_id" = "users"."id"`);
    await queryRunner.query(`DROP TABLE "user_profiles"`);
  }
}
