/**
 * Exact display of money held as integers of a currency's minor units, and of tax rates held in parts per
 * million. No floating point touches an amount: the integer becomes a decimal string by BigInt arithmetic, and
 * Intl.NumberFormat formats that string as the exact decimal it is (a string input is not converted to a double).
 */

import { currencyDigits } from '../../../shared/money.ts';

function assertMinor(minor: number | bigint): bigint {
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) throw new RangeError(`an amount in minor units must be a safe integer, got ${minor}`);
  return BigInt(minor);
}

/** Minor units as a plain decimal string with `digits` decimals: (-12345, 2) → '-123.45', (5, 3) → '0.005', (700, 0) → '700'. */
export function minorToDecimal(minor: number | bigint, digits: number): string {
  const value = assertMinor(minor);
  const negative = value < 0n;
  const abs = (negative ? -value : value).toString();
  if (digits === 0) return (negative ? '-' : '') + abs;
  const padded = abs.padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** An amount in the currency's minor units, formatted for a locale: (1234550, 'INR') → '₹12,345.50', (-500, 'EUR', 'de') → '-5,00 €'. */
export function formatMoney(minor: number | bigint, currency: string, locale = 'en'): string {
  const digits = currencyDigits(currency);
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    moneyFormats.set(key, format);
  }
  // A string is an exact decimal to Intl.NumberFormat (ES2023), so nothing is rounded through a double.
  return format.format(minorToDecimal(minor, digits) as Intl.StringNumericLiteral);
}

/** A rate in parts per million as a percentage: 180000 → '18%', 88750 → '8.875%', 1 → '0.0001%' (1 ppm is the finest step). */
export function formatPercentPpm(ppm: number, locale = 'en'): string {
  if (!Number.isSafeInteger(ppm) || ppm < 0) throw new RangeError(`a rate in ppm must be a non-negative safe integer, got ${ppm}`);
  // ppm / 1,000,000 as a fraction, which the percent style shows times 100 with up to 4 decimals.
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 4 }).format(minorToDecimal(ppm, 6) as Intl.StringNumericLiteral);
}
