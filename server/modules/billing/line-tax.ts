import { divideHalfUp, exact, PPM, sum } from './money.ts';

export type TaxComponent = { name: string; ratePpm: number };
export type ComponentTax = TaxComponent & { tax: number };

export type LinePrice = {
  quantity: number;
  unitPrice: number;
  discount: number;
  /** The rate's components; none for an exempt service. */
  components: readonly TaxComponent[];
  pricesIncludeTax: boolean;
};

export type LineAmounts = { net: number; tax: number; total: number; components: ComponentTax[] };

/**
 * The one rounding rule of billing: **tax is worked out per line and per component, rounded half-up to
 * the minor unit; a line's tax is the sum of its components' tax, and an invoice's totals are plain sums
 * of its lines** (so they always add up, and a CGST 9% + SGST 9% line always shows two equal halves).
 *
 * A line's amount is quantity × unit price − discount (a discount is never more than that product).
 * - Prices without tax: the amount is the net; each component's tax is net × rate / 10^6, rounded half-up;
 *   total = net + tax.
 * - Prices with tax: the amount is the total; each component's tax is total × rate / (10^6 + R), rounded
 *   half-up, R being the sum of the components' rates; net = total − tax. Since R ≤ 100%, the exact tax
 *   is at most half the total, and half-up rounding at most doubles a share, so net never goes negative.
 */
export function lineAmounts({ quantity, unitPrice, discount, components, pricesIncludeTax }: LinePrice): LineAmounts {
  const gross = BigInt(quantity) * BigInt(unitPrice);
  const amount = gross - BigInt(discount);
  if (amount < 0n) throw new RangeError('a discount larger than the line');
  const rate = components.reduce((r, c) => r + BigInt(c.ratePpm), 0n);
  const base = pricesIncludeTax ? PPM + rate : PPM;
  const taxes = components.map((c) => ({ name: c.name, ratePpm: c.ratePpm, tax: exact(divideHalfUp(amount * BigInt(c.ratePpm), base)) }));
  const tax = sum(taxes.map((c) => c.tax));
  const net = pricesIncludeTax ? exact(amount) - tax : exact(amount);
  return { net, tax, total: sum([net, tax]), components: taxes };
}

export type InvoiceTotals = { subtotal: number; tax: number; total: number; taxSummary: ComponentTax[] };

/** An invoice's totals: the sums of its lines, and the tax by component name and rate, in the order first met. */
export function invoiceTotals(lines: readonly LineAmounts[]): InvoiceTotals {
  const byComponent = new Map<string, ComponentTax>();
  for (const c of lines.flatMap((l) => l.components)) {
    const key = `${c.ratePpm}:${c.name}`;
    const seen = byComponent.get(key);
    byComponent.set(key, { name: c.name, ratePpm: c.ratePpm, tax: sum([seen?.tax ?? 0, c.tax]) });
  }
  return {
    subtotal: sum(lines.map((l) => l.net)),
    tax: sum(lines.map((l) => l.tax)),
    total: sum(lines.map((l) => l.total)),
    taxSummary: [...byComponent.values()],
  };
}
