import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookDeliveriesMysql1764200000000 implements MigrationInterface {
  name = 'WebhookDeliveriesMysql1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`webhook_deliveries\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`message_id\` varchar(64) NOT NULL,
      \`endpoint\` varchar(500) NOT NULL,
      \`user_id\` int NOT NULL,
      \`event_type\` varchar(40) NOT NULL,
      \`payload\` text NOT NULL,
      \`status\` varchar(16) NOT NULL DEFAULT 'pending',
      \`attempts\` int NOT NULL DEFAULT 0,
      \`next_attempt_at\` bigint NOT NULL,
      \`locked_until\` bigint NULL,
      \`first_attempt_at\` bigint NULL,
      \`last_error\` varchar(500) NULL,
      \`created_at\` bigint NOT NULL,
      \`delivered_at\` bigint NULL,
      PRIMARY KEY (\`id\`),
      INDEX \`IDX_webhook_deliveries_due\` (\`status\`, \`next_attempt_at\`),
      INDEX \`IDX_webhook_deliveries_order\` (\`endpoint\`, \`user_id\`, \`status\`, \`id\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `webhook_deliveries`');
  }
}
