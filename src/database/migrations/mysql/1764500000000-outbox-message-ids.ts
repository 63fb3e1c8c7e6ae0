import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each queued mail's own random id, from which its Message-ID is made on
 * every attempt; rows already there get one too. MySQL commits each DDL
 * statement on its own, so a run cut short is not rolled back: each step
 * checks what is already done, and running the migration again finishes it.
 */
export class OutboxMessageIdsMysql1764500000000 implements MigrationInterface {
  name = 'OutboxMessageIdsMysql1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!(await queryRunner.hasColumn('mail_outbox', 'message_id'))) {
      await queryRunner.query('ALTER TABLE `mail_outbox` ADD COLUMN `message_id` varchar(32) NULL');
    }
    await queryRunner.query('UPDATE `mail_outbox` SET `message_id` = LOWER(HEX(RANDOM_BYTES(16))) WHERE `message_id` IS NULL');
    if (!(await hasUniqueIndex(queryRunner))) {
      await queryRunner.query(`ALTER TABLE \`mail_outbox\`
        MODIFY \`message_id\` varchar(32) NOT NULL,
        ADD UNIQUE INDEX \`UQ_mail_outbox_message_id\` (\`message_id\`)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The index goes with its only column.
    if (await queryRunner.hasColumn('mail_outbox', 'message_id')) {
      await queryRunner.query('ALTER TABLE `mail_outbox` DROP COLUMN `message_id`');
    }
  }
}

async function hasUniqueIndex(queryRunner: QueryRunner): Promise<boolean> {
  const rows = (await queryRunner.query("SHOW INDEX FROM `mail_outbox` WHERE Key_name = 'UQ_mail_outbox_message_id'")) as unknown[];
  return rows.length > 0;
}
