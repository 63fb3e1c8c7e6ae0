// How the figures of a run are set against each other.

/**
 * a / b taken round by round, then the median: a slowdown of the whole
 * machine during one round falls on both sides of that round's ratio, and
 * one disturbed round does not move the median.
 */
export function pairedRatio(a, b) {
  return median(a.perRound.map((rate, round) => rate / b.perRound[round]));
}

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The ratios results.json and the chart publish: the token check's round by round (pairedRatio), the others over whole runs. */
export function ratiosOf({ L1, scenarios: s }, L2) {
  return {
    S1_L0: pairedRatio(s.S1, s.L0),
    S1_L1: pairedRatio(s.S1, L1),
    S1_p99_L1: s.S1.p99 / Math.max(L1.p99, 1),
    // What request lines cost the token check: S1 at info against its twin at warn.
    S1_warn: pairedRatio(s.S1, s.S1warn),
    // What a scrape a second costs it.
    S1scraped_S1: pairedRatio(s.S1scraped, s.S1),
    S3_L2: s.S3 ? s.S3.requests / L2.requests : undefined,
  };
}
