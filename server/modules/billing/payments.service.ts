import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApplyCreditInput, InvoiceStatus, ListPaymentsInput, PaymentMethod, RecordPaymentInput, RefundPaymentInput } from '../../../shared/schemas/billing.ts';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AuthedCtx, Ctx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, period, toPage, type SortKey } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { findVisiblePatient, findWritablePatient } from '../patients/patient-access.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { visiblePayments } from './billing-access.ts';
import { toInvoiceDto, toPaymentDto } from './billing.dto.ts';
import { Invoice } from './invoice.entity.ts';
import { payerOf } from './invoices.service.ts';
import { sum } from './money.ts';
import { nextNumber } from './numbering.ts';
import { Organisation } from './organisation.entity.ts';
import { PaymentAllocation } from './payment-allocation.entity.ts';
import { Payment } from './payment.entity.ts';
import { Refund } from './refund.entity.ts';

/** Receipts are numbered in their own gapless series, per year. */
export const RECEIPT_NUMBER_FORMAT = 'RCT-{YYYY}-{SEQ:6}';

const sort: SortKey[] = [{ field: 'receivedAt', dir: 'desc', date: true }];
const populate = ['allocations.invoice', 'refunds'] as const;
const payable: readonly InvoiceStatus[] = ['issued', 'partially-paid', 'paid'];

/** Who records money: an admin's call, or the Stripe webhook (no actor) for a practice. */
type Recorder = Pick<Ctx, 'actor' | 'meta'> & { practiceId: string; userId: string | null; now: Date };

const recorderOf = (ctx: AuthedCtx): Recorder => ({ actor: ctx.actor, meta: ctx.meta, practiceId: ctx.actor.practiceId, userId: ctx.actor.userId, now: ctx.clock.now() });

/**
 * A patient's account is locked for the rest of the transaction: every movement of its money (a payment,
 * an allocation, a refund, credit applied, an invoice with payments voided) takes this lock first, so two
 * at once take turns and each sees what the other did. Rows it then changes are locked as well.
 */
async function lockAccount(em: EntityManager, patientId: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`billing-account:${patientId}`]);
}

/** The account of a practice's invoice or payment, locked; false when the practice has no such row. */
export async function lockAccountOf(em: EntityManager, table: 'invoice' | 'payment', id: string, practiceId: string): Promise<boolean> {
  const [row] = await em.execute<{ patient_id: string }[]>(`select patient_id from ${table} where id = ? and practice_id = ?`, [id, practiceId]);
  if (!row) return false;
  await lockAccount(em, row.patient_id);
  return true;
}

/** The invoices, locked (in id order), each with what its allocations now add up to as its amount paid. */
async function settle(em: EntityManager, invoices: Iterable<Invoice>): Promise<void> {
  await em.flush();
  for (const invoice of invoices) {
    const [row] = await em.execute<{ paid: string }[]>('select coalesce(sum(amount), 0) as paid from payment_allocation where invoice_id = ?', [invoice.id]);
    invoice.settle(Number(row!.paid));
  }
}

async function lockInvoices(em: EntityManager, ids: string[]): Promise<Map<string, Invoice>> {
  const invoices = ids.length ? await em.find(Invoice, { id: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true }) : [];
  return new Map(invoices.map((i) => [i.id, i]));
}

/** An invoice may take `amount` more: issued (not a draft, not void), in the payment's currency, and with that much balance left. */
function assertPayable(invoice: Invoice, amount: number, currency: string, field: string) {
  if (!payable.includes(invoice.status)) throw new AppError('CONFLICT', `A ${invoice.status} invoice takes no payment`, 'invoice-not-payable');
  if (invoice.currency !== currency) throw new AppError('CONFLICT', `This invoice is in ${invoice.currency}`, 'invoice-not-payable');
  if (amount > invoice.balance) throw new AppError('BAD_REQUEST', "More than the invoice's balance", 'overpays-invoice', { [field]: [`is more than the invoice's balance (${invoice.balance})`] });
}

