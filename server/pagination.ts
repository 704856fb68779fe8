import { AppError } from './errors.ts';

/**
 * Opaque cursors over a (sort key, id) pair, newest first: pages stay stable while rows are added.
 * `keyset` turns a cursor into the filter that continues after it.
 */
type Cursor = { k: string; id: string };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(key: Date | string, id: string): string {
  return Buffer.from(JSON.stringify({ k: key instanceof Date ? key.toISOString() : key, id })).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof value.k === 'string' && typeof value.id === 'string' && UUID.test(value.id)) return value;
  } catch {
    // fall through
  }
  throw new AppError('BAD_REQUEST', 'Invalid cursor');
}

/** Rows strictly after the cursor in `key desc, id desc` order. */
export function keysetAfter<K extends string>(cursor: string | undefined, key: K, asDate = true) {
  if (!cursor) return {};
  const { k, id } = decodeCursor(cursor);
  const value = asDate ? new Date(k) : k;
  if (value instanceof Date && Number.isNaN(value.getTime())) throw new AppError('BAD_REQUEST', 'Invalid cursor');
  return { $or: [{ [key]: { $lt: value } }, { [key]: value, id: { $lt: id } }] };
}

/** Fetch `limit + 1` rows; this trims the extra one and makes the next cursor from the last kept row. */
export function toPage<T extends { id: string }, D>(rows: T[], limit: number, keyOf: (row: T) => Date | string, toDto: (row: T) => D) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(toDto), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last), last.id) : null };
}
