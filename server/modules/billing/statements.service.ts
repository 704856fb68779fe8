import type { StatementInput, StatementOutput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { auditRead } from '../audit/audit.service.ts';
import { findVisiblePatient } from '../patients/patient-access.ts';
import { Invoice } from './invoice.entity.ts';
import { creditNotesOf } from './invoices.service.ts';
import { currencyDigits } from '../../../shared/money.ts';
import { sum } from './money.ts';
import { Payment } from './payment.entity.ts';

type Entry = StatementOutput['entries'][number];

/**
 * A patient's account: every invoice issued to them, every credit note, payment and refund, in date
 * order, what is owed (invoiced + credited (negative) − paid) and their credit (payments − refunds − what
 * the payments settled). It reconciles: invoiced + credited − payments + refunds = balance − credit.
 * Drafts are not on it. For whoever sees the patient (their portal, a guardian's, the care team, admins).
 */
export async function patientStatement(ctx: AuthedCtx, { patientId }: StatementInput): Promise<StatementOutput> {
  const patient = await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const invoices = await ctx.em.find(Invoice, { patient, number: { $ne: null } }, { orderBy: { issuedAt: 'asc', id: 'asc' } });
  const notes = await creditNotesOf(ctx.em, invoices);
  const payments = await ctx.em.find(Payment, { patient }, { populate: ['refunds'], orderBy: { receivedAt: 'asc', id: 'asc' } });
  const entries: Entry[] = invoices.flatMap((i) => {
    const invoice = {
      kind: 'invoice' as const,
      id: i.id,
      invoiceId: i.id,
      number: i.number!,
      at: i.issuedAt!.toISOString(),
      dueAt: i.dueAt?.toISOString() ?? null,
      total: i.total,
      amountPaid: i.amountPaid,
    };
    const note = notes.get(i.id);
    return note
      ? [invoice, { kind: 'credit-note' as const, id: note.id, invoiceId: i.id, number: note.number, at: note.issuedAt.toISOString(), dueAt: null, total: note.total, amountPaid: 0 }]
      : [invoice];
  });
  for (const p of payments) {
    entries.push({ kind: 'payment', id: p.id, invoiceId: null, number: p.number, at: p.receivedAt.toISOString(), dueAt: null, total: -p.amount, amountPaid: 0 });
    for (const r of p.refunds) entries.push({ kind: 'refund', id: r.id, invoiceId: null, number: null, at: r.refundedAt.toISOString(), dueAt: null, total: r.amount, amountPaid: 0 });
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  const totalOf = (kind: Entry['kind']) => sum(entries.filter((e) => e.kind === kind).map((e) => e.total));
  const totalInvoiced = totalOf('invoice');
  const totalCredited = totalOf('credit-note');
  const totalPaid = sum(entries.map((e) => e.amountPaid));
  const currency = ctx.actor.identity.practice.currency;
  await auditRead(ctx, { action: 'statement.read', entityType: 'patient', entityId: patient.id, detail: { patientId: patient.id } });
  return {
    patientId: patient.id,
    currency,
    currencyDigits: currencyDigits(currency),
    entries,
    totalInvoiced,
    totalCredited,
    totalPaid,
    totalPayments: -totalOf('payment'),
    totalRefunds: totalOf('refund'),
    balance: sum([totalInvoiced, totalCredited, -totalPaid]),
    credit: sum(payments.map((p) => p.unapplied)),
  };
}