function allocate(em: EntityManager, recorder: Recorder, payment: Payment, invoice: Invoice, amount: number) {
  em.create(PaymentAllocation, { practice: payment.practice, payment, invoice, amount, reversal: null, refund: null, createdBy: recorder.userId, createdAt: recorder.now });
  payment.allocated = sum([payment.allocated, amount]);
}

/** The name a receipt says it was received from. */
async function payerName(em: EntityManager, kind: Payment['payerKind'], patient: Patient, guardian: Patient | null, organisation: Organisation | null): Promise<string> {
  if (kind === 'organisation') return (await em.findOneOrFail(Organisation, organisation!.id)).name;
  const person = await em.findOneOrFail(Patient, (kind === 'guardian' ? guardian! : patient).id);
  return `${person.givenName} ${person.familyName}`;
}

type NewPayment = Pick<Payment, 'method' | 'amount' | 'receivedAt' | 'payerKind'> & {
  patient: Patient;
  payerGuardian: Patient | null;
  payerOrganisation: Organisation | null;
  reference: string | null;
  externalId: string | null;
  stripeEventId: string | null;
  stripePaymentIntentId: string | null;
  /** Checked already (assertPayable) and locked. */
  allocations: { invoice: Invoice; amount: number }[];
};

/** A payment with its receipt number (in this transaction), its allocations and its invoices settled; the rest is credit. */
async function createPayment(em: EntityManager, recorder: Recorder, data: NewPayment): Promise<Payment> {
  const practice = await em.findOneOrFail(Practice, recorder.practiceId);
  const number = await nextNumber(em, { practiceId: practice.id, series: 'receipt', format: RECEIPT_NUMBER_FORMAT, at: recorder.now, timeZone: practice.timeZone });
  const payment = em.create(Payment, {
    practice,
    patient: data.patient,
    number,
    method: data.method,
    amount: data.amount,
    currency: practice.currency,
    payerKind: data.payerKind,
    payerGuardian: data.payerGuardian,
    payerOrganisation: data.payerOrganisation,
    payerName: await payerName(em, data.payerKind, data.patient, data.payerGuardian, data.payerOrganisation),
    receivedAt: data.receivedAt,
    reference: data.reference,
    externalId: data.externalId,
    stripeEventId: data.stripeEventId,
    stripePaymentIntentId: data.stripePaymentIntentId,
    recordedBy: recorder.userId,
    createdAt: recorder.now,
  });
  for (const { invoice, amount } of data.allocations) allocate(em, recorder, payment, invoice, amount);
  await settle(
    em,
    data.allocations.map((a) => a.invoice),
  );
  recordAudit(
    { em, actor: recorder.actor, meta: recorder.meta },
    {
      action: 'payment.recorded',
      practiceId: recorder.practiceId,
      actorId: recorder.userId,
      entityType: 'payment',
      entityId: payment.id,
      detail: { patientId: data.patient.id, number, method: data.method, amount: data.amount, allocated: payment.allocated },
    },
  );
  return payment;
}

async function paymentDto(em: EntityManager, payment: Payment) {
  await em.flush();
  await em.populate(payment, populate, { refresh: true });
  return toPaymentDto(payment);
}

/**
 * Records a payment for a patient, allocated to some of their issued invoices (each at most its balance,
 * the invoice locked), the rest their credit. A retry with the same `externalId` answers the payment it
 * recorded; the key on a different payment is refused.
 */
