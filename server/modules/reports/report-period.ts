import type { ReportPeriodInput } from '../../../shared/schemas/reports.ts';

/** The period a report covers, as instants: [from, to), by default the 30 days up to `now` (the request's clock). */
export function reportPeriod({ from, to }: ReportPeriodInput, now: Date): { from: string; to: string } {
  const end = to ? new Date(to) : now;
  const start = from ? new Date(from) : new Date(end.getTime() - 30 * 86_400_000);
  return { from: start.toISOString(), to: end.toISOString() };
}
