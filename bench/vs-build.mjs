// npm run build && node bench/vs-build.mjs --base DIR [--rounds N] [--seconds S]
//
// This build against another (DIR: a checkout with its own node_modules and
// dist/ built, e.g. a worktree of an older commit) on the token check (S1)
// and the password login (S3), so that what a change does to them can be
// stated as "within N %". Each build runs as its own process on its own
// fresh SQLite database, seeded alike (bench/lib), as `npm run bench` runs
// it (LOG_LEVEL=info, this Node for both). After a warm-up of each, N rounds
// (default 6) of slices in turns, the order reversed every other round so
// that neither build always follows the other: S1 on this build, S1 on the
// base, S3 on this, S3 on the base. S1: 50 connections, S-second slices
// (default 5). S3: 10 connections, as the quick run's logins (50 argon2
// verifications in flight make each login wait for the rest), in slices
// twice as long, since logins are few (some 70 a second). Each ratio
// this/base is the median of the rounds' ratios: a slowdown of the shared
// machine during a round falls on both sides of it. Prints req/s per build
// and round, the ratios and p99 (the mean of the slices'); writes
// bench/.work/vs-build.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { inTurns } from './lib/load.mjs';
import { asRandomUser, withPassword, withToken } from './lib/requests.mjs';
import { seedAccounts } from './lib/seed.mjs';
import { startService } from './lib/service-process.mjs';
import { QUICK_LOGIN_CONNECTIONS } from './lib/settings.mjs';
import { median } from './lib/stats.mjs';

const { values: flags } = parseArgs({
  options: { base: { type: 'string' }, rounds: { type: 'string', default: '6' }, seconds: { type: 'string', default: '5' } },
});
if (!flags.base) throw new Error('--base DIR: the checkout of the build to compare with');
const BUILDS = { this: resolve('.'), base: resolve(flags.base) };
const ROUNDS = Number(flags.rounds);
const SECONDS = Number(flags.seconds);
const USERS = 10_000;
const S1 = { connections: 50, seconds: SECONDS };
const S3 = { connections: QUICK_LOGIN_CONNECTIONS, seconds: 2 * SECONDS };
const load = () => loadavg().map((x) => Number(x.toFixed(2)));
const commitOf = (dir) => execFileSync('git', ['-C', dir, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();

const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  loadAverage: { before: load() },
  settings: { rounds: ROUNDS, users: USERS, logLevel: 'info', database: 'sqlite', S1, S3 },
  builds: Object.fromEntries(Object.entries(BUILDS).map(([name, dir]) => [name, { dir, commit: commitOf(dir) }])),
};
const { this: mine, base } = results.builds;
console.log(
  `this ${mine.commit} (${mine.dir}) against base ${base.commit} (${base.dir}), node ${process.version}, load ${results.loadAverage.before.join(' ')}`,
);
console.log(
  `${ROUNDS} rounds: S1 ${S1.seconds} s × ${S1.connections} connections, S3 ${S3.seconds} s × ${S3.connections} connections, each build`,
);

const services = {};
const accounts = {};
for (const [name, dir] of Object.entries(BUILDS)) {
  services[name] = await startService({ checkout: dir });
  accounts[name] = await seedAccounts(services[name], USERS);
}
const variants = {};
for (const [scenario, shape, path, secretOf] of [
  ['S1', S1, 'validations', withToken],
  ['S3', S3, 'access_tokens', withPassword],
]) {
  for (const name of Object.keys(BUILDS)) {
    const { url, pid } = services[name];
    variants[`${scenario} ${name}`] = { ...shape, url: `${url}/api/${path}`, setup: asRandomUser(accounts[name], secretOf), pid };
  }
}
// Slices in this order, reversed every other round: S1 this, S1 base, S3 this, S3 base.
const turns = await inTurns({ connections: S1.connections, slices: ROUNDS, sliceS: SECONDS, warmup: 3, quick: false }, variants);
for (const service of Object.values(services)) await service.stop();
results.loadAverage.after = load();

const names = Object.keys(turns);
const cells = (values) => values.map((value, i) => value.padStart(names[i].length + 2)).join('');
console.log(`\nreq/s  ${cells(names)}`);
for (let round = 0; round < ROUNDS; round++)
  console.log(`${String(round + 1).padEnd(5)}  ${cells(names.map((n) => turns[n].perRound[round].toFixed(0)))}`);
console.log(`median ${cells(names.map((n) => median(turns[n].perRound).toFixed(0)))}`);
console.log(`p99 ms ${cells(names.map((n) => turns[n].p99.toFixed(0)))}`);
for (const scenario of ['S1', 'S3']) {
  const [a, b] = [turns[`${scenario} this`], turns[`${scenario} base`]];
  const ratios = a.perRound.map((rate, round) => rate / b.perRound[round]);
  results[scenario] = { this: a, base: b, ratios, ratio: median(ratios), p99Ratio: a.p99 / b.p99 };
  const spread = `rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}`;
  console.log(
    `${scenario} this/base: ${median(ratios).toFixed(3)} (median of the rounds' ratios; ${spread}), p99 ${a.p99.toFixed(0)} ms against ${b.p99.toFixed(0)} ms`,
  );
}
console.log(`load average after: ${results.loadAverage.after.join(' ')}`);
mkdirSync('bench/.work', { recursive: true });
writeFileSync('bench/.work/vs-build.json', `${JSON.stringify(results, null, 2)}\n`);
console.log('written: bench/.work/vs-build.json');

// A figure from a build that answered nothing, or answered errors, measures nothing.
const failures = names.filter((n) => !(turns[n].completed > 0) || turns[n].errors > 0);
if (failures.length) {
  console.error(`\nFAILED: ${failures.map((n) => `${n}: ${turns[n].completed} answered, ${turns[n].errors} errors`).join('; ')}`);
  process.exit(1);
}
