#!/usr/bin/env node
// Refuses to go on under a Node.js outside package.json's `engines`, saying why
// and what to do. npm scripts run on the Node pinned in node_modules/.bin (the
// optional `node-linux-*` dependencies); where that binary could not be
// installed (another platform, or an install that omitted it), the scripts
// would otherwise run on whatever `node` is on PATH and fail later, obscurely.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const wanted = pkg.engines.node;

if (!semver.satisfies(process.version, wanted)) {
  const pinned = Object.entries(pkg.optionalDependencies ?? {})
    .filter(([name]) => name.startsWith('node-'))
    .map(([name, version]) => `${name}@${version}`)
    .join(', ');
  console.error(
    [
      `one_auth: Node.js ${process.version} (${process.execPath}) is not supported; package.json engines: "${wanted}".`,
      `npm scripts run on the Node that \`npm ci\` installs into node_modules/.bin (${pinned}), and it is not there.`,
      'On Linux x64 or arm64 (glibc), run `npm ci` again; elsewhere, put Node.js 22.14+, 24 or 26 first on PATH',
      '(.nvmrc names the recommended line) and run `npm ci` with it.',
    ].join('\n'),
  );
  process.exit(1);
}
