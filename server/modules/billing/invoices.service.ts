import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MAX_INVOICE_LINES, type AddLineInput, type BillTo, type CreateDraftInput, type ListInvoicesInput, type RemoveLineInput, type VoidInvoiceInput } from '../../../shared/schemas/billing.ts';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, toPage, type SortKey } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { Guardianship } from '../patients/guardianship.entity.ts';
import { findVisiblePatient, findWritablePatient } from '../patients/patient-access.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { visibleInvoices } from './billing-access.ts';
import { toInvoiceDto } from './billing.dto.ts';
import { Charge } from './charge.entity.ts';
import { assertDiscount } from './charges.service.ts';
import { CreditNote } from './credit-note.entity.ts';
import { InvoiceLine } from './invoice-line.entity.ts';
import { Invoice } from './invoice.entity.ts';
import { lineAmounts } from './line-tax.ts';
import { exact } from './money.ts';
import { nextNumber } from './numbering.ts';
import { Organisation } from './organisation.entity.ts';
import { lockAccountOf, moveAllocationsToCredit } from './payments.service.ts';
import { findChargeableService } from './price-list.service.ts';
import { addCreditNote, addIssuedInvoice } from './revenue-days.ts';
import type { Service } from './service.entity.ts';

const sort: SortKey[] = [{ field: 'createdAt', dir: 'desc', date: true }];
const populate = ['lines'] as const;
const DAY_MS = 86_400_000;

/** The credit notes of these invoices, by invoice id. */
export async function creditNotesOf(em: EntityManager, invoices: readonly Invoice[]): Promise<Map<string, CreditNote>> {
  const notes = invoices.some((i) => i.status === 'void') ? await em.find(CreditNote, { invoice: { $in: invoices.map((i) => i.id) } }) : [];
  return new Map(notes.map((n) => [n.invoice.id, n]));
}

const tooManyLines = () => new AppError('BAD_REQUEST', `An invoice holds at most ${MAX_INVOICE_LINES} lines`, 'too-many-lines');

/** An invoice of the practice, locked for a change by an admin (the only role that changes one), with its lines. */
async function findInvoiceToChange(em: EntityManager, id: string): Promise<Invoice> {
  const invoice = await em.findOne(Invoice, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!invoice) throw notFound('Invoice');
  await em.populate(invoice, populate);
  return invoice;
}

/** Who a draft is addressed to, checked: a guardian of the patient (by their own record), or an organisation still in use. */
export async function payerOf(em: EntityManager, ctx: AuthedCtx, patient: Patient, billTo: BillTo) {
  switch (billTo.kind) {
    case 'patient':
      return { billToKind: 'patient' as const, billToGuardian: null, billToOrganisation: null };
    case 'guardian': {
      const guardian = await findVisiblePatient(em, ctx.actor, billTo.guardianPatientId);
      const guards = guardian.portalUser && (await em.count(Guardianship, { dependent: patient, guardian: guardian.portalUser }));
      if (!guards) throw new AppError('BAD_REQUEST', 'Invalid input', null, { 'billTo.guardianPatientId': ['is not a guardian of the patient'] });
      return { billToKind: 'guardian' as const, billToGuardian: guardian, billToOrganisation: null };
    }
    case 'organisation': {
      const organisation = await em.findOne(Organisation, { id: billTo.organisationId });
      if (!organisation) throw notFound('Organisation');
      if (!organisation.active) throw new AppError('BAD_REQUEST', 'Invalid input', null, { 'billTo.organisationId': ['is archived'] });
      return { billToKind: 'organisation' as const, billToGuardian: null, billToOrganisation: organisation };
    }
  }
}

