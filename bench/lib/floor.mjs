// The regression guard of the token check, which CI runs (npm run bench -- --quick).

/**
 * A run fails when the token check answers less than this share of L1's
 * requests per second in the same run (L1: node:http doing the same check
 * on the same database; since the token check is answered ahead of the
 * platform, L1 is what it approaches). On this project's 2-core machine
 * S1/L1 measured about 0.40 with the token check behind the platform (code
 * of d894751; 0.37-0.47 on the Fastify platform since retired), below 0.30
 * with the code of a4d744c, and 0.68-0.76 since: the floor sits where the
 * slow builds never reached and the fast one never fell; a token check that
 * gets 1.6 times slower reaches it (with a 50 µs busy-wait in the check:
 * 26 %). (Against L0, the framework's floor, the answer ahead of Express
 * now passes L0 itself: a 2.5x loss would still have passed a floor set on
 * L0.)
 */
export const TOKEN_CHECK_FLOOR = 0.45;

const percent = (share) => (Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '-');

/**
 * The verdict on the token check's share of L1: a line to print, and a
 * failure when it is below the floor. Set for SQLite, which CI runs: on
 * MySQL the database's round trip sets S1's pace, so there it only reports.
 */
export function tokenCheckVerdict(ratios, { databaseUrl }) {
  const share = ratios.S1_L1;
  if (databaseUrl) return { line: `token check at ${percent(share)} of L1 (the floor applies to SQLite runs)` };
  const passes = share >= TOKEN_CHECK_FLOOR;
  return {
    line: `token check at ${percent(share)} of L1, floor ${percent(TOKEN_CHECK_FLOOR)}: ${passes ? 'passes' : 'FAILS'}`,
    failure: passes ? undefined : `S1: ${percent(share)} of L1, below the floor of ${percent(TOKEN_CHECK_FLOOR)}`,
  };
}
