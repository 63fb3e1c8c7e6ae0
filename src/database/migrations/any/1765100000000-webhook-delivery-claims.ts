import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** Webhook deliveries are claimed as mail is: by a claim id of the worker's own, which alone may record the outcome. */
export class WebhookDeliveryClaims1765100000000 implements MigrationInterface {
  name = 'WebhookDeliveryClaims1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'webhook_deliveries',
      new TableColumn({ name: 'claimed_by', type: 'varchar', length: '32', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('webhook_deliveries', 'claimed_by');
  }
}
