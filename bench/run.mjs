// npm run bench [-- --quick] [--duration S] [--connections N] [--users N] [--token-check]
//
// Starts the built service (dist/main.js) on a fresh database, as it runs in
// production: LOG_LEVEL=info (one JSON line per request, to a file), metrics
// on. Seeds active accounts with tokens, drives it with autocannon and sets
// every figure against limits measured in the same run on this machine: L0
// the framework's floor (health/live), L1 the machine's floor (node:http
// doing the token check on the same database), L2 raw argon2id verifications.
//
// The token check (S1) is measured in slices taken in turn with what it is
// compared with, so that a change of load on a shared machine falls on both
// sides: the floors L0 and L1, S1 on a twin process at LOG_LEVEL=warn (no
// request lines: what logging costs), and S1 while /one_auth/metrics is
// scraped every second. Each of these figures is answers counted over the
// time measured (not autocannon's per-second buckets); their ratios are
// the median of the ratios of each round.
//
// A quick run checks that every scenario works: the other scenarios send a
// fixed number of requests (about a second's worth on an idle machine, fewer
// connections for argon2 logins) and wait for every answer, however loaded
// the machine, so none is cut off and no backlog spills into the next
// scenario. It also guards the token check: on SQLite it fails when S1
// answers less than TOKEN_CHECK_FLOOR of L1 measured alongside it (L1 and S1
// alternate in 1.5 s slices, 7.5 s each after a warm-up). A full run
// measures for a fixed time, as the published figures are. Any run exits 1
// when a scenario completes no request or has errors.
//
// --token-check runs only the token check and what it is set against (L1,
// L0, S1 at warn, S1 scraped), for a quick comparison of two builds; it
// writes bench/.work/, not the published figures.
//
// The parts, in bench/lib/: settings (the command line), smtp-sink,
// service-process, seed, limits (L1, L2), load (autocannon), scenarios (what
// is measured: add one there), upload-memory, stats (ratios), report (the
// table), floor (the token check's guard), completeness; chart.mjs draws the ratios.
import { cpus, freemem, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderChart } from './chart.mjs';
import { incompleteFigures } from './lib/completeness.mjs';
import { TOKEN_CHECK_FLOOR, tokenCheckVerdict } from './lib/floor.mjs';
import { measureL2, startL1 } from './lib/limits.mjs';
import { inTurns, load } from './lib/load.mjs';
import { tableLines } from './lib/report.mjs';
import { SCENARIOS, TOKEN_CHECK_VARIANTS } from './lib/scenarios.mjs';
import { seedOidc } from './lib/oidc-seed.mjs';
import { seedAccounts } from './lib/seed.mjs';
import { rssMb, RUNTIME_TUNING, startService } from './lib/service-process.mjs';
import { benchSettings } from './lib/settings.mjs';
import { startSmtpSink } from './lib/smtp-sink.mjs';
import { ratiosOf } from './lib/stats.mjs';
import { measureUploadMemory } from './lib/upload-memory.mjs';
import { uploadBodies } from './lib/uploads.mjs';

const settings = benchSettings();
const smtp = await startSmtpSink();
const uploads = await uploadBodies();
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  settings: {
    durationS: settings.quick ? null : settings.duration,
    warmupS: settings.quick ? 0 : settings.warmup,
    connections: settings.connections,
    users: settings.users,
    database: settings.databaseUrl ? 'mysql' : 'sqlite',
    quick: settings.quick,
    runtime: RUNTIME_TUNING,
    logLevel: 'info',
    tokenCheckInTurns: { sliceS: settings.sliceS, slices: settings.slices },
    tokenCheckFloor: TOKEN_CHECK_FLOOR,
    uploadBytes: uploads.photo.body.length,
    bigUploadBytes: uploads.bigPhoto.body.length,
  },
  limits: {},
  service: {},
};

/**
 * What O1–O3 start from: browser sessions signed in through the login pages,
 * and under each, code flows whose tokens O1 and O2 use (O1 puts back the
 * refresh token each rotation gives, so this is a pool, not a budget).
 */
const OIDC_SEEDING = { sessions: 50, flowsPerSession: 10 };

/** Everything measured on the service: the token check in turns with what it is set against, then each scenario. */
async function measureService() {
  const service = await startService({ smtpUrl: smtp.url, databaseUrl: settings.databaseUrl });
  const users = await seedAccounts(service, settings.users);
  const oidc = settings.tokenCheckOnly ? undefined : await seedOidc(service, users, OIDC_SEEDING);
  // The same service on the same database, without request lines.
  const quiet = await startService({ smtpUrl: smtp.url, logLevel: 'warn', twinOf: service });
  const l1 = await startL1(service);
  const run = { startupMs: Math.round(service.startupMs), idleRssMb: Math.round(rssMb(service.pid)), scenarios: {} };
  const context = { settings, service, quiet, l1, users, oidc, uploads, load: (options) => load(settings, options) };

  const turns = await inTurns(settings, Object.fromEntries(TOKEN_CHECK_VARIANTS.map(({ key, target }) => [key, target(context)])));
  const { L1, ...scenarios } = turns;
  run.L1 = L1;
  Object.assign(run.scenarios, scenarios);
  l1.stop();
  await quiet.stop();
  if (!settings.tokenCheckOnly) {
    for (const scenario of SCENARIOS) {
      run.scenarios[scenario.key] = scenario.run
        ? await scenario.run(context)
        : await context.load({ ...(await scenario.request(context)), quick: scenario.quick, pid: service.pid });
    }
    run.uploadMemory = await measureUploadMemory(context);
  }
  await service.stop();
  return run;
}

console.log(
  `one_auth benchmark: ${settings.quick ? 'quick, a fixed number of requests' : `${settings.duration}s`} per scenario, ${settings.connections} connections, ${settings.users} accounts, ${results.settings.database}`,
);
results.limits.L2 = settings.tokenCheckOnly ? undefined : await measureL2(settings);
results.service = await measureService();
smtp.close();

results.service.ratios = ratiosOf(results.service, results.limits.L2, results.machine.cores);
for (const line of tableLines(results)) console.log(line);
// A quick run only checks that everything works: it leaves the published figures alone.
const outDir = settings.quick || settings.tokenCheckOnly ? 'bench/.work' : 'bench';
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}/results.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${outDir}/results.svg`, renderChart(results));
console.log(`\nwritten: ${outDir}/results.json, ${outDir}/results.svg (free memory now ${Math.round(freemem() / 2 ** 20)} MB)`);

const verdict = tokenCheckVerdict(results.service.ratios, settings);
console.log(verdict.line);
const failures = [...incompleteFigures(results), ...(verdict.failure ? [verdict.failure] : [])];
if (failures.length) {
  console.error(`\nFAILED: ${failures.join('; ')}`);
  process.exit(1);
}
