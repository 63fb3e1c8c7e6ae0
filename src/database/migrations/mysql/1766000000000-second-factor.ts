import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Two-step login: the authenticator app of an account, its recovery codes, and logins waiting for their second step. */
export class SecondFactorMysql1766000000000 implements MigrationInterface {
  name = 'SecondFactorMysql1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`totp_factors\` (
      \`user_id\` int NOT NULL,
      \`secret_sealed\` varchar(255) NOT NULL,
      \`enabled_at\` bigint NULL,
      \`pending_expires_at\` bigint NULL,
      \`last_used_step\` bigint NOT NULL DEFAULT 0,
      \`created_at\` bigint NOT NULL,
      PRIMARY KEY (\`user_id\`),
      INDEX \`IDX_totp_factors_pending_expires_at\` (\`pending_expires_at\`),
      CONSTRAINT \`FK_totp_factors_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`recovery_codes\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`user_id\` int NOT NULL,
      \`code_hash\` varchar(64) NOT NULL,
      \`created_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_recovery_codes_user_hash\` (\`user_id\`, \`code_hash\`),
      CONSTRAINT \`FK_recovery_codes_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`pending_logins\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`user_id\` int NOT NULL,
      \`token_hash\` varchar(64) NOT NULL,
      \`attempts\` int NOT NULL DEFAULT 0,
      \`expires_at\` bigint NOT NULL,
      \`created_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_pending_logins_token_hash\` (\`token_hash\`),
      INDEX \`IDX_pending_logins_user_id\` (\`user_id\`),
      INDEX \`IDX_pending_logins_expires_at\` (\`expires_at\`),
      CONSTRAINT \`FK_pending_logins_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['pending_logins', 'recovery_codes', 'totp_factors']) await queryRunner.query(`DROP TABLE \`${table}\``);
  }
}
