// Driving the service with autocannon: one scenario at a time (load), or
// several taken in turns so that a change of load on a shared machine falls
// on all of them (inTurns).
import autocannon from 'autocannon';
import { rssMb } from './service-process.mjs';

const requestsOf = ({ method = 'GET', body, headers = {}, setup, onResponse }) => [
  { method, body, headers, ...(setup ? { setupRequest: setup } : {}), ...(onResponse ? { onResponse } : {}) },
];

/**
 * Drives one scenario for `duration` seconds (after a warm-up) or, in a
 * quick run, until `quick.amount` requests are answered over
 * `quick.connections` (default: the run's). With `pid`, samples that
 * process's peak resident memory meanwhile.
 */
export async function load(
  settings,
  { url, method, body, headers, setup, onResponse, connections = settings.connections, duration, quick, pid, warmup = true },
) {
  const requests = requestsOf({ method, body, headers, setup, onResponse });
  // Quick: a slow answer on a loaded machine is still an answer, not a timeout.
  const counted = settings.quick
    ? { amount: quick.amount, connections: Math.min(quick.connections ?? connections, quick.amount), timeout: 60 }
    : { duration: duration ?? settings.duration, connections };
  if (warmup && !settings.quick) await autocannon({ url, connections, duration: settings.warmup, requests });
  let peak = pid ? rssMb(pid) : NaN;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100) : undefined;
  const result = await autocannon({ url, requests, ...counted });
  clearInterval(sampler);
  return {
    // A quick run is too short for autocannon's per-second samples: count answers over the time taken.
    requests: settings.quick ? result['2xx'] / Math.max(result.duration, 0.001) : result.requests.average,
    completed: result['2xx'],
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    peakRssMb: pid ? Math.round(Math.max(peak, rssMb(pid))) : undefined,
  };
}

/**
 * Several variants (name → { url, setup, pid, scrape }) in turns: after a
 * warm-up of each, every variant runs for `settings.sliceS` seconds,
 * `settings.slices` times, the order reversed every other round (a variant
 * may set its own `connections` and slice length, `seconds`). Per
 * variant: answers counted over the time measured, the mean of the slices'
 * latency percentiles, errors (a failed scrape of `scrape`, fetched every
 * second meanwhile, counts as one), and the rate of each round (`perRound`),
 * so that ratios can be taken round by round (stats.mjs, pairedRatio).
 */
export async function inTurns(settings, variants) {
  const { slices } = settings;
  const names = Object.keys(variants);
  const connectionsOf = (name) => variants[name].connections ?? settings.connections;
  for (const name of names) {
    const { url } = variants[name];
    await autocannon({
      url,
      connections: connectionsOf(name),
      duration: settings.quick ? 1 : settings.warmup,
      requests: requestsOf(variants[name]),
    });
  }
  const totals = Object.fromEntries(
    names.map((name) => [name, { completed: 0, seconds: 0, p50: 0, p99: 0, errors: 0, peak: NaN, perRound: [] }]),
  );
  for (let round = 0; round < slices; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) {
      const { url, pid, scrape } = variants[name];
      const total = totals[name];
      let scrapeErrors = 0;
      const scraper = scrape
        ? setInterval(() => {
            fetch(scrape)
              .then((response) => (response.ok ? response.text() : scrapeErrors++))
              .catch(() => scrapeErrors++);
          }, 1000)
        : undefined;
      const sampler = pid ? setInterval(() => (total.peak = Math.max(total.peak || 0, rssMb(pid))), 100) : undefined;
      const duration = variants[name].seconds ?? settings.sliceS;
      const result = await autocannon({ url, connections: connectionsOf(name), duration, requests: requestsOf(variants[name]) });
      clearInterval(scraper);
      clearInterval(sampler);
      total.completed += result['2xx'];
      total.seconds += result.duration;
      total.perRound[round] = result['2xx'] / result.duration;
      total.p50 += result.latency.p50 / slices;
      total.p99 += result.latency.p99 / slices;
      total.errors += result.errors + result.timeouts + result.non2xx + scrapeErrors;
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const { completed, seconds, p50, p99, errors, peak, perRound } = totals[name];
      const peakRssMb = Number.isFinite(peak) ? Math.round(peak) : undefined;
      return [name, { requests: completed / seconds, completed, p50, p99, errors, peakRssMb, perRound }];
    }),
  );
}

/**
 * A flow of requests, sent in turn on each connection (autocannon's request
 * sequence, whose `setupRequest` and `onResponse` share the connection's
 * context): `steps` are its requests, `expected` the status each must
 * answer. A flow counts when its last answer came as expected; its latency
 * runs from its first request's setup to its last answer. Measured like
 * `load` (a warm-up, then `duration`; a quick run sends `quick.amount`
 * flows): flows per second, the flows' p50 and p99, and as errors every
 * unexpected answer (and a step that could not be built, such as an
 * exchange without a code).
 */
export async function loadFlows(settings, { url, steps, expected, connections = settings.connections, quick, pid }) {
  const tally = { counting: false, flows: 0, failures: 0, latencies: [] };
  const last = steps.length - 1;
  const requests = steps.map((step, i) => ({
    method: step.method ?? 'GET',
    headers: step.headers ?? {},
    body: step.body,
    setupRequest: (request, context) => {
      if (i === 0) context.startedAt = performance.now();
      const built = step.setup ? step.setup(request, context) : request;
      if (!built && tally.counting) tally.failures++;
      return built;
    },
    onResponse: (status, body, context, headers) => {
      if (status !== expected[i]) {
        if (tally.counting) tally.failures++;
        return;
      }
      step.onResponse?.(status, body, context, headers);
      if (i === last && tally.counting) {
        tally.flows++;
        tally.latencies.push(performance.now() - context.startedAt);
      }
    },
  }));
  const counted = settings.quick
    ? { amount: quick.amount * steps.length, connections: Math.min(quick.connections ?? connections, quick.amount), timeout: 60 }
    : { duration: settings.duration, connections };
  if (!settings.quick) await autocannon({ url, connections, duration: settings.warmup, requests });
  tally.counting = true;
  let peak = pid ? rssMb(pid) : NaN;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100) : undefined;
  const result = await autocannon({ url, requests, ...counted });
  clearInterval(sampler);
  tally.counting = false;
  const sorted = tally.latencies.sort((a, b) => a - b);
  const percentile = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return {
    requests: tally.flows / Math.max(result.duration, 0.001),
    completed: tally.flows,
    p50: percentile(50),
    p99: percentile(99),
    errors: tally.failures + result.errors + result.timeouts,
    peakRssMb: pid ? Math.round(Math.max(peak, rssMb(pid))) : undefined,
  };
}
