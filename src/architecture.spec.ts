import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

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
};

const SRC = import.meta.dirname;

function sourceFiles(folder = SRC): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const files = sourceFiles().map((path) => ({ path, name: relative(SRC, path), text: readFileSync(path, 'utf8') }));
const folderOf = (name: string) => name.split('/')[0];

/** The table each entity file declares, by its `@Entity({ name })`. */
const entityTables = new Map(
  files
    .filter((file) => file.name.endsWith('.entity.ts'))
    .map((file) => [file.name, /@Entity\(\{\s*name:\s*'(\w+)'/.exec(file.text)?.[1] ?? '(none)']),
);

/** Relative imports of a file, resolved to source names (`users/user.entity.ts`). */
function importsOf(file: { path: string; text: string }): string[] {
  return [...file.text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map(([, specifier]) =>
    relative(SRC, resolve(dirname(file.path), specifier)).replace(/\.js$/, '.ts'),
  );
}

/** Tables a file's SQL names after FROM, JOIN, INTO or UPDATE (statements written as text). */
function tablesInSql(text: string): string[] {
  return [...text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+[`"]?(\w+)/g)].map(([, table]) => table).filter((table) => table in OWNERS);
}

describe('one owner per table', () => {
  it('knows the owner of every table an entity declares, and keeps the entity in its owner’s folder', () => {
    expect(entityTables.size).toBeGreaterThan(0);
    for (const [name, table] of entityTables) {
      expect(OWNERS[table], `${name} declares ${table}, which has no owner here`).toBeDefined();
      expect(folderOf(name), `${name} declares ${table}`).toBe(OWNERS[table]);
    }
  });

  it('lets no module but the owner import a table’s entity', () => {
    const strays: string[] = [];
    for (const file of files) {
      for (const target of importsOf(file)) {
        const table = entityTables.get(target);
        if (!table || folderOf(file.name) === OWNERS[table]) continue;
        if (READ_ONLY_EXCEPTIONS[file.name]?.entities?.includes(table)) continue;
        strays.push(`${file.name} imports ${target} (${table}, owned by ${OWNERS[table]}/)`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('lets no module but the owner name a table in SQL, bar the reads listed', () => {
    const strays: string[] = [];
    for (const file of files) {
      if (file.name.startsWith('database/migrations/')) continue;
      for (const table of tablesInSql(file.text)) {
        if (folderOf(file.name) === OWNERS[table]) continue;
        if (READ_ONLY_EXCEPTIONS[file.name]?.tables?.includes(table)) continue;
        strays.push(`${file.name} names ${table} (owned by ${OWNERS[table]}/)`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('lists as exceptions only reads that are still there', () => {
    for (const [name, exception] of Object.entries(READ_ONLY_EXCEPTIONS)) {
      const file = files.find((candidate) => candidate.name === name);
      expect(file, name).toBeDefined();
      const named = new Set([...importsOf(file!).map((target) => entityTables.get(target)), ...tablesInSql(file!.text)]);
      for (const table of [...(exception.entities ?? []), ...(exception.tables ?? [])])
        expect(named.has(table), `${name}: ${table}`).toBe(true);
      // A listed read must stay a read.
      expect(/\b(?:INSERT|UPDATE|DELETE)\b|\.(?:insert|update|delete|upsert|save|remove)\(/.test(file!.text), name).toBe(false);
    }
  });
});
