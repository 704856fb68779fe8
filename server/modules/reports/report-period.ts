import { periodIssue, periodMessages, type ReportPeriodInput } from '../../../shared/schemas/reports.ts';
import { AppError } from '../../errors.ts';

/**
 * The period a report covers, as instants: [from, to), by default the 30 days up to `now` (the request's
 * clock). An end left out is filled in before the period's rule is checked, since only then is it known.
 */
export function reportPeriod({ from, to }: ReportPeriodInput, now: Date): { from: string; to: string } {
  const end = to ? new Date(to) : now;
  const start = from ? new Date(from) : new Date(end.getTime() - 30 * 86_400_000);
  const period = { from: start.toISOString(), to: end.toISOString() };
  const issue = periodIssue(period.from, period.to);
  if (!issue) return period;
  // Named after the end the caller gave: with `from` alone, it is `from` that is too early (or in the future).
  const fieldErrors: Record<string, string[]> = to ? { to: [periodMessages[issue]] } : { from: [issue === 'backwards' ? 'must be before now' : periodMessages[issue]] };
  throw new AppError('BAD_REQUEST', 'Invalid input', null, fieldErrors);
}
