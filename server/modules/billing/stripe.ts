import Stripe from 'stripe';
import type { Config } from '../../config.ts';
import { currencyDigits } from '../../../shared/money.ts';

export type StripeConfig = NonNullable<Config['stripe']>;

/** A Stripe client for the practice's account (STRIPE_SECRET_KEY), at STRIPE_API_URL when set. */
export function stripeClient({ secretKey, apiUrl }: StripeConfig): Stripe {
  const url = apiUrl ? new URL(apiUrl) : null;
  const protocol = url?.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(url && { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol }),
  });
}

/** Stripe's zero-decimal currencies (docs.stripe.com/currencies); its three-decimal ones take amounts in thousandths ending in 0. */
const zeroDecimal = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const threeDecimal = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** The decimals of Stripe's amounts in a currency: mostly ISO 4217's, but ISK, say, is zero-decimal in ISO and two-decimal to Stripe. */
const stripeDigits = (currency: string) => (zeroDecimal.has(currency) ? 0 : threeDecimal.has(currency) ? 3 : 2);

/** An amount in the currency's ISO minor units as Stripe's `unit_amount`, or null when Stripe cannot take it exactly (a three-decimal amount not ending in 0). */
export function toStripeAmount(amount: number, currency: string): number | null {
  const shift = stripeDigits(currency) - currencyDigits(currency);
  const stripe = shift >= 0 ? amount * 10 ** shift : amount / 10 ** -shift;
  if (!Number.isSafeInteger(stripe)) return null;
  return threeDecimal.has(currency) && stripe % 10 !== 0 ? null : stripe;
}

/** Stripe's amount back in ISO minor units, or null when it is not a whole number of them. */
export function fromStripeAmount(amount: number, currency: string): number | null {
  const shift = stripeDigits(currency) - currencyDigits(currency);
  const iso = shift >= 0 ? amount / 10 ** shift : amount * 10 ** -shift;
  return Number.isSafeInteger(iso) ? iso : null;
}