export async function recordPayment(ctx: AuthedCtx, input: RecordPaymentInput) {
  return ctx.em.transactional(async (em) => {
    const patient = await findWritablePatient(em, ctx.actor, input.patientId);
    await lockAccount(em, patient.id);
    if (input.externalId) {
      const earlier = await em.findOne(Payment, { externalId: input.externalId });
      if (earlier) {
        const same = earlier.patient.id === patient.id && earlier.amount === input.amount && earlier.method === input.method;
        if (!same) throw new AppError('CONFLICT', 'This external id names another payment', 'external-id-taken', { externalId: ['names another payment'] });
        return paymentDto(em, earlier);
      }
    }
    const payer = await payerOf(em, ctx, patient, input.payer);
    const invoices = await lockInvoices(
      em,
      input.allocations.map((a) => a.invoiceId),
    );
    const allocations = input.allocations.map((a, i) => {
      const invoice = invoices.get(a.invoiceId);
      if (!invoice || invoice.patient.id !== patient.id) throw notFound('Invoice');
      assertPayable(invoice, a.amount, ctx.actor.identity.practice.currency, `allocations.${i}.amount`);
      return { invoice, amount: a.amount };
    });
    const payment = await createPayment(em, recorderOf(ctx), {
      patient,
      method: input.method,
      amount: input.amount,
      payerKind: payer.billToKind,
      payerGuardian: payer.billToGuardian,
      payerOrganisation: payer.billToOrganisation,
      receivedAt: input.receivedAt ? new Date(input.receivedAt) : ctx.clock.now(),
      reference: input.reference,
      externalId: input.externalId ?? null,
      stripeEventId: null,
      stripePaymentIntentId: null,
      allocations,
    });
    return paymentDto(em, payment);
  });
}

