// Writes the OpenAPI document the service publishes at /one_auth/docs-json to
// a file, for the linter and the client generator. It builds the compiled app
// (run `npm run build` first) on a throwaway SQLite database and never listens.
// Usage: node scripts/openapi-document.mjs [out-file]  (default dist/openapi.json)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'dist/openapi.json');
const dataDir = mkdtempSync(join(tmpdir(), 'one_auth-openapi-'));
// Only the document is wanted: no database, mail server or secret of the environment.
for (const name of ['DATABASE_URL', 'SMTP_URL', 'SECRET', 'NODE_ENV']) delete process.env[name];
Object.assign(process.env, { DATA_DIR: dataDir, LOG_LEVEL: 'error' });

const { createApp } = await import('../dist/app.setup.js');
const { configAtStart } = await import('../dist/config/config-at-start.js');
const { publishedOpenApiDocument } = await import('../dist/swagger.js');

const app = await createApp(configAtStart(process.env));
try {
  writeFileSync(out, `${JSON.stringify(publishedOpenApiDocument(app), null, 2)}\n`);
  console.log(`OpenAPI document written to ${out}`);
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
