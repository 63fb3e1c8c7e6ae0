import { describe, expect, it } from 'vitest';
import { importsOf, sqlExports, stringTargets, tablesInFileSql, tablesInSql } from './table-references.js';

const TABLES = new Set(['users', 'user_profiles', 'access_tokens', 'images']);
const file = (text: string, name = 'sample/sample.ts') => ({ name, text });

describe('tablesInSql', () => {
  it.each([
    ['insert into users (email) values (?)', ['users']],
    ['update access_tokens set last_used_at = ?', ['access_tokens']],
    ['DELETE FROM `images` WHERE id = ?', ['images']],
    ['select 1 from "user_profiles" p join users u on u.id = p.user_id', ['user_profiles', 'users']],
    ['SELECT id\n  FROM\n    users', ['users']],
  ])('finds the tables of %j', (sql, tables) => {
    expect(tablesInSql(sql, TABLES)).toEqual(tables);
  });

  it.each([['SELECT 1 FROM other_table'], ['users'], ['SELECT users.id FROM accounts users']])('finds none in %j', (sql) => {
    expect(tablesInSql(sql, TABLES)).toEqual([]);
  });
});

describe('tablesInFileSql', () => {
  it('reads string literals, templates and chains of them, across lines', () => {
    const text = [
      "await tx.query('update users set status = ?', [status]);",
      'const select = `SELECT id',
      '  FROM access_tokens WHERE user_id = ${id}`;',
      "const joined = 'SELECT 1 FROM ' + 'images';",
      "const either = `${flag ? 'delete from user_profiles' : ''}`;",
    ].join('\n');
    expect(tablesInFileSql(file(text), TABLES)).toEqual(['users', 'access_tokens', 'images', 'user_profiles']);
  });

  it('does not take comments or code for SQL', () => {
    const text = ['// delete from users once they are gone', '/* UPDATE images SET */', 'const from = users; update(images);'].join('\n');
    expect(tablesInFileSql(file(text), TABLES)).toEqual([]);
  });
});

describe('stringTargets', () => {
  const NAMES = new Set([...TABLES, 'UserEntity']);

  it('finds tables and entities named by string to query builders and entity managers', () => {
    const text = [
      "await tx.createQueryBuilder().update('users').set({ status }).execute();",
      "const rows = await db.createQueryBuilder().select('p.avatar').from('user_profiles', 'p').getRawMany();",
      "await db.createQueryBuilder().delete().from('images').where('id = :id', { id }).execute();",
      "await db.createQueryBuilder().insert().into('access_tokens').values(row).execute();",
      "const repository = manager.getRepository('UserEntity');",
      "await manager.delete('users', { id });",
    ].join('\n');
    expect(stringTargets(file(text), NAMES)).toEqual(['users', 'user_profiles', 'images', 'access_tokens', 'UserEntity', 'users']);
  });

  it('leaves conditions, aliases of joins, other calls and entity classes alone', () => {
    const text = [
      "query.where('users.id = :id', { id }).leftJoin('t.user', 'u');",
      "logger.log('users');",
      'await tx.update(UserEntity, { id }, { status });',
      'await db.createQueryBuilder().delete().from(rule.entity).execute();',
    ].join('\n');
    expect(stringTargets(file(text), NAMES)).toEqual([]);
  });
});

describe('importsOf', () => {
  it('lists static, re-exported and dynamic imports with the names each takes', () => {
    const text = [
      "import { UserEntity as Account, type Other } from '../users/user.entity.js';",
      "import * as profile from '../profile/avatar-references.js';",
      "import sharp from 'sharp';",
      "export { avatarPointsTo } from '../profile/avatar-references.js';",
      "const { S3ImageStorage } = await import('./s3-image-storage.js');",
    ].join('\n');
    expect(importsOf(file(text))).toEqual([
      { specifier: '../users/user.entity.js', names: ['UserEntity', 'Other'] },
      { specifier: '../profile/avatar-references.js', names: ['*'] },
      { specifier: 'sharp', names: ['default'] },
      { specifier: '../profile/avatar-references.js', names: ['avatarPointsTo'] },
      { specifier: './s3-image-storage.js', names: ['*'] },
    ]);
  });
});

describe('sqlExports', () => {
  const exportsOf = (text: string) => Object.fromEntries(sqlExports(file(text), TABLES));

  it('finds exported constants that hold SQL naming a table, directly, in objects, or through other constants', () => {
    const text = [
      "export const DELETE_USER = 'delete from users where id = ?';",
      'const SELECT_TOKEN = `SELECT t.id FROM access_tokens t JOIN users u ON u.id = t.user_id`;',
      'export const TOKEN_SQL = { sqlite: `${SELECT_TOKEN} WHERE t.hash = CAST(? AS TEXT)`, mysql: `${SELECT_TOKEN} WHERE t.hash = ?` } as const;',
      "const LOCAL = 'update images set name = ?';",
      'export { LOCAL as RENAMED };',
    ].join('\n');
    expect(exportsOf(text)).toEqual({
      DELETE_USER: ['users'],
      TOKEN_SQL: ['access_tokens', 'users'],
      RENAMED: ['images'],
    });
  });

  it('finds exported functions and public members that return SQL naming a table', () => {
    const text = [
      'export function avatarPointsTo(dialect: string, imageName: string): string {',
      "  const pattern = dialect === 'mysql' ? `CONCAT('%', ${imageName}, '%')` : `('%' || ${imageName} || '%')`;",
      '  return `EXISTS (SELECT 1 FROM user_profiles p WHERE p.avatar LIKE ${pattern})`;',
      '}',
      "export const byId = (mysql: boolean) => (mysql ? 'SELECT id FROM users FOR UPDATE' : 'SELECT id FROM users');",
      'export function fragment(): string {',
      "  const sql = 'JOIN images i ON i.user_id = u.id';",
      '  return sql;',
      '}',
      'export class Queries {',
      '  lock(): string { return helper(); }',
      '}',
      "function helper() { return 'update access_tokens set expires_at = 0'; }",
    ].join('\n');
    expect(exportsOf(text)).toEqual({
      avatarPointsTo: ['user_profiles'],
      byId: ['users'],
      fragment: ['images'],
      Queries: ['access_tokens'],
    });
  });

  it('leaves SQL that a module runs itself, keeps private or does not export', () => {
    const text = [
      "export async function remove(db: Db, id: number) { return db.query('DELETE FROM users WHERE id = ?', [id]); }",
      'export class Service {',
      "  async read(id: number) { return (await this.db.query('SELECT * FROM user_profiles WHERE user_id = ?', [id]))[0]; }",
      "  private sql(): string { return 'SELECT 1 FROM images'; }",
      '}',
      "const NOT_EXPORTED = 'SELECT 1 FROM access_tokens';",
      "export const NO_TABLE = 'SELECT 1 FROM elsewhere';",
      "export const MESSAGE = 'Email or token is not correct';",
    ].join('\n');
    expect(exportsOf(text)).toEqual({});
  });
});
