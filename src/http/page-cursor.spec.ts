import { describe, expect, it } from 'vitest';
import { InvalidFieldsError } from './api-error.js';
import { decodeCursor, encodeCursor, pageOf, parsePageSize } from './page-cursor.js';

describe('page cursors', () => {
  it('carry the last id, opaquely, and come back as it', () => {
    const cursor = encodeCursor(42);
    expect(cursor).not.toContain('42');
    expect(decodeCursor(cursor)).toBe(42);
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor('')).toBeUndefined();
  });

  it('refuse anything the service did not make, naming the field', () => {
    for (const forged of [
      '42',
      'not a cursor',
      Buffer.from('id:-1').toString('base64url'),
      Buffer.from('id:1e3').toString('base64url'),
      `${encodeCursor(7)}=`,
    ]) {
      expect(() => decodeCursor(forged), forged).toThrow(InvalidFieldsError);
    }
    try {
      decodeCursor('x');
    } catch (error) {
      expect((error as InvalidFieldsError).getResponse()).toEqual({
        message: 'cursor is not valid',
        errors: [{ field: 'cursor', message: 'cursor is not valid' }],
      });
    }
  });

  it('take a page size of 1 to 100, 50 when absent', () => {
    expect(parsePageSize(undefined)).toBe(50);
    expect(parsePageSize('1')).toBe(1);
    expect(parsePageSize('100')).toBe(100);
    for (const bad of ['0', '101', '-5', '5.5', 'ten', '1000']) expect(() => parsePageSize(bad), bad).toThrow(InvalidFieldsError);
  });

  it('give a next cursor only when a row beyond the page was found', () => {
    const rows = [{ id: 3 }, { id: 5 }, { id: 9 }];
    expect(pageOf(rows, 2)).toEqual({ items: [{ id: 3 }, { id: 5 }], nextCursor: encodeCursor(5) });
    expect(pageOf(rows, 3)).toEqual({ items: rows, nextCursor: null });
  });
});