/** What each invoice holds of a payment now (its allocations net of reversals), the most recently allocated first. */
async function heldByInvoice(em: EntityManager, where: { payment: Payment } | { invoice: Invoice }) {
  const rows = await em.find(PaymentAllocation, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const held = new Map<string, { paymentId: string; invoiceId: string; amount: number; order: number }>();
  rows.forEach((a, order) => {
    const key = `${a.payment.id}/${a.invoice.id}`;
    const entry = held.get(key) ?? { paymentId: a.payment.id, invoiceId: a.invoice.id, amount: 0, order };
    held.set(key, { ...entry, amount: sum([entry.amount, a.amount]), order: a.amount > 0 ? order : entry.order });
  });
  return [...held.values()].filter((h) => h.amount > 0).sort((a, b) => b.order - a.order);
}

/**
 * Gives back (part of) a payment, with the reason: never more than its unrefunded amount. It comes out of
 * what of the payment is credit first; beyond that, off the invoices it settled, the most recently
 * allocated first (reversals, linked to the refund), and those invoices owe it again.
 */
export async function refundPayment(ctx: AuthedCtx, input: RefundPaymentInput) {
  return ctx.em.transactional(async (em) => {
    if (!(await lockAccountOf(em, 'payment', input.paymentId, ctx.actor.practiceId))) throw notFound('Payment');
    const payment = await em.findOneOrFail(Payment, input.paymentId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (input.externalId) {
      const earlier = await em.findOne(Refund, { externalId: input.externalId });
      if (earlier) {
        if (earlier.payment.id !== payment.id || earlier.amount !== input.amount)
          throw new AppError('CONFLICT', 'This external id names another refund', 'external-id-taken', { externalId: ['names another refund'] });
        return paymentDto(em, payment);
      }
    }
    const refundable = payment.amount - payment.refunded;
    if (input.amount > refundable)
      throw new AppError('BAD_REQUEST', "More than the payment's unrefunded amount", 'exceeds-refundable', { amount: [`is more than what is left to refund (${refundable})`] });
    const recorder = recorderOf(ctx);
    const refund = em.create(Refund, {
      practice: payment.practice,
      payment,
      amount: input.amount,
      method: input.method ?? payment.method,
      reason: input.reason,
      refundedAt: input.refundedAt ? new Date(input.refundedAt) : recorder.now,
      reference: input.reference,
      externalId: input.externalId ?? null,
      recordedBy: ctx.actor.userId,
      createdAt: recorder.now,
    });
    let owed = Math.max(0, input.amount - payment.unapplied);
    const held = await heldByInvoice(em, { payment });
    const invoices = await lockInvoices(
      em,
      held.map((h) => h.invoiceId),
    );
    const touched: Invoice[] = [];
    for (const h of held) {
      if (owed === 0) break;
      const back = Math.min(owed, h.amount);
      const invoice = invoices.get(h.invoiceId)!;
      em.create(PaymentAllocation, { practice: payment.practice, payment, invoice, amount: -back, reversal: 'refund', refund, createdBy: ctx.actor.userId, createdAt: recorder.now });
      payment.allocated = sum([payment.allocated, -back]);
      owed -= back;
      touched.push(invoice);
    }
    payment.refunded = sum([payment.refunded, input.amount]);
    await settle(em, touched);
    recordAudit(
      { ...ctx, em },
      {
        action: 'payment.refunded',
        entityType: 'payment',
        entityId: payment.id,
        detail: { patientId: payment.patient.id, refundId: refund.id, amount: input.amount, invoices: touched.map((i) => i.id).join(',') },
      },
    );
    return paymentDto(em, payment);
  });
}

/**
 * Voiding an invoice that payments settled moves them to the patient's credit (reversals, `void`), to
 * apply to another invoice or refund: called by invoices.voidInvoice with the account and invoice locked,
 * before it marks the invoice void.
 */
export async function moveAllocationsToCredit(tx: Pick<Ctx, 'em' | 'actor' | 'meta'> & { userId: string; now: Date }, invoice: Invoice): Promise<number> {
  const { em } = tx;
  const held = await heldByInvoice(em, { invoice });
  if (!held.length) return 0;
  const payments = await em.find(Payment, { id: { $in: held.map((h) => h.paymentId) } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true });
  for (const payment of payments) {
    const back = held.filter((h) => h.paymentId === payment.id).reduce((total, h) => total + h.amount, 0);
    em.create(PaymentAllocation, { practice: payment.practice, payment, invoice, amount: -back, reversal: 'void', refund: null, createdBy: tx.userId, createdAt: tx.now });
    payment.allocated = sum([payment.allocated, -back]);
  }
  await settle(em, [invoice]);
  return sum(held.map((h) => h.amount));
}

/** The patient's payments with credit left, oldest first, locked (the caller holds the account lock). */
async function paymentsWithCredit(em: EntityManager, patientId: string): Promise<Payment[]> {
  const payments = await em.find(Payment, { patient: patientId }, { orderBy: { receivedAt: 'asc', id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  return payments.filter((p) => p.unapplied > 0);
}

/**
 * Puts the patient's credit on one of their issued invoices: `amount`, or as much as both allow; taken
 * from their payments with credit, the oldest first (allocations of those payments).
 */
export async function applyCredit(ctx: AuthedCtx, input: ApplyCreditInput) {
  return ctx.em.transactional(async (em) => {
    if (!(await lockAccountOf(em, 'invoice', input.invoiceId, ctx.actor.practiceId))) throw notFound('Invoice');
    const invoice = (await lockInvoices(em, [input.invoiceId])).get(input.invoiceId)!;
    const payments = await paymentsWithCredit(em, invoice.patient.id);
    const credit = sum(payments.map((p) => p.unapplied));
    const amount = input.amount ?? Math.min(credit, invoice.balance);
    assertPayable(invoice, amount, ctx.actor.identity.practice.currency, 'amount');
    if (amount === 0 || amount > credit)
      throw new AppError('BAD_REQUEST', 'The patient has not that much credit', 'insufficient-credit', { amount: [`is more than the patient's credit (${credit})`] });
    const recorder = recorderOf(ctx);
    let left = amount;
    const used: string[] = [];
    for (const payment of payments) {
      if (left === 0) break;
      const take = Math.min(left, payment.unapplied);
      allocate(em, recorder, payment, invoice, take);
      used.push(payment.id);
      left -= take;
    }
    await settle(em, [invoice]);
    recordAudit({ ...ctx, em }, { action: 'payment.credit-applied', entityType: 'invoice', entityId: invoice.id, detail: { patientId: invoice.patient.id, amount, payments: used.join(',') } });
    await em.flush();
    await em.populate(invoice, ['lines']);
    return toInvoiceDto(invoice);
  });
}

export async function getPayment(ctx: AuthedCtx, { id }: IdInput) {
  const payment = await ctx.em.findOne(Payment, { $and: [{ id }, visiblePayments(ctx.actor)] }, { populate });
  if (!payment) throw notFound('Payment');
  await auditRead(ctx, { action: 'payment.read', entityType: 'payment', entityId: id, detail: { patientId: payment.patient.id } });
  return toPaymentDto(payment);
}

/** The payments the actor sees (or one patient's), the most recently received first. */
export async function listPayments(ctx: AuthedCtx, input: ListPaymentsInput) {
  if (input.patientId) await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const filters = { patient: input.patientId, method: input.method, receivedAt: period(input.from, input.to) };
  const rows = await ctx.em.find(Payment, { $and: [where, visiblePayments(ctx.actor), filters] }, { orderBy, limit: input.limit + 1, populate });
  const page = toPage(rows, input.limit, sort, toPaymentDto);
  await auditRead(ctx, { action: 'payment.listed', entityType: 'payment', detail: { results: page.items.length, ids: page.items.map((p) => p.id).join(',') } });
  return page;
}

/** A paid Checkout session, as the webhook read it from Stripe's signed event (amount in ISO minor units). */
export type OnlinePayment = { practiceId: string; invoiceId: string; eventId: string; paymentIntentId: string | null; amount: number; currency: string };
export type OnlinePaymentOutcome = 'recorded' | 'duplicate' | 'unknown-invoice' | 'currency-mismatch';

/**
 * Records an online payment of an invoice once: a second delivery of the event, or another event of the
 * same payment intent, records nothing (checked under the account lock; the unique indexes are the
 * backstop). It settles as much of the invoice as is still owed and the rest is the patient's credit
 * (paid twice, or voided meanwhile). `em` is scoped to the metadata's practice: an invoice of another
 * practice is unknown.
 */
export async function recordOnlinePayment(tx: Pick<Ctx, 'em' | 'meta'> & { now: Date }, online: OnlinePayment): Promise<OnlinePaymentOutcome> {
  return tx.em.transactional(async (em) => {
    if (!(await lockAccountOf(em, 'invoice', online.invoiceId, online.practiceId))) return 'unknown-invoice';
    const seen = await em.count(Payment, { $or: [{ stripeEventId: online.eventId }, ...(online.paymentIntentId ? [{ stripePaymentIntentId: online.paymentIntentId }] : [])] });
    if (seen) return 'duplicate';
    const invoice = (await lockInvoices(em, [online.invoiceId])).get(online.invoiceId)!;
    if (invoice.currency !== online.currency) return 'currency-mismatch';
    const open = invoice.status === 'issued' || invoice.status === 'partially-paid';
    const toInvoice = open ? Math.min(online.amount, invoice.balance) : 0;
    const patient = await em.findOneOrFail(Patient, invoice.patient.id);
    await createPayment(
      em,
      { actor: null, meta: tx.meta, practiceId: online.practiceId, userId: null, now: tx.now },
      {
        patient,
        method: 'stripe' satisfies PaymentMethod,
        amount: online.amount,
        payerKind: invoice.billToKind,
        payerGuardian: invoice.billToGuardian ?? null,
        payerOrganisation: invoice.billToOrganisation ?? null,
        receivedAt: tx.now,
        reference: online.paymentIntentId,
        externalId: null,
        stripeEventId: online.eventId,
        stripePaymentIntentId: online.paymentIntentId,
        allocations: toInvoice > 0 ? [{ invoice, amount: toInvoice }] : [],
      },
    );
    return 'recorded';
  });
}
