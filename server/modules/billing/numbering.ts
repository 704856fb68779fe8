import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import type { BillingSeries } from './billing-sequence.entity.ts';

const tokens = /\{YYYY\}|\{YY\}|\{SEQ(?::([1-9]))?\}/g;

/** A number written by its format (shared/schemas/billing.ts `numberFormat`): `INV-{YYYY}-{SEQ:6}` with 123 in 2026 is INV-2026-000123. */
export function renderNumber(format: string, seq: number, year: number): string {
  return format.replace(tokens, (token, pad: string | undefined) => {
    if (token === '{YYYY}') return String(year).padStart(4, '0');
    if (token === '{YY}') return String(year % 100).padStart(2, '0');
    return String(seq).padStart(Number(pad ?? 1), '0');
  });
}

/** A format with a year restarts its sequence each year. */
const perYear = (format: string) => /\{YYYY\}|\{YY\}/.test(format);

export type NumberRequest = { practiceId: string; series: BillingSeries; format: string; at: Date; timeZone: string };

/**
 * The next number of a practice's series, gapless: one statement increments the series' row (making it
 * at 1 the first time) and returns the value, inside the caller's transaction. The row stays locked until
 * that transaction ends, so two issues at once take turns, and a rollback gives the number back.
 */
export async function nextNumber(em: EntityManager, { practiceId, series, format, at, timeZone }: NumberRequest): Promise<string> {
  const year = DateTime.fromJSDate(at, { zone: timeZone }).year;
  const [row] = await em.execute<{ last_value: number }[]>(
    `insert into billing_sequence (practice_id, series, year, last_value) values (?, ?, ?, 1)
     on conflict (practice_id, series, year) do update set last_value = billing_sequence.last_value + 1
     returning last_value`,
    [practiceId, series, perYear(format) ? year : 0],
  );
  return renderNumber(format, row!.last_value, year);
}
