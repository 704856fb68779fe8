import type { PaymentReconciliation, PaymentReconciliationDetail } from '@medplum/fhirtypes';
import type { PaymentMethod } from '../../../../shared/schemas/billing.ts';
import { compact, type Exported, type FhirSource, instant } from '../fhir-source.ts';
import { fhirMoney, pamsSystem } from './billing-money.ts';

type Allocation = { invoiceId: string; amount: number; reversal: 'refund' | 'void' | null; date: string };
type Refund = { amount: number; reason: string; date: string };

type Row = {
  id: string;
  practice_id: string;
  number: string;
  method: PaymentMethod;
  amount: string;
  currency: string;
  allocated: string;
  refunded: string;
  payer_organisation_id: string | null;
  payer_name: string;
  received_on: string;
  reference: string | null;
  stripe_payment_intent_id: string | null;
  created_at: string;
  changed_at: string;
  allocations: Allocation[] | null;
  refunds: Refund[] | null;
};

const methods: Record<PaymentMethod, string> = { cash: 'cash', card: 'card', 'bank-transfer': 'bank transfer', insurer: 'the insurer', stripe: 'online card payment (Stripe)' };

/** FHIR's payment types: what part of a payment a detail is. */
const paymentType = (code: 'payment' | 'adjustment' | 'advance') => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/payment-type', code }] });

/** The instant a payment last changed: made, allocated (or taken back off an invoice) or refunded. The bulk export's `_since` reads it. */
const changedAt = `greatest(t.created_at, (select max(a.created_at) from payment_allocation a where a.payment_id = t.id), (select max(r.created_at) from refund r where r.payment_id = t.id))`;

/**
 * A payment as a PaymentReconciliation: the receipt number as identifier, when it was received (the date
 * in the practice's time zone), the amount, the payer organisation as issuer, and details saying where the
 * money went, which add up to the amount: to invoices (a `payment` detail per allocation, requesting the
 * Invoice; an allocation taken back, by a refund or the invoice voided, is a negative `adjustment` on it),
 * back to the payer (an `adjustment` per refund), and what is still the patient's credit (`advance`).
 * R4's PaymentReconciliation has no patient and no payment method: the patient's $everything holds
 * their payments, and the method is in the disposition with who paid.
 */
export const paymentReconciliationSource: FhirSource<Row> = {
  resourceType: 'PaymentReconciliation',
  columns: `t.id, t.practice_id, t.number, t.method, t.amount, t.currency, t.allocated, t.refunded, t.payer_organisation_id, t.payer_name,
    (t.received_at at time zone pr.time_zone)::date::text as received_on, t.reference, t.stripe_payment_intent_id, t.created_at, ${changedAt} as changed_at,
    (select json_agg(json_build_object('invoiceId', a.invoice_id, 'amount', a.amount, 'reversal', a.reversal, 'date', (a.created_at at time zone pr.time_zone)::date)
      order by a.created_at, a.id) from payment_allocation a where a.payment_id = t.id) as allocations,
    (select json_agg(json_build_object('amount', r.amount, 'reason', r.reason, 'date', (r.refunded_at at time zone pr.time_zone)::date)
      order by r.refunded_at, r.id) from refund r where r.payment_id = t.id) as refunds`,
  from: 'payment t join practice pr on pr.id = t.practice_id where t.practice_id = ?',
  ofPatient: 't.patient_id = ?',
  changedAt,
  toResource: (r): Exported<PaymentReconciliation> => {
    const money = (minor: number | string) => fhirMoney(minor, r.currency);
    const payee = r.payer_organisation_id ? { reference: `Organization/${r.payer_organisation_id}`, display: r.payer_name } : undefined;
    const credit = BigInt(r.amount) - BigInt(r.allocated) - BigInt(r.refunded);
    const detail: PaymentReconciliationDetail[] = [
      ...(r.allocations ?? []).map((a) => ({ type: paymentType(a.reversal ? 'adjustment' : 'payment'), request: { reference: `Invoice/${a.invoiceId}` }, date: a.date, amount: money(a.amount) })),
      ...(r.refunds ?? []).map((f) => compact({ type: { ...paymentType('adjustment'), text: `Refund: ${f.reason}` }, payee, date: f.date, amount: money(f.amount) })),
      ...(credit > 0n ? [{ type: { ...paymentType('advance'), text: 'Credit' }, amount: money(String(credit)) }] : []),
    ];
    const paymentIdentifier = r.reference ?? r.stripe_payment_intent_id;
    return compact({
      resourceType: 'PaymentReconciliation',
      id: r.id,
      meta: { lastUpdated: instant(r.changed_at) },
      identifier: [{ system: pamsSystem(r.practice_id, 'receipt-number'), value: r.number }],
      status: 'active',
      created: instant(r.created_at),
      paymentIssuer: payee,
      outcome: 'complete',
      disposition: `Paid by ${methods[r.method]}, from ${r.payer_name}`,
      paymentDate: r.received_on,
      paymentAmount: money(r.amount),
      paymentIdentifier: paymentIdentifier ? { value: paymentIdentifier } : undefined,
      detail,
    });
  },
};
