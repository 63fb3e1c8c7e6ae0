import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Metrics } from './metrics.js';

interface OutboxRow {
  depth: number | string;
  oldest: number | string | null;
}

type OutboxState = { depth: number; oldestAgeSeconds: number } | null;

/** The parts of mysql2's pool that say how busy it is. */
interface MysqlPool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * Gauges read from the database when Prometheus scrapes, not kept up to date
 * on every change: the outbox (depth, age of the oldest message) and, on
 * MySQL, the connection pool.
 */
@Injectable()
export class DatabaseCollectors implements OnModuleInit {
  /** One outbox query per scrape, shared by its two gauges (collected concurrently). */
  private outboxRead: Promise<OutboxState> | null = null;

  constructor(
    private readonly metrics: Metrics,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const readOutbox = () => (this.outboxRead ??= this.readOutbox().finally(() => (this.outboxRead = null)));
    new Gauge({
      name: 'one_auth_mail_outbox_depth',
      help: 'Messages waiting in the outbox for delivery',
      registers: [this.metrics.registry],
      async collect() {
        const state = await readOutbox();
        if (state) this.set(state.depth);
      },
    });
    new Gauge({
      name: 'one_auth_mail_outbox_oldest_age_seconds',
      help: 'Age of the oldest message waiting in the outbox (0 when it is empty)',
      registers: [this.metrics.registry],
      async collect() {
        const state = await readOutbox();
        if (state) this.set(state.oldestAgeSeconds);
      },
    });
    if (this.dataSource.options.type === 'mysql') this.registerPoolGauges();
  }

  /** Null when the database does not answer: the scrape still succeeds (readiness reports the outage) with the last values. */
  private async readOutbox(): Promise<OutboxState> {
    try {
      const [row] = (await this.dataSource.query(
        "SELECT COUNT(*) AS depth, MIN(created_at) AS oldest FROM mail_outbox WHERE status = 'pending'",
      )) as OutboxRow[];
      const oldest = row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
      return { depth: Number(row?.depth ?? 0), oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000) };
    } catch {
      return null;
    }
  }

  private registerPoolGauges(): void {
    const pool = () => (this.dataSource.driver as unknown as { pool?: MysqlPool }).pool;
    new Gauge({
      name: 'one_auth_db_pool_connections',
      help: 'MySQL connections of the pool, by state (in_use, idle)',
      labelNames: ['state'] as const,
      registers: [this.metrics.registry],
      collect() {
        const all = pool()?._allConnections?.length ?? 0;
        const idle = pool()?._freeConnections?.length ?? 0;
        this.set({ state: 'in_use' }, all - idle);
        this.set({ state: 'idle' }, idle);
      },
    });
    new Gauge({
      name: 'one_auth_db_pool_waiting',
      help: 'Queries waiting for a free MySQL connection',
      registers: [this.metrics.registry],
      collect() {
        this.set(pool()?._connectionQueue?.length ?? 0);
      },
    });
  }
}
