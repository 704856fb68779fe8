import type { PamsClient } from '../shared/client.ts';
import { currencyDigits, parseAmount as parseSharedAmount } from '../shared/money.ts';
import { MAX_RATE_PPM } from '../shared/schemas/billing.ts';
import { CliError } from './exit-codes.ts';

/**
 * Money and rates as people type and read them, converted exactly (no floating point): the API speaks
 * integers of minor units and parts per million (shared/schemas/billing.ts).
 */

/** "80", "80.5" or "80.00" in a currency of `digits` decimals, as minor units (8000 for EUR): shared/money.ts's rule. */
export function parseAmount(text: string, digits: number): number {
  const parsed = parseSharedAmount(text, digits);
  if ('error' in parsed) throw new CliError(parsed.error);
  return parsed.minor;
}

/** Minor units as the currency writes them: 8000 with 2 digits is "80.00", -125 is "-1.25". */
export function formatAmount(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits ? `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}` : `${sign}${text}`;
}

/** "18%", "8.875%" or "18" as parts per million (180000, 88750). */
export function parsePercent(text: string): number {
  const match = /^(\d+)(?:\.(\d{1,4}))?%?$/.exec(text.trim());
  const ppm = match ? Number(BigInt(match[1]!) * 10_000n + BigInt((match[2] ?? '').padEnd(4, '0'))) : Number.NaN;
  if (!match || ppm > MAX_RATE_PPM) throw new CliError(`"${text}" is not a rate from 0% to 100% with at most 4 decimals, e.g. 18% or 8.875%`);
  return ppm;
}

/** Parts per million as a percentage: 88750 is "8.875%". */
export const formatPercent = (ppm: number): string => `${formatAmount(ppm, 4).replace(/\.?0+$/, '')}%`;

/** The practice's currency and its decimals, to read and write amounts as people do. */
export async function currencyOf(api: PamsClient): Promise<{ code: string; digits: number }> {
  const { currency } = await api.practices.current.query();
  return { code: currency, digits: currencyDigits(currency) };
}
