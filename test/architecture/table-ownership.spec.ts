import { describe, expect, it } from 'vitest';
import {
  handedSql,
  type Ownership,
  staleReadOnlyExceptions,
  strayEntityImports,
  straySqlTables,
  strayStringTargets,
  unownedEntities,
} from './table-ownership.js';

// A code base of three modules: users owns users, profile owns user_profiles, images owns images.
const OWNERSHIP: Ownership = { owners: { users: 'users', user_profiles: 'profile', images: 'images' }, readOnly: {} };
const ENTITIES = [
  { name: 'users/user.entity.ts', text: "@Entity({ name: 'users' })\nexport class UserEntity {}" },
  { name: 'profile/profile.entity.ts', text: "@Entity({ name: 'user_profiles' })\nexport class ProfileEntity {}" },
  { name: 'images/image.entity.ts', text: "@Entity({ name: 'images' })\nexport class ImageEntity {}" },
];
const codeBase = (...files: { name: string; text: string }[]) => [...ENTITIES, ...files];

describe('unownedEntities', () => {
  it('finds an entity outside its owner’s folder, and a table without an owner', () => {
    const files = codeBase(
      { name: 'images/profile-copy.entity.ts', text: "@Entity({ name: 'user_profiles' })\nexport class Copy {}" },
      { name: 'images/thumb.entity.ts', text: "@Entity({ name: 'thumbnails' })\nexport class ThumbEntity {}" },
    );
    expect(unownedEntities(files, OWNERSHIP)).toEqual([
      'images/profile-copy.entity.ts declares user_profiles, owned by profile/',
      'images/thumb.entity.ts declares thumbnails, which has no owner',
    ]);
    expect(unownedEntities(codeBase(), OWNERSHIP)).toEqual([]);
  });
});

describe('strayEntityImports', () => {
  it('finds another owner’s entity imported from its file, through a re-export, or under another name', () => {
    const files = codeBase(
      { name: 'users/index.ts', text: "export { UserEntity } from './user.entity.js';" },
      { name: 'images/a.ts', text: "import { UserEntity } from '../users/user.entity.js';" },
      { name: 'images/b.ts', text: "import { UserEntity as Account } from '../users/index.js';" },
      { name: 'images/c.ts', text: "const { ProfileEntity } = await import('../profile/profile.entity.js');" },
    );
    expect(strayEntityImports(files, OWNERSHIP)).toEqual([
      "images/a.ts imports users's entity from users/user.entity.ts (owned by users/)",
      "images/b.ts imports users's entity from users/index.ts (owned by users/)",
      "images/c.ts imports user_profiles's entity from profile/profile.entity.ts (owned by profile/)",
    ]);
  });

  it('lets the owner import its own entity, and a listed read import another’s', () => {
    const files = codeBase(
      { name: 'users/users.service.ts', text: "import { UserEntity } from './user.entity.js';" },
      { name: 'images/reader.ts', text: "import { ProfileEntity } from '../profile/profile.entity.js';" },
    );
    expect(strayEntityImports(files, { ...OWNERSHIP, readOnly: { 'images/reader.ts': { entities: ['user_profiles'] } } })).toEqual([]);
  });
});

describe('straySqlTables', () => {
  it('finds another owner’s table in SQL, in any case', () => {
    const files = codeBase(
      { name: 'images/a.ts', text: "await tx.query('insert into users (email) values (?)', [email]);" },
      { name: 'images/b.ts', text: 'await tx.query(`update user_profiles\n  set avatar = ?`, [url]);' },
    );
    expect(straySqlTables(files, OWNERSHIP)).toEqual([
      'images/a.ts names users in SQL (owned by users/)',
      'images/b.ts names user_profiles in SQL (owned by profile/)',
    ]);
  });

  it('lets the owner name its table, a listed read name another’s, and migrations name any', () => {
    const files = codeBase(
      { name: 'users/users.service.ts', text: "await tx.query('update users set status = ?', [status]);" },
      { name: 'images/reader.ts', text: "await db.query('SELECT avatar FROM user_profiles WHERE user_id = ?', [id]);" },
      { name: 'database/migrations/1-init.ts', text: "await runner.query('CREATE TABLE users (id int)');" },
    );
    expect(straySqlTables(files, { ...OWNERSHIP, readOnly: { 'images/reader.ts': { tables: ['user_profiles'] } } })).toEqual([]);
  });
});

