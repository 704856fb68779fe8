import { currencyDigits } from '../../../shared/money.ts';
import { exact } from '../billing/money.ts';
import type { AuthedCtx } from '../../context.ts';

/**
 * A sum of minor units from PostgreSQL (a bigint, which pg hands over as a string) as a number, exactly:
 * one beyond safe integers is refused rather than rounded.
 */
export const minor = (value: string | number | null): number => (value === null ? 0 : exact(BigInt(value)));

/** The practice's currency, in whose minor units every amount of a billing report is. */
export function reportCurrency(ctx: AuthedCtx): { currency: string; currencyDigits: number } {
  const { currency } = ctx.actor.identity.practice;
  return { currency, currencyDigits: currencyDigits(currency) };
}