/** Adds a line (a snapshot of the service, its tax rate and the amounts worked out by line-tax.ts), and the charge it bills, to a draft. */
function appendLine(
  em: EntityManager,
  invoice: Invoice,
  { service, quantity, unitPrice, discount, charge }: { service: Service; quantity: number; unitPrice: number; discount: number; charge: Charge | null },
) {
  const lines = invoice.lines.getItems();
  if (lines.length >= MAX_INVOICE_LINES) throw tooManyLines();
  const rate = service.taxRate ?? null;
  const amounts = lineAmounts({ quantity, unitPrice, discount, components: rate?.components ?? [], pricesIncludeTax: invoice.pricesIncludeTax });
  const line = em.create(InvoiceLine, {
    practice: invoice.practice,
    invoice,
    position: Math.max(0, ...lines.map((l) => l.position)) + 1,
    charge,
    service,
    serviceCode: service.code,
    serviceName: service.name,
    quantity,
    unitPrice,
    discount,
    taxRateName: rate?.name ?? null,
    taxComponents: amounts.components,
    net: amounts.net,
    tax: amounts.tax,
    total: amounts.total,
  });
  invoice.lines.add(line);
  if (charge) Object.assign(charge, { status: 'invoiced', invoice, updatedAt: invoice.updatedAt });
}

/** A charge's line: its quantity, unit price and discount, taxed by its service's rate now. */
function appendCharge(em: EntityManager, invoice: Invoice, charge: Charge) {
  appendLine(em, invoice, { service: charge.service, quantity: charge.quantity, unitPrice: charge.unitPrice, discount: charge.discount, charge });
}

/** Its charges back to uninvoiced: the invoice that billed them is void (or the line is gone). */
function release(charges: readonly Charge[], at: Date) {
  for (const charge of charges) Object.assign(charge, { status: 'uninvoiced', invoice: null, updatedAt: at });
}

/**
 * A draft for a patient, in the practice's currency and price basis, addressed as `billTo` says: with all
 * the patient's uninvoiced charges as lines (oldest first; locked, so two drafts at once cannot bill one
 * charge twice), or empty.
 */
export async function createDraft(ctx: AuthedCtx, { patientId, billTo, fromCharges }: CreateDraftInput) {
  return ctx.em.transactional(async (em) => {
    const patient = await findWritablePatient(em, ctx.actor, patientId);
    const payer = await payerOf(em, ctx, patient, billTo);
    const practice = await em.findOneOrFail(Practice, ctx.actor.practiceId);
    const now = ctx.clock.now();
    const invoice = em.create(Invoice, {
      practice,
      patient,
      ...payer,
      number: null,
      status: 'draft',
      currency: practice.currency,
      pricesIncludeTax: practice.pricesIncludeTax,
      billToName: null,
      billToAddress: null,
      taxSummary: [],
      issuedAt: null,
      issuedBy: null,
      dueAt: null,
      voidedAt: null,
      voidedBy: null,
      voidReason: null,
      createdBy: ctx.actor.userId,
      createdAt: now,
      updatedAt: now,
    });
    if (fromCharges) {
      const charges = await em.find(Charge, { patient, status: 'uninvoiced' }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: MAX_INVOICE_LINES + 1, lockMode: LockMode.PESSIMISTIC_WRITE });
      if (charges.length > MAX_INVOICE_LINES) throw tooManyLines();
      await em.populate(charges, ['service.taxRate']);
      for (const charge of charges) appendCharge(em, invoice, charge);
    }
    invoice.retotal();
    recordAudit({ ...ctx, em }, { action: 'invoice.drafted', entityType: 'invoice', entityId: invoice.id, detail: { patientId, lines: invoice.lines.length } });
    return toInvoiceDto(invoice);
  });
}

