import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_REPORT_DIR } from './contract.js';

/*
 * Vitest global setup of the e2e project: after all suites, prints which
 * declared statuses of each operation the checked responses covered. The
 * checks themselves fail the suites (test/helpers/contract.ts); this only
 * shows how much of the document they exercised.
 */

export function setup(): void {
  rmSync(CONTRACT_REPORT_DIR, { recursive: true, force: true });
}

export function teardown(): void {
  const declaredFile = join(CONTRACT_REPORT_DIR, 'declared.txt');
  if (!existsSync(declaredFile)) return;
  const lines = (file: string) => readFileSync(join(CONTRACT_REPORT_DIR, file), 'utf8').split('\n').filter(Boolean);
  const declared = lines('declared.txt');
  const seen = readdirSync(CONTRACT_REPORT_DIR)
    .filter((file) => file.startsWith('seen-'))
    .flatMap(lines);
  const counts = new Map<string, number>();
  for (const entry of seen) counts.set(entry, (counts.get(entry) ?? 0) + 1);

  const byOperation = new Map<string, string[]>();
  for (const entry of declared) {
    const at = entry.lastIndexOf(' ');
    const [operation, status] = [entry.slice(0, at), entry.slice(at + 1)];
    const mark = counts.has(entry) ? `${status}×${counts.get(entry)}` : `(${status})`;
    byOperation.set(operation, [...(byOperation.get(operation) ?? []), mark]);
  }
  const covered = declared.filter((entry) => counts.has(entry)).length;
  const checkMs = lines('check-ms.txt').reduce((sum, ms) => sum + Number(ms), 0);
  const width = Math.max(...[...byOperation.keys()].map((operation) => operation.length));
  const report = [
    `OpenAPI contract: ${seen.length} responses checked against the published document; ` +
      `${covered} of ${declared.length} declared operation × status pairs seen ((status) = declared, not seen); checking took ${checkMs} ms`,
    ...[...byOperation].map(([operation, marks]) => `  ${operation.padEnd(width)}  ${marks.join(' ')}`),
    `  ${'(no operation: 404)'.padEnd(width)}  ${counts.get('(no operation) 404') ?? 0}`,
  ].join('\n');
  writeFileSync(join(CONTRACT_REPORT_DIR, 'summary.txt'), `${report}\n`);
  console.log(`\n${report}\n`);
}
