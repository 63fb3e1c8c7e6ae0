import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each queued mail's own random id, from which its Message-ID is made on every attempt; rows already there get one too. */
export class OutboxMessageIdsSqlite1764500000000 implements MigrationInterface {
  name = 'OutboxMessageIdsSqlite1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mail_outbox" ADD COLUMN "message_id" varchar(32) NOT NULL DEFAULT ('')`);
    await queryRunner.query(`UPDATE "mail_outbox" SET "message_id" = lower(hex(randomblob(16)))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_mail_outbox_message_id" ON "mail_outbox" ("message_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_mail_outbox_message_id"`);
    await queryRunner.query(`ALTER TABLE "mail_outbox" DROP COLUMN "message_id"`);
  }
}
