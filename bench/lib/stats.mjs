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

/** What the OpenID Provider's scenarios must reach on the project's 2-core machine, in requests per second. */
export const OIDC_GOALS = { O1: 500, O2: 3000 };

/** Keycloak's sizing guide plans this many refresh-token requests per second per vCPU: what O1 is also set against. */
export const KEYCLOAK_REFRESHES_PER_VCPU = 120;

/** The ratios results.json and the chart publish: the token check's round by round (pairedRatio), the others over whole runs. */
export function ratiosOf({ L1, scenarios: s }, L2, cores) {
  return {
    S1_L0: pairedRatio(s.S1, s.L0),
    S1_L1: pairedRatio(s.S1, L1),
    S1_p99_L1: s.S1.p99 / Math.max(L1.p99, 1),
    // What request lines cost the token check: S1 at info against its twin at warn.
    S1_warn: pairedRatio(s.S1, s.S1warn),
    // What a scrape a second costs it.
    S1scraped_S1: pairedRatio(s.S1scraped, s.S1),
    S3_L2: s.S3 ? s.S3.requests / L2.requests : undefined,
    // The provider: refreshes and userinfo against their goals, refreshes against Keycloak's plan for this many
    // vCPUs, userinfo against the API's own token check, a sign-in by session (O3) against one by password (S3).
    O1_goal: s.O1 ? s.O1.requests / OIDC_GOALS.O1 : undefined,
    O1_keycloak: s.O1 ? s.O1.requests / (KEYCLOAK_REFRESHES_PER_VCPU * cores) : undefined,
    O2_goal: s.O2 ? s.O2.requests / OIDC_GOALS.O2 : undefined,
    O2_S1: s.O2 ? s.O2.requests / s.S1.requests : undefined,
    O3_S3: s.O3 && s.S3 ? s.O3.requests / s.S3.requests : undefined,
  };
}
