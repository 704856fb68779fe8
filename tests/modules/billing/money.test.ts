import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyCode, MAX_AMOUNT, MAX_INVOICE_LINES, MAX_QUANTITY, MAX_RATE_PPM, numberFormat } from '../../../shared/schemas/billing.ts';
import { Invoice } from '../../../server/modules/billing/invoice.entity.ts';
import { invoiceTotals, lineAmounts, type LinePrice } from '../../../server/modules/billing/line-tax.ts';
import { divideHalfUp } from '../../../server/modules/billing/money.ts';
import { currencyDigits } from '../../../shared/money.ts';
import { renderNumber } from '../../../server/modules/billing/numbering.ts';

/** The arithmetic of billing (server/modules/billing/line-tax.ts), for any prices, quantities, discounts and rates the schemas allow. */

/** A rate's components: one to four, their sum at most 100% (as createTaxRateInput and MAX_RATE_PPM allow), or none (exempt). */
const components = fc.oneof(
  fc.constant([]),
  fc
    .array(fc.integer({ min: 0, max: MAX_RATE_PPM }), { minLength: 1, maxLength: 4 })
    .filter((rates) => rates.reduce((a, b) => a + b, 0) <= MAX_RATE_PPM)
    .map((rates) => rates.map((ratePpm, i) => ({ name: `C${i}`, ratePpm }))),
  // Real ones: CGST 9% + SGST 9%, IGST 18%, VAT 23%, New York's 8.875%.
  fc.constantFrom(
    [
      { name: 'CGST', ratePpm: 90_000 },
      { name: 'SGST', ratePpm: 90_000 },
    ],
    [{ name: 'IGST', ratePpm: 180_000 }],
    [{ name: 'VAT', ratePpm: 230_000 }],
    [{ name: 'NY', ratePpm: 88_750 }],
  ),
);
/** Amounts across the whole range, and small ones, where rounding matters most. */
const amount = fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: MAX_AMOUNT }));
const line: fc.Arbitrary<LinePrice> = fc
  .record({
    quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: MAX_QUANTITY })),
    unitPrice: amount,
    components,
    pricesIncludeTax: fc.boolean(),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  // A discount anywhere from none to the whole line (the schemas' limit): picked as a share of it.
  .map(({ share, ...l }) => ({ ...l, discount: Math.min(MAX_AMOUNT, Math.floor(l.quantity * l.unitPrice * share)) }));
const invoice = fc.boolean().chain((pricesIncludeTax) =>
  fc.array(
    line.map((l) => ({ ...l, pricesIncludeTax })),
    { minLength: 0, maxLength: MAX_INVOICE_LINES },
  ),
);

const big = (n: number) => BigInt(n);

