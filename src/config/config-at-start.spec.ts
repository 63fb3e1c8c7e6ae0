import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configAtStart } from './config-at-start.js';
import { parseConfig } from './parse-config.js';

/** A DATA_DIR no start has used yet: it does not exist. */
const freshDataDir = () => join(mkdtempSync(join(tmpdir(), 'one_auth-start-')), 'data');

describe('configAtStart', () => {
  it('leaves writing the secret file to the start: a parse writes nothing', () => {
    const dir = freshDataDir();
    expect(() => parseConfig({ DATA_DIR: dir })).toThrow(/^SECRET is not set and there is no .*secret: set SECRET/);
    expect(existsSync(dir)).toBe(false);
  });

  it('writes a secret into DATA_DIR at the first start, readable by its owner only, and parses it', () => {
    const dir = freshDataDir();
    const config = configAtStart({ DATA_DIR: dir });
    const file = join(dir, 'secret');
    expect(config.secret).toMatch(/^[\w-]{43}$/);
    expect(readFileSync(file, 'utf8')).toBe(config.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseConfig({ DATA_DIR: dir }).secret).toBe(config.secret);
  });

  it('reads the same secret at the next start, and leaves the file as it was', () => {
    const dir = freshDataDir();
    const first = configAtStart({ DATA_DIR: dir }).secret;
    const written = statSync(join(dir, 'secret')).mtimeMs;
    expect(configAtStart({ DATA_DIR: dir }).secret).toBe(first);
    expect(statSync(join(dir, 'secret')).mtimeMs).toBe(written);
  });

  it('keeps a secret another instance sharing DATA_DIR wrote first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'one_auth-start-'));
    writeFileSync(join(dir, 'secret'), 'theirs, at least thirty-two characters long\n');
    expect(configAtStart({ DATA_DIR: dir }).secret).toBe('theirs, at least thirty-two characters long');
  });

  it('writes no file when SECRET is set', () => {
    const dir = freshDataDir();
    expect(configAtStart({ DATA_DIR: dir, SECRET: 'x'.repeat(32) }).secret).toBe('x'.repeat(32));
    expect(existsSync(dir)).toBe(false);
  });

  it('requires SECRET in production, and writes no file', () => {
    const dir = freshDataDir();
    expect(() => configAtStart({ DATA_DIR: dir, NODE_ENV: 'production' })).toThrow(/^SECRET is required when NODE_ENV=production/);
    expect(existsSync(dir)).toBe(false);
  });
});
