import type { SigningKeys } from './signing-keys.service.js';
import { PUBLISH_LEAD_MS } from './key-set.js';

export const SIGNING_KEYS_USAGE = `usage:
  signing-keys list     every key: kid, algorithm, generation, state, when it signs
  signing-keys rotate   a new RS256 and ES256 key: published now, signing ${PUBLISH_LEAD_MS / 60_000} minutes later,
                        the old ones published until the last token they signed has expired`;

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `signing-keys list|rotate`; answers the exit status: 0 done, 2 usage. */
export async function runSigningKeysCommand(args: string[], keys: SigningKeys, { out, err }: Output): Promise<number> {
  const [command, ...rest] = args;
  if ((command !== 'list' && command !== 'rotate') || rest.length > 0) {
    err(`signing-keys: ${command ? `unknown command: signing-keys ${args.join(' ')}` : 'a command is required'}\n${SIGNING_KEYS_USAGE}`);
    return 2;
  }
  const listing = command === 'rotate' ? await keys.rotate() : await keys.list();
  if (command === 'rotate') {
    err(
      `New keys published; every instance picks them up within a minute and signs with them from ${new Date(Date.now() + PUBLISH_LEAD_MS).toISOString()}.`,
    );
  }
  out(['kid', 'alg', 'generation', 'state', 'signs_from'].join('\t'));
  for (const key of listing) out([key.kid, key.alg, key.generation, key.state, new Date(key.activatesAt).toISOString()].join('\t'));
  return 0;
}
