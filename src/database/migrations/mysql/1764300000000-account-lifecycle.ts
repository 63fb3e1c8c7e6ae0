import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountLifecycleMysql1764300000000 implements MigrationInterface {
  name = 'AccountLifecycleMysql1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Sessions: a public handle (random, unrelated to the token) and where the login came from.
    await queryRunner.query(`ALTER TABLE \`access_tokens\`
      ADD COLUMN \`public_id\` varchar(32) NULL,
      ADD COLUMN \`user_agent\` varchar(256) NOT NULL DEFAULT '',
      ADD COLUMN \`client_address\` varchar(64) NOT NULL DEFAULT ''`);
    await queryRunner.query('UPDATE `access_tokens` SET `public_id` = LOWER(HEX(RANDOM_BYTES(16)))');
    await queryRunner.query(`ALTER TABLE \`access_tokens\`
      MODIFY \`public_id\` varchar(32) NOT NULL,
      ADD UNIQUE INDEX \`UQ_access_tokens_public_id\` (\`public_id\`)`);
    // Codes: what a code is for, so one mailed for an email change never activates or resets, and back.
    await queryRunner.query(`ALTER TABLE \`validation_codes\`
      ADD COLUMN \`purpose\` varchar(16) NOT NULL DEFAULT 'account',
      ADD COLUMN \`new_email\` varchar(254) NOT NULL DEFAULT ''`);
    await queryRunner.query(`CREATE TABLE \`security_events\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`user_id\` int NOT NULL,
      \`type\` varchar(32) NOT NULL,
      \`at\` bigint NOT NULL,
      \`client_address\` varchar(64) NOT NULL DEFAULT '',
      \`user_agent\` varchar(256) NOT NULL DEFAULT '',
      PRIMARY KEY (\`id\`),
      INDEX \`IDX_security_events_user_at\` (\`user_id\`, \`at\`),
      INDEX \`IDX_security_events_at\` (\`at\`),
      CONSTRAINT \`FK_security_events_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `security_events`');
    await queryRunner.query('ALTER TABLE `validation_codes` DROP COLUMN `new_email`, DROP COLUMN `purpose`');
    await queryRunner.query(
      'ALTER TABLE `access_tokens` DROP INDEX `UQ_access_tokens_public_id`, DROP COLUMN `client_address`, DROP COLUMN `user_agent`, DROP COLUMN `public_id`',
    );
  }
}