/** A line on a draft: one of the patient's uninvoiced charges, or a service by hand at its current price. */
export async function addLine(ctx: AuthedCtx, { invoiceId, line }: AddLineInput) {
  return ctx.em.transactional(async (em) => {
    const invoice = await findInvoiceToChange(em, invoiceId);
    invoice.assertDraft();
    invoice.updatedAt = ctx.clock.now();
    if (line.kind === 'charge') {
      const charge = await em.findOne(Charge, { id: line.chargeId, patient: invoice.patient }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!charge) throw notFound('Charge');
      if (charge.status !== 'uninvoiced') throw new AppError('CONFLICT', `This charge is ${charge.status}`, charge.status === 'invoiced' ? 'charge-invoiced' : 'invalid-transition');
      await em.populate(charge, ['service.taxRate']);
      appendCharge(em, invoice, charge);
    } else {
      const service = await findChargeableService(em, line.serviceId, 'line.serviceId');
      assertDiscount(line.quantity, service.price, line.discount);
      appendLine(em, invoice, { service, quantity: line.quantity, unitPrice: service.price, discount: line.discount, charge: null });
    }
    invoice.retotal();
    recordAudit({ ...ctx, em }, { action: 'invoice.line-added', entityType: 'invoice', entityId: invoice.id, detail: { patientId: invoice.patient.id } });
    return toInvoiceDto(invoice);
  });
}

/** A line off a draft; its charge, if it had one, is uninvoiced again. */
export async function removeLine(ctx: AuthedCtx, { invoiceId, lineId }: RemoveLineInput) {
  return ctx.em.transactional(async (em) => {
    const invoice = await findInvoiceToChange(em, invoiceId);
    const line = invoice.lines.getItems().find((l) => l.id === lineId);
    if (!line) throw notFound('Invoice line');
    invoice.assertDraft();
    invoice.updatedAt = ctx.clock.now();
    if (line.charge) release([await em.findOneOrFail(Charge, line.charge.id, { lockMode: LockMode.PESSIMISTIC_WRITE })], invoice.updatedAt);
    invoice.lines.remove(line);
    invoice.retotal();
    recordAudit({ ...ctx, em }, { action: 'invoice.line-removed', entityType: 'invoice', entityId: invoice.id, detail: { patientId: invoice.patient.id } });
    return toInvoiceDto(invoice);
  });
}

/** The name and address an invoice is issued to, copied then: a later change of address does not change it. */
async function addressee(em: EntityManager, invoice: Invoice) {
  if (invoice.billToKind === 'organisation') {
    const organisation = await em.findOneOrFail(Organisation, invoice.billToOrganisation!.id);
    return { billToName: organisation.name, billToAddress: organisation.address ?? null };
  }
  const person = await em.findOneOrFail(Patient, (invoice.billToKind === 'guardian' ? invoice.billToGuardian! : invoice.patient).id);
  return { billToName: `${person.givenName} ${person.familyName}`, billToAddress: person.address ?? null };
}

/**
 * Issues a draft: in one transaction it takes the practice's next invoice number (numbering.ts: gapless,
 * and two issues at once take turns on the sequence's row), sets issuedAt, dueAt (the practice's payment
 * terms) and the addressee, and freezes it. A refusal (not a draft, no lines) takes no number.
 */
export async function issueInvoice(ctx: AuthedCtx, { id }: IdInput) {
  return ctx.em.transactional(async (em) => {
    const invoice = await findInvoiceToChange(em, id);
    if (invoice.status !== 'draft') throw new AppError('CONFLICT', `A ${invoice.status} invoice cannot be issued`, 'invalid-transition');
    if (!invoice.lines.length) throw new AppError('BAD_REQUEST', 'An invoice needs at least one line to be issued', 'invoice-empty');
    const practice = await em.findOneOrFail(Practice, ctx.actor.practiceId);
    const now = ctx.clock.now();
    const number = await nextNumber(em, { practiceId: practice.id, series: 'invoice', format: practice.invoiceNumberFormat, at: now, timeZone: practice.timeZone });
    Object.assign(invoice, {
      number,
      status: 'issued',
      issuedAt: now,
      issuedBy: ctx.actor.userId,
      dueAt: new Date(now.getTime() + practice.paymentTermsDays * DAY_MS),
      updatedAt: now,
      ...(await addressee(em, invoice)),
    });
    recordAudit({ ...ctx, em }, { action: 'invoice.issued', entityType: 'invoice', entityId: invoice.id, detail: { patientId: invoice.patient.id, number } });
    await em.flush();
    await addIssuedInvoice(em, practice.id, invoice.id);
    return toInvoiceDto(invoice);
  });
}

