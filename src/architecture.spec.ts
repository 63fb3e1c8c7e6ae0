import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  handedSql,
  staleReadOnlyExceptions,
  strayEntityImports,
  straySqlTables,
  strayStringTargets,
  unownedEntities,
} from '../test/architecture/table-ownership.js';

/**
 * Who owns each table: the one folder (Nest module) whose service writes it.
 * Everyone else calls that service. `database` owns the schema's own
 * bookkeeping (migrations, the migration lock).
 */
const OWNERS: Record<string, string> = {
  users: 'users',
  user_profiles: 'profile',
  validation_codes: 'codes',
  access_tokens: 'auth',
  images: 'images',
  security_events: 'security-events',
  rate_events: 'rate-limit',
  rate_buckets: 'rate-limit',
  mail_outbox: 'mail',
  webhook_deliveries: 'webhooks',
  api_keys: 'api-keys',
  admin_audit: 'admin-audit',
  passkeys: 'passkeys',
  passkey_challenges: 'passkeys',
  totp_factors: 'second-factor',
  recovery_codes: 'second-factor',
  pending_logins: 'second-factor',
  sign_in_providers: 'sign-in-providers',
  identities: 'identities',
  social_sign_ins: 'social-sign-in',
  login_codes: 'social-sign-in',
  oidc_records: 'oidc',
  oidc_signing_keys: 'oidc',
  oidc_logout_deliveries: 'oidc',
  oidc_clients: 'oidc-clients',
  migration_lock: 'database',
};

/** Files allowed to name another module's table, each with why it reads (never writes) it. */
const READ_ONLY_EXCEPTIONS: Record<string, { entities?: string[]; tables?: string[]; why: string }> = {
  'database/database.options.ts': {
    entities: Object.keys(OWNERS).filter((table) => table !== 'migration_lock'),
    why: 'TypeORM must be handed every entity class to map them; the options themselves query nothing',
  },
  'auth/token-lookup.ts': {
    tables: ['users', 'user_profiles'],
    why: 'the token check on every request reads token, account and profile in one indexed query, a read only',
  },
  'oidc/account-lookup.ts': {
    tables: ['users', 'user_profiles'],
    why: "the provider's findAccount (every userinfo, refresh and code exchange) reads account and profile in one indexed query, a read only",
  },
};

const SRC = import.meta.dirname;

function sourceFiles(folder = SRC): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

// The rules themselves, and fixtures that show each can fail: test/architecture/.
const files = sourceFiles().map((path) => ({ name: relative(SRC, path), text: readFileSync(path, 'utf8') }));
const ownership = { owners: OWNERS, readOnly: READ_ONLY_EXCEPTIONS };

describe('one owner per table', () => {
  it('knows the owner of every table an entity declares, and keeps the entity in its owner’s folder', () => {
    expect(files.filter((file) => file.name.endsWith('.entity.ts')).length).toBeGreaterThan(0);
    expect(unownedEntities(files, ownership)).toEqual([]);
  });

  it('lets no module but the owner import a table’s entity', () => {
    expect(strayEntityImports(files, ownership)).toEqual([]);
  });

  it('lets no module but the owner name a table in SQL, in any case, bar the reads listed', () => {
    expect(straySqlTables(files, ownership)).toEqual([]);
  });

  it('lets no module hand a query builder or entity manager another owner’s table by name', () => {
    expect(strayStringTargets(files, ownership)).toEqual([]);
  });

  it('lets no module run SQL text another module hands it', () => {
    expect(handedSql(files, ownership)).toEqual([]);
  });

  it('lists as exceptions only reads that are still there', () => {
    expect(staleReadOnlyExceptions(files, ownership)).toEqual([]);
  });
});
