import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** DATABASE_URL naming a MySQL/MariaDB server: every e2e file's service then works in that one database. */
const sharedDatabase = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '');

export default defineConfig({
  test: {
    // At least two files at a time where a project allows it, even on 2 cores: e2e files mostly wait.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts', 'test/architecture/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/*.e2e-spec.ts', 'test/client/*.e2e-spec.ts'],
          // Prints which operations and statuses the suites covered (test/helpers/contract.ts).
          globalSetup: ['test/helpers/contract-report.ts'],
          environment: 'node',
          setupFiles: ['test/helpers/log-secrets.setup.ts'],
          // On SQLite every file's service has a database file of its own: files run side by side (they
          // spend much of their time waiting on hashes, timers and mail). Suites share one database
          // server when DATABASE_URL points at MariaDB, and count its rows: one file at a time there.
          fileParallelism: !sharedDatabase,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // nginx and Caddy (Debian's packages) started on loopback in front of a recording service: deploy/gateways/.
          name: 'gateways',
          include: ['test/gateways/*.gateway-spec.ts'],
          environment: 'node',
          setupFiles: ['test/helpers/log-secrets.setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Debian's Chromium with a virtual WebAuthn authenticator, on a page that calls the service (npm run test:browser).
          name: 'browser',
          include: ['test/browser/*.browser-spec.ts'],
          environment: 'node',
          setupFiles: ['test/helpers/log-secrets.setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Thousands of requests, then one sweep: minutes on a busy machine (npm run test:growth).
          name: 'growth',
          include: ['test/growth/*.growth-spec.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Service processes from dist/ (run `npm run build` first): instances, signals, outages.
          name: 'faults',
          include: ['test/faults/*.fault-spec.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // A 3-node Galera cluster, three service processes from dist/ and HAProxy (`npm run test:cluster`).
          name: 'cluster',
          include: ['test/cluster/*.cluster-spec.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
