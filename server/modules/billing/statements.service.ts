import type { StatementInput, StatementOutput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { auditRead } from '../audit/audit.service.ts';
import { findVisiblePatient } from '../patients/patient-access.ts';
import { Invoice } from './invoice.entity.ts';
import { creditNotesOf } from './invoices.service.ts';
import { currencyDigits, sum } from './money.ts';

/**
 * A patient's account: every invoice issued to them and every credit note, in date order, and what is
 * owed: invoiced + credited (negative) − paid. Drafts are not on it. For whoever sees the patient (their
 * portal, a guardian's, the care team, admins).
 */
export async function patientStatement(ctx: AuthedCtx, { patientId }: StatementInput): Promise<StatementOutput> {
  const patient = await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const invoices = await ctx.em.find(Invoice, { patient, number: { $ne: null } }, { orderBy: { issuedAt: 'asc', id: 'asc' } });
  const notes = await creditNotesOf(ctx.em, invoices);
  const entries = invoices.flatMap((i) => {
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
  entries.sort((a, b) => a.at.localeCompare(b.at));
  const totalInvoiced = sum(entries.filter((e) => e.kind === 'invoice').map((e) => e.total));
  const totalCredited = sum(entries.filter((e) => e.kind === 'credit-note').map((e) => e.total));
  const totalPaid = sum(entries.map((e) => e.amountPaid));
  const currency = ctx.actor.identity.practice.currency;
  await auditRead(ctx, { action: 'statement.read', entityType: 'patient', entityId: patient.id, detail: { patientId: patient.id } });
  return { patientId: patient.id, currency, currencyDigits: currencyDigits(currency), entries, totalInvoiced, totalCredited, totalPaid, balance: sum([totalInvoiced, totalCredited, -totalPaid]) };
}
