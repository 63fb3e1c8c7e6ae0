import { posix } from 'node:path';
import { importsOf, literalTexts, type SourceText, sqlExports, stringTargets, tablesInFileSql } from './table-references.js';

/*
 * The rules that give every table one owner: the one folder (Nest module)
 * whose service writes it; everyone else calls that service. Each rule
 * answers its strays, one sentence each, for a code base given as files
 * named relative to the source root.
 */

export interface Ownership {
  /** Table → the folder that owns it. */
  owners: Record<string, string>;
  /** File → the other modules' tables (by entity or in SQL) it may name, because it only reads them. */
  readOnly: Record<string, { entities?: string[]; tables?: string[] }>;
}

interface EntityFile {
  table: string;
  className: string;
}

const folderOf = (name: string) => name.split('/')[0];

/** The table and class each entity file declares, by its `@Entity({ name })` and its exported class. */
export function entitiesOf(files: SourceText[]): Map<string, EntityFile> {
  return new Map(
    files
      .filter((file) => file.name.endsWith('.entity.ts'))
      .map((file) => [
        file.name,
        {
          table: /@Entity\(\{\s*name:\s*'(\w+)'/.exec(file.text)?.[1] ?? '(none)',
          className: /export class (\w+)/.exec(file.text)?.[1] ?? '(none)',
        },
      ]),
  );
}

/** A relative import's target as a source name (`users/user.entity.ts`); undefined for a package. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

export function unownedEntities(files: SourceText[], { owners }: Ownership): string[] {
  return [...entitiesOf(files)].flatMap(([name, { table }]) => {
    if (!(table in owners)) return [`${name} declares ${table}, which has no owner`];
    return folderOf(name) === owners[table] ? [] : [`${name} declares ${table}, owned by ${owners[table]}/`];
  });
}

/** Imports of another owner's entity: of its file, or of its class by name through any file (a re-export, an alias). */
export function strayEntityImports(files: SourceText[], { owners, readOnly }: Ownership): string[] {
  const entities = entitiesOf(files);
  const tableOfClass = new Map([...entities.values()].map(({ table, className }) => [className, table]));
  const strays: string[] = [];
  for (const file of files) {
    for (const { specifier, names } of importsOf(file)) {
      const target = resolveImport(file.name, specifier);
      if (!target) continue;
      const tables = new Set([entities.get(target)?.table, ...names.map((name) => tableOfClass.get(name))]);
      for (const table of tables) {
        if (!table || folderOf(file.name) === owners[table]) continue;
        if (readOnly[file.name]?.entities?.includes(table)) continue;
        strays.push(`${file.name} imports ${table}'s entity from ${target} (owned by ${owners[table]}/)`);
      }
    }
  }
  return strays;
}

/** Tables named in SQL text, in any case, by a module that does not own them, bar the reads listed. */
export function straySqlTables(files: SourceText[], { owners, readOnly }: Ownership): string[] {
  const tables = new Set(Object.keys(owners));
  const strays: string[] = [];
  for (const file of files) {
    if (file.name.startsWith('database/migrations/')) continue;
    for (const table of new Set(tablesInFileSql(file, tables))) {
      if (folderOf(file.name) === owners[table]) continue;
      if (readOnly[file.name]?.tables?.includes(table)) continue;
      strays.push(`${file.name} names ${table} in SQL (owned by ${owners[table]}/)`);
    }
  }
  return strays;
}

/** Query builders and entity managers handed another owner's table or entity by a string (`.from('users')`). */
export function strayStringTargets(files: SourceText[], ownership: Ownership): string[] {
  const { owners, readOnly } = ownership;
  const tableOf = new Map(Object.keys(owners).map((table) => [table, table]));
  for (const { table, className } of entitiesOf(files).values()) tableOf.set(className, table);
  const strays: string[] = [];
  for (const file of files) {
    for (const target of new Set(stringTargets(file, new Set(tableOf.keys())))) {
      const table = tableOf.get(target)!;
      if (folderOf(file.name) === owners[table]) continue;
      const allowed = readOnly[file.name];
      if (allowed?.tables?.includes(table) || allowed?.entities?.includes(table)) continue;
      strays.push(`${file.name} names '${target}' to a query (${table}, owned by ${owners[table]}/)`);
    }
  }
  return strays;
}

/**
 * SQL one module hands another to run: a name a file exports whose value
 * is SQL naming a table (sqlExports), imported by a file of another folder.
 * The module that owns SQL runs it, and answers what others need through
 * its service.
 */
export function handedSql(files: SourceText[], { owners }: Ownership): string[] {
  const tables = new Set(Object.keys(owners));
  const exportsOf = new Map(files.map((file) => [file.name, sqlExports(file, tables)]));
  const strays: string[] = [];
  for (const file of files) {
    for (const { specifier, names } of importsOf(file)) {
      const target = resolveImport(file.name, specifier);
      const exported = target === undefined ? undefined : exportsOf.get(target);
      if (!exported || folderOf(target!) === folderOf(file.name)) continue;
      for (const [name, named] of exported) {
        if (names.includes(name) || names.includes('*')) {
          strays.push(`${file.name} imports ${name} from ${target}: SQL naming ${named.join(', ')}`);
        }
      }
    }
  }
  return strays;
}

/** Listed reads that are gone, or that write. */
export function staleReadOnlyExceptions(files: SourceText[], ownership: Ownership): string[] {
  const { owners, readOnly } = ownership;
  const entities = entitiesOf(files);
  const tables = new Set(Object.keys(owners));
  const stale: string[] = [];
  for (const [name, exception] of Object.entries(readOnly)) {
    const file = files.find((candidate) => candidate.name === name);
    if (!file) {
      stale.push(`${name} is listed but does not exist`);
      continue;
    }
    const imported = importsOf(file).map(({ specifier }) => entities.get(resolveImport(name, specifier) ?? '')?.table);
    const named = new Set([...imported, ...tablesInFileSql(file, tables)]);
    for (const table of [...(exception.entities ?? []), ...(exception.tables ?? [])]) {
      if (!named.has(table)) stale.push(`${name} no longer names ${table}`);
    }
    // A listed read must stay a read: no writing statement in its SQL, no writing call in its code.
    const writes = literalTexts(file).some((text) => /\b(?:insert|update|delete|replace|upsert|merge|truncate)\b/i.test(text));
    if (writes || /\.(?:insert|update|delete|upsert|save|remove|softDelete|increment|decrement)\(/.test(file.text)) {
      stale.push(`${name} writes`);
    }
  }
  return stale;
}
