import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal content always serialises, and hashes, alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

export const contentHash = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');
