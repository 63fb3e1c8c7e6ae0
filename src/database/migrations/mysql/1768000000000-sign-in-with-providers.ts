import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in with another provider: the providers, the identities linked
 * through them, the sign-ins under way and the login codes they hand out;
 * when an account was activated (it may be active without a password); the
 * audit log's entries about a provider rather than an account.
 */
export class SignInWithProvidersMysql1768000000000 implements MigrationInterface {
  name = 'SignInWithProvidersMysql1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `users` ADD COLUMN `activated_at` bigint NULL');
    // Every account that is active was activated; a disabled one was if it had set a password (the only way in until now).
    await queryRunner.query(
      "UPDATE `users` SET `activated_at` = COALESCE(`last_sign_in_at`, `updated_at`) WHERE `status` = 'active' OR (`status` = 'disabled' AND `password_hash` IS NOT NULL)",
    );
    await queryRunner.query(`CREATE TABLE \`sign_in_providers\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`slug\` varchar(32) NOT NULL,
      \`kind\` varchar(16) NOT NULL,
      \`name\` varchar(64) NOT NULL,
      \`issuer\` varchar(500) NOT NULL,
      \`client_id\` varchar(255) NOT NULL,
      \`client_secret\` text NOT NULL,
      \`trust_email\` tinyint NOT NULL,
      \`created_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_sign_in_providers_slug\` (\`slug\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`identities\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`public_id\` varchar(32) NOT NULL,
      \`user_id\` int NOT NULL,
      \`provider_id\` int NOT NULL,
      \`subject\` varchar(255) NOT NULL,
      \`email\` varchar(254) NOT NULL DEFAULT '',
      \`linked_at\` bigint NOT NULL,
      \`last_used_at\` bigint NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_identities_provider_subject\` (\`provider_id\`, \`subject\`),
      UNIQUE INDEX \`UQ_identities_public_id\` (\`public_id\`),
      INDEX \`IDX_identities_user_id\` (\`user_id\`),
      INDEX \`IDX_identities_provider_id\` (\`provider_id\`),
      CONSTRAINT \`FK_identities_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE,
      CONSTRAINT \`FK_identities_provider\` FOREIGN KEY (\`provider_id\`) REFERENCES \`sign_in_providers\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`social_sign_ins\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`state_hash\` varchar(64) NOT NULL,
      \`provider_id\` int NOT NULL,
      \`user_id\` int NULL,
      \`return_to\` varchar(2000) NOT NULL,
      \`sealed\` text NOT NULL,
      \`expires_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_social_sign_ins_state_hash\` (\`state_hash\`),
      INDEX \`IDX_social_sign_ins_provider_id\` (\`provider_id\`),
      INDEX \`IDX_social_sign_ins_user_id\` (\`user_id\`),
      INDEX \`IDX_social_sign_ins_expires_at\` (\`expires_at\`),
      CONSTRAINT \`FK_social_sign_ins_provider\` FOREIGN KEY (\`provider_id\`) REFERENCES \`sign_in_providers\` (\`id\`) ON DELETE CASCADE,
      CONSTRAINT \`FK_social_sign_ins_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`login_codes\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`code_hash\` varchar(64) NOT NULL,
      \`user_id\` int NOT NULL,
      \`expires_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_login_codes_code_hash\` (\`code_hash\`),
      INDEX \`IDX_login_codes_user_id\` (\`user_id\`),
      INDEX \`IDX_login_codes_expires_at\` (\`expires_at\`),
      CONSTRAINT \`FK_login_codes_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(
      'ALTER TABLE `admin_audit` MODIFY `target_user_id` int NULL, ADD COLUMN `target_provider` varchar(32) NULL AFTER `client_address`',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM `admin_audit` WHERE `target_user_id` IS NULL');
    await queryRunner.query('ALTER TABLE `admin_audit` DROP COLUMN `target_provider`, MODIFY `target_user_id` int NOT NULL');
    await queryRunner.query('DROP TABLE `login_codes`');
    await queryRunner.query('DROP TABLE `social_sign_ins`');
    await queryRunner.query('DROP TABLE `identities`');
    await queryRunner.query('DROP TABLE `sign_in_providers`');
    await queryRunner.query('ALTER TABLE `users` DROP COLUMN `activated_at`');
  }
}
