import type { MigrationInterface, QueryRunner } from 'typeorm';

// utf8mb4_bin everywhere: emails are compared exactly (they are normalised
// before storage), never folded by a case- or accent-insensitive collation.
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

export class InitialSchemaMysql1764000000000 implements MigrationInterface {
  name = 'InitialSchemaMysql1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`users\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`email\` varchar(254) NOT NULL,
      \`status\` varchar(16) NOT NULL DEFAULT 'deactived',
      \`password_hash\` varchar(255) NULL,
      \`first_name\` varchar(100) NOT NULL DEFAULT '',
      \`last_name\` varchar(100) NOT NULL DEFAULT '',
      \`country\` varchar(100) NOT NULL DEFAULT '',
      \`department\` varchar(100) NOT NULL DEFAULT '',
      \`avatar\` varchar(2048) NOT NULL DEFAULT '',
      \`code_sent_at\` bigint NULL,
      \`created_at\` bigint NOT NULL,
      \`updated_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_users_email\` (\`email\`)
    ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`CREATE TABLE \`validation_codes\` (
      \`user_id\` int NOT NULL,
      \`code_hash\` varchar(64) NOT NULL,
      \`failed_attempts\` int NOT NULL DEFAULT 0,
      \`expires_at\` bigint NOT NULL,
      \`created_at\` bigint NOT NULL,
      PRIMARY KEY (\`user_id\`),
      CONSTRAINT \`FK_validation_codes_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`CREATE TABLE \`access_tokens\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`user_id\` int NOT NULL,
      \`token_hash\` varchar(64) NOT NULL,
      \`created_at\` bigint NOT NULL,
      \`expires_at\` bigint NOT NULL,
      \`last_used_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_access_tokens_token_hash\` (\`token_hash\`),
      INDEX \`IDX_access_tokens_user_id\` (\`user_id\`),
      CONSTRAINT \`FK_access_tokens_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`CREATE TABLE \`mail_outbox\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`recipient\` varchar(254) NOT NULL,
      \`purpose\` varchar(32) NOT NULL,
      \`payload\` text NOT NULL,
      \`status\` varchar(16) NOT NULL DEFAULT 'pending',
      \`attempts\` int NOT NULL DEFAULT 0,
      \`next_attempt_at\` bigint NOT NULL,
      \`locked_until\` bigint NULL,
      \`last_error\` varchar(500) NULL,
      \`created_at\` bigint NOT NULL,
      \`sent_at\` bigint NULL,
      PRIMARY KEY (\`id\`),
      INDEX \`IDX_mail_outbox_due\` (\`status\`, \`next_attempt_at\`),
      INDEX \`IDX_mail_outbox_recipient\` (\`recipient\`, \`created_at\`)
    ) ${TABLE_OPTIONS}`);
    await queryRunner.query(`CREATE TABLE \`images\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`name\` varchar(64) NOT NULL,
      \`user_id\` int NOT NULL,
      \`content_type\` varchar(32) NOT NULL,
      \`bytes\` int NOT NULL,
      \`created_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_images_name\` (\`name\`),
      INDEX \`IDX_images_user_id\` (\`user_id\`),
      CONSTRAINT \`FK_images_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ${TABLE_OPTIONS}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['images', 'mail_outbox', 'access_tokens', 'validation_codes', 'users']) {
      await queryRunner.query(`DROP TABLE \`${table}\``);
    }
  }
}
