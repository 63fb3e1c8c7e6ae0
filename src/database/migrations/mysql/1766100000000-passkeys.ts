import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Passkeys (WebAuthn credentials) of accounts, and the challenges of ceremonies under way. */
export class PasskeysMysql1766100000000 implements MigrationInterface {
  name = 'PasskeysMysql1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`passkeys\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`user_id\` int NOT NULL,
      \`public_id\` varchar(32) NOT NULL,
      \`credential_id\` varchar(1400) NOT NULL,
      \`credential_hash\` varchar(64) NOT NULL,
      \`public_key\` text NOT NULL,
      \`sign_count\` bigint NOT NULL,
      \`transports\` varchar(200) NOT NULL DEFAULT '',
      \`user_handle\` varchar(64) NOT NULL,
      \`name\` varchar(100) NOT NULL,
      \`backed_up\` tinyint NOT NULL,
      \`created_at\` bigint NOT NULL,
      \`last_used_at\` bigint NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_passkeys_public_id\` (\`public_id\`),
      UNIQUE INDEX \`UQ_passkeys_credential_hash\` (\`credential_hash\`),
      INDEX \`IDX_passkeys_user_id\` (\`user_id\`),
      CONSTRAINT \`FK_passkeys_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await queryRunner.query(`CREATE TABLE \`passkey_challenges\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`challenge_hash\` varchar(64) NOT NULL,
      \`purpose\` varchar(16) NOT NULL,
      \`user_id\` int NULL,
      \`expires_at\` bigint NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE INDEX \`UQ_passkey_challenges_hash\` (\`challenge_hash\`),
      INDEX \`IDX_passkey_challenges_user_id\` (\`user_id\`),
      INDEX \`IDX_passkey_challenges_expires_at\` (\`expires_at\`),
      CONSTRAINT \`FK_passkey_challenges_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `passkey_challenges`');
    await queryRunner.query('DROP TABLE `passkeys`');
  }
}
