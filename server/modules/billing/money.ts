/**
 * Integer money. Amounts are integers of a currency's minor units; products and quotients are worked out
 * in BigInt (an amount times a rate in parts per million passes 2^53) and come back as numbers only when
 * they are exact. No floating point anywhere on the path.
 */

export const PPM = 1_000_000n;

/** a / b rounded half-up (a half goes away from zero), for a ≥ 0 and b > 0. */
export function divideHalfUp(a: bigint, b: bigint): bigint {
  if (a < 0n || b <= 0n) throw new RangeError('divideHalfUp takes a ≥ 0 and b > 0');
  return (2n * a + b) / (2n * b);
}

/** A BigInt as a number, refusing one that a number cannot hold exactly. */
export function exact(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is beyond exact integers`);
  return n;
}

/** The sum of integers, checked to stay exact. */
export function sum(values: readonly number[]): number {
  return exact(values.reduce((total, v) => total + BigInt(v), 0n));
}