const negate = (n: number) => exact(-BigInt(n));

/**
 * Voids an invoice, with the reason. An issued one gets a credit note (the next number of the credit-note
 * series, its amounts negated) and stays, marked void; a draft is discarded (void, never numbered). Either
 * way its charges are uninvoiced again, to bill anew. What payments settled of it becomes the patient's
 * credit (payments.service.ts), under the account's lock like every movement of its money.
 */
export async function voidInvoice(ctx: AuthedCtx, { id, reason }: VoidInvoiceInput) {
  return ctx.em.transactional(async (em) => {
    if (!(await lockAccountOf(em, 'invoice', id, ctx.actor.practiceId))) throw notFound('Invoice');
    const invoice = await findInvoiceToChange(em, id);
    if (invoice.status === 'void') throw new AppError('CONFLICT', 'This invoice is void already', 'invalid-transition');
    const now = ctx.clock.now();
    const tx = { ...ctx, em };
    let creditNote: CreditNote | null = null;
    if (invoice.status !== 'draft') {
      const toCredit = await moveAllocationsToCredit({ ...tx, userId: ctx.actor.userId, now }, invoice);
      const practice = await em.findOneOrFail(Practice, ctx.actor.practiceId);
      const number = await nextNumber(em, { practiceId: practice.id, series: 'credit-note', format: practice.creditNoteNumberFormat, at: now, timeZone: practice.timeZone });
      creditNote = em.create(CreditNote, {
        practice,
        invoice,
        number,
        subtotal: negate(invoice.subtotal),
        tax: negate(invoice.tax),
        total: negate(invoice.total),
        taxSummary: invoice.taxSummary.map((c) => ({ ...c, tax: negate(c.tax) })),
        reason,
        issuedAt: now,
        issuedBy: ctx.actor.userId,
      });
      recordAudit(tx, { action: 'invoice.voided', entityType: 'invoice', entityId: invoice.id, detail: { patientId: invoice.patient.id, creditNote: number, toCredit } });
      await em.flush();
      await addCreditNote(em, practice.id, creditNote.id);
    } else {
      recordAudit(tx, { action: 'invoice.discarded', entityType: 'invoice', entityId: invoice.id, detail: { patientId: invoice.patient.id } });
    }
    release(await em.find(Charge, { invoice }, { lockMode: LockMode.PESSIMISTIC_WRITE }), now);
    Object.assign(invoice, { status: 'void', voidedAt: now, voidedBy: ctx.actor.userId, voidReason: reason, updatedAt: now });
    return toInvoiceDto(invoice, creditNote);
  });
}

export async function getInvoice(ctx: AuthedCtx, { id }: IdInput) {
  const invoice = await ctx.em.findOne(Invoice, { $and: [{ id }, visibleInvoices(ctx.actor)] }, { populate });
  if (!invoice) throw notFound('Invoice');
  await auditRead(ctx, { action: 'invoice.read', entityType: 'invoice', entityId: id, detail: { patientId: invoice.patient.id } });
  return toInvoiceDto(invoice, (await creditNotesOf(ctx.em, [invoice])).get(id) ?? null);
}

/** The invoices the actor sees (or one patient's), newest first. */
export async function listInvoices(ctx: AuthedCtx, input: ListInvoicesInput) {
  if (input.patientId) await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const filters = { patient: input.patientId, status: input.status, number: input.number };
  const rows = await ctx.em.find(Invoice, { $and: [where, visibleInvoices(ctx.actor), filters] }, { orderBy, limit: input.limit + 1, populate });
  const notes = await creditNotesOf(ctx.em, rows);
  const page = toPage(rows, input.limit, sort, (i) => toInvoiceDto(i, notes.get(i.id) ?? null));
  await auditRead(ctx, { action: 'invoice.listed', entityType: 'invoice', detail: { results: page.items.length, ids: page.items.map((i) => i.id).join(',') } });
  return page;
}
