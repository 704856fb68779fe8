/** A PostgreSQL array literal of text values, for `= any(?::text[])` (a JS array would be expanded into a list). */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** Who commits an import, written into the audit row of every patient or record it writes. */
export type CommitAudit = { practiceId: string; actorId: string; requestId: string; ip: string | null; importId: string };
