import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Reads whose staleness would be a security bug: a token check just after
 * the token was revoked, a code check just after the code was used.
 *
 * On a Galera cluster a commit on one node is applied on the others a little
 * later (rows deleted on one node were seen for a few ms on another). There
 * such reads carry `wsrep_sync_wait=1`: the node first waits until it has
 * applied everything the cluster committed before the read began. Detected
 * once at start (`wsrep_on`), so a single MySQL or MariaDB server runs the
 * statements unchanged; MariaDB's `SET STATEMENT … FOR` scopes the setting to
 * the one statement, so the pooled connection's other reads are not slowed.
 */
@Injectable()
export class CausalReads implements OnModuleInit {
  private readonly logger = new Logger('Database');
  private prefix = '';

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'mysql') return;
    try {
      const [row] = (await this.dataSource.query('SELECT @@wsrep_on AS wsrep_on')) as { wsrep_on: number | string | null }[];
      if (Number(row?.wsrep_on) === 1) this.prefix = 'SET STATEMENT wsrep_sync_wait=1 FOR ';
    } catch {
      // MySQL has no such variable: not a Galera node.
    }
    if (this.prefix) this.logger.log('Galera cluster detected: token and code checks read causally (wsrep_sync_wait)');
  }

  /** Whether the database is a Galera node. */
  get cluster(): boolean {
    return this.prefix !== '';
  }

  /** The SELECT, made causal on a cluster. */
  sql(select: string): string {
    return this.prefix + select;
  }

  /**
   * Waits until this node has applied everything the cluster committed so
   * far (a causal read of nothing much); at once on a single server. Used
   * before writes that just lost to another node, so their next try starts
   * from what that node wrote instead of conflicting with it again: inside a
   * transaction the server does not wait (MariaDB skips wsrep_sync_wait there).
   */
  async catchUp(): Promise<void> {
    if (this.prefix) await this.dataSource.query(this.sql('SELECT COUNT(*) AS n FROM migration_lock'));
  }

  query<T>(select: string, parameters: unknown[]): Promise<T[]> {
    return this.dataSource.query(this.sql(select), parameters) as Promise<T[]>;
  }
}
