import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, formatPercentPpm, minorToDecimal } from '../../../server/modules/billing/money-format.ts';
import { currencyDigits } from '../../../shared/money.ts';

describe('money from minor units', () => {
  it('knows each currency’s digits from Intl: 0, 2 and 3', () => {
    expect([currencyDigits('JPY'), currencyDigits('KRW'), currencyDigits('INR'), currencyDigits('eur'), currencyDigits('KWD'), currencyDigits('BHD')]).toEqual([0, 0, 2, 2, 3, 3]);
    expect(() => currencyDigits('RUPEES')).toThrow(RangeError);
  });

  it('formats 0-, 2- and 3-decimal currencies exactly', () => {
    expect(formatMoney(12345, 'USD')).toBe('$123.45');
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
    expect(formatMoney(0, 'EUR')).toBe('€0.00');
    expect(formatMoney(1_234_567_89, 'INR')).toBe('₹1,234,567.89');
    expect(formatMoney(1_234_567_89, 'INR', 'en-IN')).toBe('₹12,34,567.89');
    expect(formatMoney(500, 'JPY')).toBe('¥500');
    expect(formatMoney(1_000_000, 'JPY')).toBe('¥1,000,000');
    expect(formatMoney(1234, 'KWD')).toBe('KWD\u00a01.234');
    expect(formatMoney(5, 'KWD')).toBe('KWD\u00a00.005');
  });

  it('formats negative amounts (credit notes) with their sign, and −0 as 0', () => {
    expect(formatMoney(-1_770_00, 'INR')).toBe('-₹1,770.00');
    expect(formatMoney(-1, 'USD')).toBe('-$0.01');
    expect(formatMoney(-5, 'KWD')).toBe('-KWD\u00a00.005');
    expect(formatMoney(-700, 'JPY')).toBe('-¥700');
    expect(formatMoney(-0, 'EUR')).toBe('€0.00');
  });

  it('follows the locale', () => {
    expect(formatMoney(-500, 'EUR', 'de')).toBe('-5,00\u00a0€');
    expect(formatMoney(123456, 'EUR', 'fr')).toBe('1\u202f234,56\u00a0€');
    expect(formatMoney(123456, 'INR', 'hi')).toBe('₹1,234.56');
  });

  it('keeps every digit of the largest safe integers, where a double would round', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(-Number.MAX_SAFE_INTEGER, 'KWD')).toBe('-KWD\u00a09,007,199,254,740.991');
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'JPY')).toBe('¥9,007,199,254,740,991');
    // Divided as doubles, the same amounts lose their last digit.
    expect(new Intl.NumberFormat('en', { style: 'currency', currency: 'USD' }).format(Number.MAX_SAFE_INTEGER / 100)).toBe('$90,071,992,547,409.90');
    expect(new Intl.NumberFormat('en', { style: 'currency', currency: 'KWD' }).format(-Number.MAX_SAFE_INTEGER / 1000)).toBe('-KWD\u00a09,007,199,254,740.990');
    expect(minorToDecimal(9_007_199_254_740_993n, 2)).toBe('90071992547409.93');
  });

  it('refuses amounts that are not safe integers', () => {
    expect(() => formatMoney(1.5, 'USD')).toThrow(RangeError);
    expect(() => formatMoney(Number.MAX_SAFE_INTEGER + 1, 'USD')).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN, 'USD')).toThrow(RangeError);
  });

  it('writes any safe integer as the decimal it is (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom(0, 2, 3), (minor, digits) => {
        const decimal = minorToDecimal(minor, digits);
        expect(BigInt(decimal.replace('.', ''))).toBe(BigInt(minor));
        expect(decimal).toMatch(digits ? new RegExp(`^-?\\d+\\.\\d{${digits}}$`) : /^-?\d+$/);
        expect(decimal.startsWith('-')).toBe(minor < 0);
      }),
    );
  });
});

describe('rates from parts per million', () => {
  it('shows whole and fractional percentages exactly', () => {
    expect(formatPercentPpm(180_000)).toBe('18%');
    expect(formatPercentPpm(90_000)).toBe('9%');
    expect(formatPercentPpm(88_750)).toBe('8.875%');
    expect(formatPercentPpm(25_000)).toBe('2.5%');
    expect(formatPercentPpm(1)).toBe('0.0001%');
    expect(formatPercentPpm(0)).toBe('0%');
    expect(formatPercentPpm(1_000_000)).toBe('100%');
    expect(formatPercentPpm(88_750, 'de')).toBe('8,875\u00a0%');
  });

  it('refuses negative and fractional rates', () => {
    expect(() => formatPercentPpm(-1)).toThrow(RangeError);
    expect(() => formatPercentPpm(0.5)).toThrow(RangeError);
  });
});