describe('strayStringTargets', () => {
  it('finds another owner’s table or entity named by string to a query', () => {
    const files = codeBase(
      { name: 'images/a.ts', text: "await tx.createQueryBuilder().update('users').set({ status }).execute();" },
      { name: 'images/b.ts', text: "await db.createQueryBuilder().delete().from('ProfileEntity').execute();" },
    );
    expect(strayStringTargets(files, OWNERSHIP)).toEqual([
      "images/a.ts names 'users' to a query (users, owned by users/)",
      "images/b.ts names 'ProfileEntity' to a query (user_profiles, owned by profile/)",
    ]);
  });

  it('lets the owner name its own table', () => {
    const files = codeBase({ name: 'images/images.service.ts', text: "await db.createQueryBuilder().delete().from('images').execute();" });
    expect(strayStringTargets(files, OWNERSHIP)).toEqual([]);
  });
});

describe('handedSql', () => {
  const lender = {
    name: 'profile/avatar-references.ts',
    text: 'export function avatarPointsTo(name: string): string {\n  return `EXISTS (SELECT 1 FROM user_profiles p WHERE p.avatar LIKE ${name})`;\n}',
  };

  it('finds SQL a module exports imported by another module, by name, whole or dynamically', () => {
    const files = codeBase(
      lender,
      { name: 'images/a.ts', text: "import { avatarPointsTo } from '../profile/avatar-references.js';" },
      { name: 'images/b.ts', text: "import * as references from '../profile/avatar-references.js';" },
      { name: 'images/c.ts', text: "const { avatarPointsTo } = await import('../profile/avatar-references.js');" },
    );
    expect(handedSql(files, OWNERSHIP)).toEqual([
      'images/a.ts imports avatarPointsTo from profile/avatar-references.ts: SQL naming user_profiles',
      'images/b.ts imports avatarPointsTo from profile/avatar-references.ts: SQL naming user_profiles',
      'images/c.ts imports avatarPointsTo from profile/avatar-references.ts: SQL naming user_profiles',
    ]);
  });

  it('lets a module use its own SQL, and others import what holds none', () => {
    const files = codeBase(
      lender,
      { name: 'profile/profile.service.ts', text: "import { avatarPointsTo } from './avatar-references.js';" },
      { name: 'profile/fields.ts', text: "export const EMPTY = { avatar: '' };" },
      { name: 'images/a.ts', text: "import { EMPTY } from '../profile/fields.js';" },
    );
    expect(handedSql(files, OWNERSHIP)).toEqual([]);
  });
});

describe('staleReadOnlyExceptions', () => {
  const readOnly = { 'images/reader.ts': { tables: ['user_profiles'] } };

  it('finds a listed read that is gone or that writes', () => {
    const gone = codeBase({ name: 'images/reader.ts', text: "await db.query('SELECT 1 FROM images');" });
    const writes = codeBase({ name: 'images/reader.ts', text: "await db.query('update user_profiles set avatar = null');" });
    expect(staleReadOnlyExceptions(gone, { ...OWNERSHIP, readOnly })).toEqual(['images/reader.ts no longer names user_profiles']);
    expect(staleReadOnlyExceptions(writes, { ...OWNERSHIP, readOnly })).toEqual(['images/reader.ts writes']);
    expect(staleReadOnlyExceptions(codeBase(), { ...OWNERSHIP, readOnly })).toEqual(['images/reader.ts is listed but does not exist']);
  });

  it('accepts a listed read that still reads', () => {
    const files = codeBase({ name: 'images/reader.ts', text: "await db.query('SELECT avatar FROM user_profiles');" });
    expect(staleReadOnlyExceptions(files, { ...OWNERSHIP, readOnly })).toEqual([]);
  });
});
