import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Scopes every query of a tenant-owned entity to the caller's practice. It is on by default and has no
 * fallback: a query on an EntityManager without `practiceId` set throws instead of reading every practice.
 * `withShared` also admits rows with no practice: content PAMS ships to every practice (PHQ-9, GAD-7).
 */
export function practiceFilter(field: 'practice' | 'practiceId' = 'practice', { withShared = false } = {}) {
  return {
    practice: {
      name: 'practice',
      cond: (args: { practiceId: string }) => (withShared ? { $or: [{ [field]: args.practiceId }, { [field]: null }] } : { [field]: args.practiceId }),
      default: true,
    },
  };
}

/**
 * The one way to get a unit of work on practice X's rows: a fresh fork of `em` (its own identity map)
 * with the filter's parameter set. A request's procedure call gets one for its caller's practice
 * (trpc.ts); a job or a local process asks for the practice it works in.
 */
export function practiceEm(em: EntityManager, practiceId: string): EntityManager {
  const scoped = em.fork({ clear: true });
  scoped.setFilterParams('practice', { practiceId });
  return scoped;
}
