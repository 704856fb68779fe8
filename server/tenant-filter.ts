/**
 * Scopes every query of a tenant-owned entity to the caller's practice. It is on by default and has no
 * fallback: a query on an EntityManager without `practiceId` set throws instead of reading every practice.
 */
export function practiceFilter(field: 'practice' | 'practiceId' = 'practice') {
  return {
    practice: { name: 'practice', cond: (args: { practiceId: string }) => ({ [field]: args.practiceId }), default: true },
  };
}
