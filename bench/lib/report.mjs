// The table a run prints.
import { SCENARIOS, TOKEN_CHECK_VARIANTS } from './scenarios.mjs';
import { OIDC_GOALS } from './stats.mjs';

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** The ratio column, for the scenarios that are set against something. */
function ratioTexts(ratios) {
  return {
    S1: `${fmt(ratios.S1_L0 * 100)}% of L0, ${fmt(ratios.S1_L1 * 100)}% of L1, p99 ${fmt(ratios.S1_p99_L1, 1)}× L1's`,
    S1warn: `logging costs S1 ${fmt((1 - ratios.S1_warn) * 100)}%`,
    S1scraped: `${fmt(ratios.S1scraped_S1 * 100)}% of S1`,
    S3: `${fmt(ratios.S3_L2 * 100)}% of L2`,
    O1: `${fmt(ratios.O1_goal * 100)}% of ${OIDC_GOALS.O1}/s, ${fmt(ratios.O1_keycloak, 1)}× Keycloak's plan`,
    O2: `${fmt(ratios.O2_goal * 100)}% of ${OIDC_GOALS.O2}/s, ${fmt(ratios.O2_S1 * 100)}% of S1`,
    O3: `${fmt(ratios.O3_S3, 1)}× S3`,
  };
}

/** The run's figures as lines of a table: one row per limit and scenario, then start-up and memory. */
export function tableLines({ limits: { L2 }, service }) {
  const rows = [['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'peak RSS MB']];
  if (L2) rows.push(['L2 argon2id verify', fmt(L2.requests), fmt(L2.p50, 1), fmt(L2.p99, 1), '0', '', '']);
  const { L1, scenarios, ratios } = service;
  const l1Variant = TOKEN_CHECK_VARIANTS.find(({ key }) => key === 'L1');
  rows.push([l1Variant.label, fmt(L1.requests), fmt(L1.p50, 1), fmt(L1.p99, 1), String(L1.errors), '', '']);
  const ratio = ratioTexts(ratios);
  for (const { key, label } of [...TOKEN_CHECK_VARIANTS, ...SCENARIOS]) {
    const r = scenarios[key];
    if (!r || key === 'L1') continue;
    rows.push([label, fmt(r.requests), fmt(r.p50, 1), fmt(r.p99, 1), String(r.errors), ratio[key] ?? '', String(r.peakRssMb ?? '')]);
  }
  const memory = service.uploadMemory;
  if (memory) {
    rows.push([
      `start→ready ${service.startupMs} ms, idle RSS ${service.idleRssMb} MB, 20 concurrent 2.8 MB uploads: peak ${memory.peakMb} MB, after ${memory.afterMb} MB (before ${memory.beforeMb})`,
      ...Array(6).fill(''),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 || i === 5 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}
