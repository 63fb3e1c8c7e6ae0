import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';

/** The login pages' static files: one stylesheet, the pages' icon, the passkey script and the WebAuthn library it calls. */
interface Asset {
  type: string;
  body: Buffer;
}

function load(): Map<string, Asset> {
  const own = (name: string) => readFileSync(join(import.meta.dirname, 'assets', name));
  // The package exports its modules only; its browser bundle sits beside them.
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  const webauthn = join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js');
  return new Map([
    ['login.css', { type: 'text/css; charset=utf-8', body: own('login.css') }],
    ['icon.svg', { type: 'image/svg+xml', body: own('icon.svg') }],
    ['passkey.js', { type: 'text/javascript; charset=utf-8', body: own('passkey.js') }],
    ['webauthn.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(webauthn) }],
  ]);
}

let assets: Map<string, Asset> | undefined;

/** Answers `…/assets/<name>`; false when there is no such file. Read once, kept in memory. */
export function serveAsset(name: string, response: ServerResponse): boolean {
  assets ??= load();
  const asset = assets.get(name);
  if (!asset) return false;
  response.statusCode = 200;
  response.setHeader('Content-Type', asset.type);
  response.setHeader('Content-Length', asset.body.length);
  // Revalidated hourly: a new release's stylesheet is picked up the same day, without names that change.
  response.setHeader('Cache-Control', 'public, max-age=3600');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.end(asset.body);
  return true;
}
