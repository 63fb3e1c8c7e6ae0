import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The OpenID Provider (42–50): each account's public id (its `sub`), what
 * the provider keeps, its signing keys, back-channel logouts on their way,
 * the registered clients; the app of a sign-in in security events; audit
 * entries about clients.
 */
export class OpenIdProviderMysql1769000000000 implements MigrationInterface {
  name = 'OpenIdProviderMysql1769000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `users` ADD COLUMN `public_id` varchar(32) NULL');
    await queryRunner.query('UPDATE `users` SET `public_id` = LOWER(HEX(RANDOM_BYTES(16)))');
    await queryRunner.query('ALTER TABLE `users` ADD UNIQUE INDEX `UQ_users_public_id` (`public_id`)');
    await queryRunner.query(`CREATE TABLE \`oidc_records\` (
      \`key_hash\` varchar(64) NOT NULL,
      \`model\` varchar(40) NOT NULL,
      \`payload\` text NOT NULL,
      \`grant_id\` varchar(64) NULL,
      \`uid_hash\` varchar(64) NULL,
      \`user_code_hash\` varchar(64) NULL,
      \`account_id\` varchar(32) NULL,
      \`client_id\` varchar(64) NULL,
      \`expires_at\` bigint NULL,
      \`consumed_at\` bigint NULL,
      \`created_at\` bigint NOT NULL,
      \`last_used_at\` bigint NULL,
      PRIMARY KEY (\`key_hash\`),
      INDEX \`IDX_oidc_records_grant_id\` (\`grant_id\`),
      INDEX \`IDX_oidc_records_uid_hash\` (\`uid_hash\`),
      INDEX \`IDX_oidc_records_user_code_hash\` (\`user_code_hash\`),
      INDEX \`IDX_oidc_records_account\` (\`account_id\`, \`model\`),
      INDEX \`IDX_oidc_records_expires_at\` (\`expires_at\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`oidc_signing_keys\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`kid\` varchar(64) NOT NULL,
      \`alg\` varchar(8) NOT NULL,
      \`generation\` int NOT NULL,
      \`private_key_sealed\` text NOT NULL,
      \`created_at\` bigint NOT NULL,
      \`activates_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_oidc_signing_keys_kid\` (\`kid\`),
      UNIQUE INDEX \`UQ_oidc_signing_keys_generation\` (\`alg\`, \`generation\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`oidc_logout_deliveries\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`payload\` text NOT NULL,
      \`status\` varchar(16) NOT NULL DEFAULT 'pending',
      \`attempts\` int NOT NULL DEFAULT 0,
      \`next_attempt_at\` bigint NOT NULL,
      \`locked_until\` bigint NULL,
      \`claimed_by\` varchar(32) NULL,
      \`last_error\` varchar(500) NULL,
      \`created_at\` bigint NOT NULL,
      \`client_id\` varchar(64) NOT NULL,
      \`endpoint\` varchar(500) NOT NULL,
      \`first_attempt_at\` bigint NULL,
      \`delivered_at\` bigint NULL,
      PRIMARY KEY (\`id\`),
      INDEX \`IDX_oidc_logout_deliveries_due\` (\`status\`, \`next_attempt_at\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`oidc_clients\` (
      \`client_id\` varchar(64) NOT NULL,
      \`client_name\` varchar(100) NOT NULL,
      \`metadata\` text NOT NULL,
      \`secret_sealed\` text NULL,
      \`created_at\` bigint NOT NULL,
      \`updated_at\` bigint NOT NULL,
      PRIMARY KEY (\`client_id\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query('ALTER TABLE `security_events` ADD COLUMN `app_name` varchar(100) NULL');
    // Entries about a client; the audit log allows entries without an account since sign-in providers (1768000000000).
    await queryRunner.query('ALTER TABLE `admin_audit` ADD COLUMN `target_client_id` varchar(64) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `admin_audit` DROP COLUMN `target_client_id`');
    await queryRunner.query('ALTER TABLE `security_events` DROP COLUMN `app_name`');
    for (const table of ['oidc_clients', 'oidc_logout_deliveries', 'oidc_signing_keys', 'oidc_records']) {
      await queryRunner.query(`DROP TABLE \`${table}\``);
    }
    await queryRunner.query('ALTER TABLE `users` DROP INDEX `UQ_users_public_id`, DROP COLUMN `public_id`');
  }
}
