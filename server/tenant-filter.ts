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
