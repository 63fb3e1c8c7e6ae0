import type { MigrationInterface, QueryRunner } from 'typeorm';

const FIELDS = ['first_name', 'last_name', 'country', 'department', 'avatar'];
const columns = FIELDS.map((f) => `\`${f}\``).join(', ');

/**
 * Moves the profile out of `users` into `user_profiles`, data included;
 * `down` moves it back. MySQL commits each DDL statement on its own, so a
 * run cut short in the middle is not rolled back: each step checks what is
 * already done, and running the migration again finishes the job.
 */
export class UserProfilesMysql1764200000000 implements MigrationInterface {
  name = 'UserProfilesMysql1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS \`user_profiles\` (
      \`user_id\` int NOT NULL,
      \`first_name\` varchar(100) NOT NULL DEFAULT '',
      \`last_name\` varchar(100) NOT NULL DEFAULT '',
      \`country\` varchar(100) NOT NULL DEFAULT '',
      \`department\` varchar(100) NOT NULL DEFAULT '',
      \`avatar\` varchar(2048) NOT NULL DEFAULT '',
      \`updated_at\` bigint NOT NULL,
      PRIMARY KEY (\`user_id\`),
      CONSTRAINT \`FK_user_profiles_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    if (!(await queryRunner.hasColumn('users', 'first_name'))) return;
    // Only accounts that wrote something get a row: no row reads as an empty profile.
    // LENGTH, not <> '': the PAD SPACE collation finds '  ' equal to '' and would lose it.
    await queryRunner.query(`INSERT IGNORE INTO \`user_profiles\` (\`user_id\`, ${columns}, \`updated_at\`)
      SELECT \`id\`, ${columns}, \`updated_at\` FROM \`users\`
      WHERE ${FIELDS.map((f) => `LENGTH(\`${f}\`) > 0`).join(' OR ')}`);
    await queryRunner.query(`ALTER TABLE \`users\` ${FIELDS.map((f) => `DROP COLUMN \`${f}\``).join(', ')}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (!(await queryRunner.hasColumn('users', 'first_name'))) {
      const add = FIELDS.map((f) => `ADD COLUMN \`${f}\` varchar(${f === 'avatar' ? 2048 : 100}) NOT NULL DEFAULT ''`);
      await queryRunner.query(`ALTER TABLE \`users\` ${add.join(', ')}`);
    }
    await queryRunner.query(`UPDATE \`users\` u INNER JOIN \`user_profiles\` p ON p.\`user_id\` = u.\`id\`
      SET ${FIELDS.map((f) => `u.\`${f}\` = p.\`${f}\``).join(', ')}, u.\`updated_at\` = GREATEST(u.\`updated_at\`, p.\`updated_at\`)`);
    await queryRunner.query('DROP TABLE `user_profiles`');
  }
}
