import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { Repository } from 'typeorm';
import { Metrics } from '../metrics/metrics.js';
import { OutboxMessageEntity, OutboxStatus } from './outbox-message.entity.js';

type OutboxState = { depth: number; oldestAgeSeconds: number } | null;

/** The outbox's gauges, read from the table when Prometheus scrapes: depth, and age of the oldest message waiting. */
@Injectable()
export class OutboxGauges implements OnModuleInit {
  /** One outbox query per scrape, shared by its two gauges (collected concurrently). */
  private outboxRead: Promise<OutboxState> | null = null;

  constructor(
    private readonly metrics: Metrics,
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
  ) {}

  onModuleInit(): void {
    const readOutbox = () => (this.outboxRead ??= this.readOutbox().finally(() => (this.outboxRead = null)));
    const gauge = (name: string, help: string, value: (state: NonNullable<OutboxState>) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        async collect() {
          const state = await readOutbox();
          if (state) this.set(value(state));
        },
      });
    gauge('one_auth_mail_outbox_depth', 'Messages waiting in the outbox for delivery', (state) => state.depth);
    gauge(
      'one_auth_mail_outbox_oldest_age_seconds',
      'Age of the oldest message waiting in the outbox (0 when it is empty)',
      (state) => state.oldestAgeSeconds,
    );
  }

  /** Null when the database does not answer: the scrape still succeeds (readiness reports the outage) with the last values. */
  private async readOutbox(): Promise<OutboxState> {
    try {
      const row = await this.messages
        .createQueryBuilder('m')
        .select('COUNT(*)', 'depth')
        .addSelect('MIN(m.created_at)', 'oldest')
        .where('m.status = :pending', { pending: OutboxStatus.Pending })
        .getRawOne<{ depth: number | string; oldest: number | string | null }>();
      const oldest = row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
      return { depth: Number(row?.depth ?? 0), oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000) };
    } catch {
      return null;
    }
  }
}
