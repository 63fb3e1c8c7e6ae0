import type { IncomingMessage } from 'node:http';

/**
 * How the token check answered ahead of the platform ended when it left
 * the request to the platform after all: the token was refused, or an error
 * came while checking or answering. The token strategy takes it from there
 * (a refusal is a 401, an error goes to the exception filter) instead of
 * looking the token up a second time.
 */
export type TokenCheckOutcome = { refused: true } | { error: unknown };

export const TOKEN_REFUSED: TokenCheckOutcome = { refused: true };

// Keyed by Node's request object, which Express hands on as its own request: nothing a client sends can set an entry.
const outcomes = new WeakMap<IncomingMessage, TokenCheckOutcome>();

export function carryTokenCheckOutcome(request: IncomingMessage, outcome: TokenCheckOutcome): void {
  outcomes.set(request, outcome);
}

export function tokenCheckOutcomeOf(request: IncomingMessage): TokenCheckOutcome | undefined {
  return outcomes.get(request);
}
