import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'rate_limited';

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ARGON2_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2];

/**
 * Everything /one_auth/metrics exposes, in a registry of this application
 * instance (several may run in one process, as in the tests). The services
 * record through the methods below; gauges that read the database are
 * filled at scrape time (PoolGauges, and the mail module's OutboxGauges).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'one_auth_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  /** One child per series, made on its first request: later requests build no label object or closure. */
  private readonly httpChildren = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();

  private readonly logins = new Counter({
    name: 'one_auth_logins_total',
    help: 'Password checks (logins and password confirmations), by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: 'one_auth_rate_limited_total',
    help: 'Attempts refused by a rate limit (429), by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  private readonly codesIssued = new Counter({
    name: 'one_auth_codes_issued_total',
    help: 'Validation codes created and queued for mailing',
    registers: [this.registry],
  });

  private readonly mailDelivered = new Counter({
    name: 'one_auth_mail_delivered_total',
    help: 'Messages handed to the mail server (or written to a file)',
    registers: [this.registry],
  });

  private readonly mailFailures = new Counter({
    name: 'one_auth_mail_delivery_failures_total',
    help: 'Failed delivery attempts (each is retried with backoff until it is given up)',
    registers: [this.registry],
  });

  private readonly argon2Duration = new Histogram({
    name: 'one_auth_argon2_duration_seconds',
    help: 'Time of one argon2id operation, by operation (hash or verify)',
    labelNames: ['operation'] as const,
    buckets: ARGON2_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Zero from the start, so that a rate over the first events is right.
    for (const outcome of ['success', 'failure', 'rate_limited'] satisfies LoginOutcome[]) this.logins.inc({ outcome }, 0);
  }

  observeRequest(method: string | undefined, route: string | null, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.httpChildren.get(key);
    if (!child) {
      child = this.httpDuration.labels(method ?? 'UNKNOWN', route ?? 'other', String(status));
      this.httpChildren.set(key, child);
    }
    child.observe(seconds);
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  /** `rule` is the kind of limit, e.g. `login:account`, never the bucket itself (an email or address). */
  refused(rule: string): void {
    this.rateLimited.inc({ rule });
  }

  codeIssued(): void {
    this.codesIssued.inc();
  }

  mailSent(): void {
    this.mailDelivered.inc();
  }

  mailFailed(): void {
    this.mailFailures.inc();
  }

  /** Times an argon2 operation; returns its result. */
  async timeArgon2<T>(operation: 'hash' | 'verify', work: () => Promise<T>): Promise<T> {
    const stop = this.argon2Duration.startTimer({ operation });
    try {
      return await work();
    } finally {
      stop();
    }
  }
}
