import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Operators: API keys, their audit log, and what the admin API shows and filters of accounts. */
export class OperatorsMysql1766200000000 implements MigrationInterface {
  name = 'OperatorsMysql1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `users` ADD COLUMN `last_sign_in_at` bigint NULL, ADD INDEX `IDX_users_status` (`status`)');
    // The best earlier record of a sign-in: the newest token still held.
    await queryRunner.query(
      'UPDATE `users` u JOIN (SELECT `user_id`, MAX(`created_at`) AS `at` FROM `access_tokens` GROUP BY `user_id`) t ON t.`user_id` = u.`id` SET u.`last_sign_in_at` = t.`at`',
    );
    await queryRunner.query(`CREATE TABLE \`api_keys\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`name\` varchar(64) NOT NULL,
      \`key_hash\` varchar(64) NOT NULL,
      \`scopes\` varchar(128) NOT NULL,
      \`created_at\` bigint NOT NULL,
      \`revoked_at\` bigint NULL,
      \`last_used_at\` bigint NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_api_keys_name\` (\`name\`),
      UNIQUE INDEX \`UQ_api_keys_key_hash\` (\`key_hash\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`admin_audit\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`at\` bigint NOT NULL,
      \`key_name\` varchar(64) NOT NULL,
      \`action\` varchar(32) NOT NULL,
      \`target_user_id\` int NOT NULL,
      \`target_email\` varchar(254) NOT NULL DEFAULT '',
      \`client_address\` varchar(64) NOT NULL DEFAULT '',
      PRIMARY KEY (\`id\`),
      INDEX \`IDX_admin_audit_at\` (\`at\`),
      INDEX \`IDX_admin_audit_target\` (\`target_user_id\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `admin_audit`');
    await queryRunner.query('DROP TABLE `api_keys`');
    await queryRunner.query('ALTER TABLE `users` DROP INDEX `IDX_users_status`, DROP COLUMN `last_sign_in_at`');
  }
}
