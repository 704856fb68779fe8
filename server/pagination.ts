import { text } from '../shared/schemas/common.ts';
import { AppError } from './errors.ts';

/**
 * Keyset pagination. A list is sorted by one or more keys and then by id, so the order is total; the
 * opaque cursor holds the last row's key values and id, and the next page starts strictly after them.
 * Pages therefore stay stable while rows are added.
 */
export type SortKey = { field: string; dir: 'asc' | 'desc'; date?: boolean };
type Cursor = { v: string[]; id: string };
type Row = { id: string } & Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalidCursor = () => new AppError('BAD_REQUEST', 'Invalid cursor');
/** A cursor is input a caller can forge: its keys must be what the database can compare (text it holds, years 1 to 9999). */
const plainText = text();
const inDatabaseYears = (d: Date) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999;

export const newestFirst = (field: string): SortKey[] => [{ field, dir: 'desc', date: true }];

export function decodeCursor(cursor: string, sort: SortKey[]): unknown[] & { id?: string } {
  let value: Cursor;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(value?.v) || value.v.length !== sort.length || typeof value.id !== 'string' || !UUID.test(value.id)) throw invalidCursor();
  const values = value.v.map((v, i) => {
    if (typeof v !== 'string' || !plainText.safeParse(v).success) throw invalidCursor();
    if (!sort[i]!.date) return v;
    const date = new Date(v);
    if (Number.isNaN(date.getTime()) || !inDatabaseYears(date)) throw invalidCursor();
    return date;
  });
  return Object.assign(values, { id: value.id });
}

/** The `where` that continues after `cursor`, and the matching `orderBy`. */
export function keyset(cursor: string | undefined, sort: SortKey[]) {
  const dirOfId = sort.at(-1)!.dir;
  const orderBy = Object.fromEntries([...sort.map((k) => [k.field, k.dir]), ['id', dirOfId]]) as Record<string, 'asc' | 'desc'>;
  if (!cursor) return { where: {}, orderBy };
  const values = decodeCursor(cursor, sort);
  const keys = [...sort, { field: 'id', dir: dirOfId }];
  const all = [...values, values.id];
  // (k1 > v1) or (k1 = v1 and k2 > v2) or … with > or < by each key's direction.
  const $or = keys.map((key, i) => ({
    ...Object.fromEntries(keys.slice(0, i).map((k, j) => [k.field, all[j]])),
    [key.field]: { [key.dir === 'asc' ? '$gt' : '$lt']: all[i] },
  }));
  return { where: { $or }, orderBy };
}

/** Fetch `limit + 1` rows; this trims the extra one and makes the next cursor from the last kept row. */
export function toPage<T extends { id: string }, D>(rows: T[], limit: number, sort: SortKey[], toDto: (row: T) => D) {
  const items = rows.slice(0, limit);
  const last = items.at(-1) as (T & Row) | undefined;
  const nextCursor =
    rows.length > limit && last
      ? Buffer.from(JSON.stringify({ v: sort.map((k) => (last[k.field] instanceof Date ? (last[k.field] as Date).toISOString() : String(last[k.field]))), id: last.id })).toString('base64url')
      : null;
  return { items: items.map(toDto), nextCursor };
}

/** A list's `from`/`to` filter on an instant column: from inclusive, to exclusive; undefined (no filter) without either. */
export function period(from: string | undefined, to: string | undefined) {
  if (!from && !to) return undefined;
  return { ...(from && { $gte: new Date(from) }), ...(to && { $lt: new Date(to) }) };
}
