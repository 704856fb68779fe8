import type { Money } from '@medplum/fhirtypes';
import { currencyDigits } from '../../../../shared/money.ts';
import { minorToDecimal } from '../../billing/money-format.ts';

/**
 * An amount in minor units (a number, or a bigint column as PostgreSQL's text) as FHIR Money, in major
 * units. The decimal is written exactly from the integer (money-format.ts: BigInt, no float arithmetic),
 * then made the JSON number FHIR's decimal is: Number('12.34') is the double nearest 12.34, which prints
 * as 12.34 again. A double keeps any decimal of up to 15 significant digits, so the JSON carries the very
 * decimal the invoice shows for amounts below 10^15 minor units (ten trillion euro). Only an invoice of
 * 100 lines each near the caps (shared/schemas/billing.ts) goes past that; its total then is the nearest
 * double, off in the 16th digit. (JSON.rawJSON could write the digits verbatim, but not through a client
 * that parses the JSON into numbers again.)
 */
export function fhirMoney(minor: number | string, currency: string): Money {
  return { value: Number(minorToDecimal(BigInt(minor), currencyDigits(currency))), currency: currency as Money['currency'] };
}

/** A rate in parts per million as FHIR's decimal factor: 90000 → 0.09, exactly as written. */
export const ppmFactor = (ppm: number) => Number(minorToDecimal(ppm, 6));

/** PAMS's own code systems, per practice (codes are the practice's): service codes, tax components, invoice and receipt numbers. */
export const pamsSystem = (practiceId: string, name: 'service' | 'tax-component' | 'invoice-number' | 'receipt-number' | 'organisation-tax-id') => `urn:pams:practice:${practiceId}:${name}`;
