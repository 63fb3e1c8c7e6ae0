import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RateEventsMysql1764100000000 implements MigrationInterface {
  name = 'RateEventsMysql1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`rate_events\` (
      \`id\` int NOT NULL AUTO_INCREMENT,
      \`bucket\` varchar(64) NOT NULL,
      \`at\` bigint NOT NULL,
      \`pending\` tinyint NOT NULL DEFAULT 1,
      PRIMARY KEY (\`id\`),
      INDEX \`IDX_rate_events_bucket_pending_at\` (\`bucket\`, \`pending\`, \`at\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `rate_events`');
  }
}
