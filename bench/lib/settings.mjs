// What a run measures, and for how long, from its command line:
// npm run bench [-- --quick] [--duration S] [--connections N] [--users N] [--token-check]
// BENCH_DATABASE_URL=mysql://… runs it against MySQL/MariaDB instead of a fresh SQLite file.
import { parseArgs } from 'node:util';

// 50 argon2 verifications in flight make each login wait for the rest: too slow for a check.
// A quick run's logins (S3) and L2, so that the two compare like with like.
export const QUICK_LOGIN_CONNECTIONS = 10;

export function benchSettings(args = process.argv.slice(2)) {
  const { values: flags } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string', default: '50' },
      users: { type: 'string', default: '10000' },
      'token-check': { type: 'boolean', default: false },
    },
  });
  const quick = flags.quick;
  const duration = Number(flags.duration ?? (quick ? 1 : 10));
  return {
    quick,
    /** Only the token check and what it is set against, for a quick comparison of two builds. */
    tokenCheckOnly: flags['token-check'],
    duration,
    warmup: 3,
    // Slices of the token check and what it is set against: seconds each, and how many of each.
    // A full run measures each variant in 8 slices of a quarter of the duration: twice the
    // duration in all, so that the median of the rounds' ratios holds against this shared
    // machine's swings (the logging share, from two processes, moved ±5 points over 4 rounds).
    slices: quick ? 5 : 8,
    sliceS: quick ? 1.5 : duration / 4,
    connections: Number(flags.connections),
    users: Number(flags.users),
    databaseUrl: process.env.BENCH_DATABASE_URL,
  };
}