describe('a line', () => {
  it('is never negative, its total is net + tax, and its tax is the sum of its components', () => {
    fc.assert(
      fc.property(line, (l) => {
        const a = lineAmounts(l);
        for (const n of [a.net, a.tax, a.total, ...a.components.map((c) => c.tax)]) {
          expect(Number.isSafeInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(0);
        }
        expect(big(a.total)).toBe(big(a.net) + big(a.tax));
        expect(big(a.tax)).toBe(a.components.reduce((s, c) => s + big(c.tax), 0n));
        expect(a.components.map(({ name, ratePpm }) => ({ name, ratePpm }))).toEqual(l.components);
      }),
      { numRuns: 2000 },
    );
  });

  it('without tax in the price: net is the amount, each component its rate of it rounded half-up', () => {
    fc.assert(
      fc.property(line, (l) => {
        const a = lineAmounts({ ...l, pricesIncludeTax: false });
        const base = big(l.quantity) * big(l.unitPrice) - big(l.discount);
        expect(big(a.net)).toBe(base);
        for (const c of a.components) {
          // |tax − exact| ≤ ½, and exactly ½ rounds up: 2·tax·10^6 − 2·base·rate lies in (−10^6, 10^6].
          const twice = 2n * big(c.tax) * 1_000_000n - 2n * base * big(c.ratePpm);
          expect(twice > -1_000_000n && twice <= 1_000_000n).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('with tax in the price: the total is the amount, and tax is each component worked out of it, rounded half-up', () => {
    fc.assert(
      fc.property(line, (l) => {
        const a = lineAmounts({ ...l, pricesIncludeTax: true });
        const gross = big(l.quantity) * big(l.unitPrice) - big(l.discount);
        const rate = l.components.reduce((s, c) => s + big(c.ratePpm), 0n);
        expect(big(a.total)).toBe(gross);
        for (const c of a.components) {
          const denominator = 1_000_000n + rate;
          const twice = 2n * big(c.tax) * denominator - 2n * gross * big(c.ratePpm);
          expect(twice > -denominator && twice <= denominator).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds the examples a bookkeeper checks by hand', () => {
    const vat = [{ name: 'VAT', ratePpm: 230_000 }];
    const gst = [
      { name: 'CGST', ratePpm: 90_000 },
      { name: 'SGST', ratePpm: 90_000 },
    ];
    // €10.00 + 23% = €2.30; 5 cents at 9% each is 0.45 → 0 and 0.45 → 0 (not 0.9 → 1 split unevenly).
    expect(lineAmounts({ quantity: 1, unitPrice: 1000, discount: 0, components: vat, pricesIncludeTax: false })).toMatchObject({ net: 1000, tax: 230, total: 1230 });
    expect(lineAmounts({ quantity: 1, unitPrice: 5, discount: 0, components: gst, pricesIncludeTax: false })).toMatchObject({ net: 5, tax: 0, total: 5 });
    // Half-up: 50 × 9% = 4.5 → 5 for each half.
    expect(lineAmounts({ quantity: 1, unitPrice: 50, discount: 0, components: gst, pricesIncludeTax: false }).components.map((c) => c.tax)).toEqual([5, 5]);
    // €12.30 with 23% in it: tax 2.30, net 10.00; 3 × €4.10 less €0.30 is the same.
    expect(lineAmounts({ quantity: 1, unitPrice: 1230, discount: 0, components: vat, pricesIncludeTax: true })).toMatchObject({ net: 1000, tax: 230, total: 1230 });
    expect(lineAmounts({ quantity: 3, unitPrice: 410, discount: 0, components: vat, pricesIncludeTax: true })).toMatchObject({ net: 1000, tax: 230, total: 1230 });
    // Exempt: no tax at all.
    expect(lineAmounts({ quantity: 2, unitPrice: 700, discount: 400, components: [], pricesIncludeTax: true })).toEqual({ net: 1000, tax: 0, total: 1000, components: [] });
  });

  it('refuses a discount larger than the line', () => {
    expect(() => lineAmounts({ quantity: 1, unitPrice: 100, discount: 101, components: [], pricesIncludeTax: false })).toThrow(RangeError);
  });
});

describe('an invoice', () => {
  it("total is the sum of its lines' totals, tax the sum of their tax, and each component's tax the sum over the lines", () => {
    fc.assert(
      fc.property(invoice, (lines) => {
        const amounts = lines.map(lineAmounts);
        const totals = invoiceTotals(amounts);
        const sum = (f: (a: (typeof amounts)[number]) => number) => amounts.reduce((s, a) => s + big(f(a)), 0n);
        for (const n of [totals.subtotal, totals.tax, totals.total]) expect(Number.isSafeInteger(n)).toBe(true);
        expect(big(totals.total)).toBe(sum((a) => a.total));
        expect(big(totals.tax)).toBe(sum((a) => a.tax));
        expect(big(totals.subtotal)).toBe(sum((a) => a.net));
        expect(big(totals.total)).toBe(big(totals.subtotal) + big(totals.tax));
        // Per component (name and rate): the sum over the lines, and together the invoice's tax.
        for (const c of totals.taxSummary) {
          const over = amounts.flatMap((a) => a.components).filter((x) => x.name === c.name && x.ratePpm === c.ratePpm);
          expect(big(c.tax)).toBe(over.reduce((s, x) => s + big(x.tax), 0n));
        }
        expect(totals.taxSummary.reduce((s, c) => s + big(c.tax), 0n)).toBe(big(totals.tax));
      }),
      { numRuns: 300 },
    );
  });

  it('stays exact at the largest amounts every line may hold', () => {
    const most = { quantity: MAX_QUANTITY, unitPrice: MAX_AMOUNT, discount: 0, components: [{ name: 'All', ratePpm: MAX_RATE_PPM }], pricesIncludeTax: false };
    const totals = invoiceTotals(Array.from({ length: MAX_INVOICE_LINES }, () => lineAmounts(most)));
    expect(big(totals.total)).toBe(2n * big(MAX_INVOICE_LINES) * big(MAX_QUANTITY) * big(MAX_AMOUNT));
  });
});

describe('money helpers', () => {
  it('divides half-up', () => {
    expect([divideHalfUp(5n, 10n), divideHalfUp(4n, 10n), divideHalfUp(15n, 10n), divideHalfUp(25n, 10n), divideHalfUp(0n, 3n)]).toEqual([1n, 0n, 2n, 3n, 0n]);
  });

  it('knows each currency’s minor-unit digits, and refuses codes that are not ISO 4217', () => {
    expect(['EUR', 'USD', 'INR', 'JPY', 'KWD', 'CLP'].map(currencyDigits)).toEqual([2, 2, 2, 0, 3, 0]);
    expect(currencyCode.safeParse('EUR').success).toBe(true);
    for (const bad of ['eur', 'EURO', 'XYZ', '€']) expect(currencyCode.safeParse(bad).success, bad).toBe(false);
  });
});

describe('numbers', () => {
  it('are written by their format', () => {
    expect(renderNumber('INV-{YYYY}-{SEQ:6}', 123, 2026)).toBe('INV-2026-000123');
    expect(renderNumber('{YY}/{SEQ}', 1234567, 2026)).toBe('26/1234567');
    expect(renderNumber('CN {SEQ:3}', 7, 2026)).toBe('CN 007');
  });

  it('formats are letters, digits and the tokens, with the sequence exactly once', () => {
    for (const ok of ['INV-{YYYY}-{SEQ:6}', '{SEQ}', 'A/{YY}/{SEQ:4}']) expect(numberFormat.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['INV-{YYYY}', '{SEQ}-{SEQ}', 'INV-{MM}-{SEQ}', 'INV<{SEQ}>', '{SEQ:0}', '']) expect(numberFormat.safeParse(bad).success, bad).toBe(false);
  });
});

describe('what has been paid (the seam the payments round calls)', () => {
  it('moves an issued invoice to partially paid and paid, and back, the balance always total − paid', () => {
    const invoice = Object.assign(new Invoice(), { status: 'issued' as const, total: 12150, amountPaid: 0, balance: 12150 });
    invoice.settle(5000);
    expect(invoice).toMatchObject({ status: 'partially-paid', amountPaid: 5000, balance: 7150 });
    invoice.settle(12150);
    expect(invoice).toMatchObject({ status: 'paid', balance: 0 });
    invoice.settle(0); // every payment refunded
    expect(invoice).toMatchObject({ status: 'issued', balance: 12150 });
    expect(() => invoice.settle(12151)).toThrow(RangeError);
    expect(() => Object.assign(new Invoice(), { status: 'draft' as const, total: 1 }).settle(1)).toThrow('takes no payment');
  });
});
