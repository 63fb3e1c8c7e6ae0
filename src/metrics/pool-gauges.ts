import { tracingChannel } from 'node:diagnostics_channel';
import type { EventEmitter } from 'node:events';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver.js';
import { Metrics } from './metrics.js';

/**
 * mysql2's `mysql2:pool:connect` tracing channel: `start` when a query asks
 * the pool for a connection, `asyncStart` when it gets one (or an error).
 * Process-wide: one pool per service process.
 */
const poolConnect = tracingChannel('mysql2:pool:connect');

/**
 * The MySQL connection pool's gauges, kept from what the pool publishes: its
 * `connection`, `acquire` and `release` events, each connection's `end` and
 * `error`, and the tracing channel above for requests still waiting. Nothing
 * is read from the pool's private fields.
 */
@Injectable()
export class PoolGauges implements OnModuleInit, OnModuleDestroy {
  private readonly open = new Set<EventEmitter>();
  private readonly inUse = new Set<EventEmitter>();
  private waiting = 0;
  private readonly waits = {
    start: () => void this.waiting++,
    asyncStart: () => void (this.waiting = Math.max(0, this.waiting - 1)),
    end: () => undefined,
    asyncEnd: () => undefined,
    error: () => undefined,
  };

  constructor(
    private readonly metrics: Metrics,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const driver = this.dataSource.driver;
    if (!(driver instanceof MysqlDriver) || !driver.pool) return;
    this.watch(driver.pool as EventEmitter);
    const inUse = () => this.inUse.size;
    const idle = () => this.open.size - this.inUse.size;
    const waiting = () => this.waiting;
    new Gauge({
      name: 'one_auth_db_pool_connections',
      help: 'MySQL connections of the pool, by state (in_use, idle)',
      labelNames: ['state'] as const,
      registers: [this.metrics.registry],
      collect() {
        this.set({ state: 'in_use' }, inUse());
        this.set({ state: 'idle' }, idle());
      },
    });
    new Gauge({
      name: 'one_auth_db_pool_waiting',
      help: 'Queries waiting for a free MySQL connection',
      registers: [this.metrics.registry],
      collect() {
        this.set(waiting());
      },
    });
  }

  private watch(pool: EventEmitter): void {
    const forget = (connection: EventEmitter) => () => {
      this.open.delete(connection);
      this.inUse.delete(connection);
    };
    const know = (connection: EventEmitter) => {
      if (this.open.has(connection)) return;
      this.open.add(connection);
      connection.once('end', forget(connection));
      connection.once('error', forget(connection));
    };
    pool.on('connection', know);
    // A connection made before these listeners (TypeORM's check at start) is known from its first use.
    pool.on('acquire', (connection: EventEmitter) => {
      know(connection);
      this.inUse.add(connection);
    });
    pool.on('release', (connection: EventEmitter) => this.inUse.delete(connection));
    poolConnect.subscribe(this.waits);
  }

  onModuleDestroy(): void {
    poolConnect.unsubscribe(this.waits);
  }
}
