import { InvalidFieldsError } from './api-error.js';

/*
 * The cursor of a paged list: opaque to clients, it encodes the id of the
 * last item of the page before. Pages follow the primary key, so items
 * created or removed meanwhile never make a page repeat or skip another.
 */

const PREFIX = 'id:';
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(lastId: number): string {
  return Buffer.from(`${PREFIX}${lastId}`, 'utf8').toString('base64url');
}

/** The id a cursor carries; 400 naming `cursor` for anything this service did not make. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = /^[A-Za-z0-9_-]{1,32}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^id:(\d{1,15})$/.exec(decoded);
  if (!match || encodeCursor(Number(match[1])) !== cursor) {
    throw new InvalidFieldsError([{ field: 'cursor', message: 'cursor is not valid' }]);
  }
  return Number(match[1]);
}

/** `limit` as given in a query string: 1 to 100, 50 when absent; 400 naming `limit` otherwise. */
export function parsePageSize(limit: string | undefined): number {
  if (limit === undefined || limit === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE_SIZE) {
    throw new InvalidFieldsError([{ field: 'limit', message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return Number(limit);
}

/** The next cursor of a page fetched with one item more than asked: null when that extra item is not there. */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}
