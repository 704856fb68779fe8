import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { useTestOrm } from './harness.ts';

/**
 * Every entity the ORM knows, read from its metadata (so a new entity is covered without editing this
 * file): one with a practice column has the practice filter (server/tenant-filter.ts) on that column, on
 * by default; one without is listed here, with the reason nothing reaches it by practice.
 */
const withoutPracticeColumn: Record<string, string> = {
  Practice: 'the tenant itself',
  Session: 'reached only through its secret, then its user (who carries the practice)',
  ApiToken: "reached only through its secret, or through the caller's own user",
  PasswordReset: 'reached only through its secret, then its user',
  RecoveryCode: "reached only through the caller's own user",
  ImportRow: 'read and written by plain SQL, always through its import session (which carries the practice)',
  QuestionnaireVersion: 'reached only through its questionnaire (which carries the practice, or none when shared)',
  LoginThrottle: "a rate limiter's counters, keyed by account and IP: no practice data",
  ApiThrottle: "a rate limiter's counters, keyed by credential and IP: no practice data",
};

const PRACTICE = '01a20a11-0000-7000-8000-00000000000a';

const orm = useTestOrm();

const entities = () => [...orm().getMetadata().getAll().values()].filter((meta) => !meta.embeddable && !meta.virtual && !meta.abstract) as EntityMetadata[];
const practiceColumn = (meta: EntityMetadata): EntityProperty | undefined => Object.values(meta.properties).find((prop) => prop.fieldNames?.includes('practice_id'));

/** The field names a filter condition compares with the practice, at the top or inside `$or`. */
function filteredFields(cond: unknown): string[] {
  if (!cond || typeof cond !== 'object') return [];
  return Object.entries(cond).flatMap(([key, value]) => (key === '$or' || key === '$and' ? (value as unknown[]).flatMap(filteredFields) : value === PRACTICE ? [key] : []));
}

describe('the practice filter, from the ORM metadata', () => {
  it('sees every entity', () => {
    expect(entities().length).toBeGreaterThan(25);
  });

  it('each entity with a practice column has the practice filter on it, on by default', () => {
    const missing = entities().flatMap((meta) => {
      const column = practiceColumn(meta);
      if (!column) return [];
      const filter = meta.filters?.practice;
      if (!filter) return [`${meta.className}: no practice filter (add filters: practiceFilter())`];
      if (filter.default !== true) return [`${meta.className}: the practice filter is not on by default`];
      const cond = typeof filter.cond === 'function' ? filter.cond({ practiceId: PRACTICE }, 'read', orm().em, {}, meta.className) : filter.cond;
      if (!filteredFields(cond).includes(column.name)) return [`${meta.className}: the practice filter does not compare ${column.name} (${JSON.stringify(cond)})`];
      return [];
    });
    expect(missing).toEqual([]);
  });

  it('each entity without one is on the short list, with its reason, and the list names only such entities', () => {
    const without = entities()
      .filter((meta) => !practiceColumn(meta))
      .map((meta) => meta.className)
      .sort();
    expect(without, 'an entity with no practice column: give it one (and the filter) or list it above with the reason').toEqual(Object.keys(withoutPracticeColumn).sort());
  });
});
