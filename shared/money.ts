import { MAX_AMOUNT } from './schemas/billing.ts';

const digitsCache = new Map<string, number>();

/** The minor-unit digits of an ISO 4217 currency, as the runtime's ICU data knows them: JPY 0, EUR 2, KWD 3. Throws RangeError on a malformed code. */
export function currencyDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(code, digits);
  }
  return digits;
}

/**
 * An amount as people write it, "80", "80.5" or "80.00" in a currency of `digits` decimals, as minor
 * units (8000 for EUR), converted exactly (BigInt, no floating point); or why it is not one. The CLI's
 * --price and the price-list import read amounts with it.
 */
export function parseAmount(text: string, digits: number): { minor: number } | { error: string } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match || (match[2] ?? '').length > digits) return { error: `"${text}" is not an amount with at most ${digits} decimals, e.g. ${digits ? `80.${'0'.repeat(digits)}` : '80'}` };
  const minor = BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt((match[2] ?? '').padEnd(digits, '0') || '0');
  if (minor > BigInt(MAX_AMOUNT)) return { error: `"${text}" is more than the most an amount may be` };
  return { minor: Number(minor) };
}
