import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../server/clock.ts';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, newEmail, sql, type TestUser } from '../../fixtures.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';

/** Payments, allocations, credit, refunds and receipts, through HTTP (issue 16 §3). */

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let item: { id: string };
const clock = manualClock('2027-03-01T10:00:00Z');

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  carer = await inviteUser(t, admin);
  // One unit of an untaxed item costs 1: an invoice of n units totals n.
  item = await t.client(admin.token).services.create.mutate({ code: 'UNIT', name: 'Unit', price: 1 });
});
afterAll(() => t.close());

const api = () => t.client(admin.token);
const payments = () => api().payments;

/** An issued invoice of `total` for the patient. */
async function invoiceOf(patientId: string, total: number) {
  const draft = await api().invoices.createDraft.mutate({ patientId, fromCharges: false });
  await api().invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: item.id, quantity: total, discount: 0 } });
  return api().invoices.issue.mutate({ id: draft.id });
}
const invoice = (id: string) => api().invoices.byId.query({ id });
const statement = (patientId: string) => api().statements.byPatient.query({ patientId });

/** The statement's reconciliation: invoiced − credit notes − payments + refunds = balance owed − credit. */
function expectReconciled(s: Awaited<ReturnType<typeof statement>>) {
  expect(s.totalInvoiced + s.totalCredited - s.totalPayments + s.totalRefunds).toBe(s.balance - s.credit);
  expect(s.credit).toBeGreaterThanOrEqual(0);
}

describe('recording a payment', () => {
  it('allocates it to invoices (partly or wholly), the rest credit, with a receipt number; byId holds the receipt', async () => {
    const patient = await createPatient(t, carer.token);
    const [a, b] = [await invoiceOf(patient.id, 5000), await invoiceOf(patient.id, 3000)];
    const paid = await payments().record.mutate({
      patientId: patient.id,
      amount: 9000,
      method: 'card',
      reference: 'slip 4411',
      allocations: [
        { invoiceId: a.id, amount: 5000 },
        { invoiceId: b.id, amount: 2000 },
      ],
    });
    expect(paid).toMatchObject({ number: 'RCT-2027-000001', method: 'card', amount: 9000, currency: 'EUR', currencyDigits: 2, allocated: 7000, refunded: 0, credit: 2000, reference: 'slip 4411' });
    expect(paid.payer).toMatchObject({ kind: 'patient', name: `${patient.givenName} ${patient.familyName}` });
    expect(paid.allocations.map((x) => [x.invoiceNumber, x.amount, x.reversal])).toEqual([
      [a.number, 5000, null],
      [b.number, 2000, null],
    ]);
    expect(await invoice(a.id)).toMatchObject({ status: 'paid', amountPaid: 5000, balance: 0 });
    expect(await invoice(b.id)).toMatchObject({ status: 'partially-paid', amountPaid: 2000, balance: 1000 });
    expect(await payments().byId.query({ id: paid.id })).toEqual(paid);
    const s = await statement(patient.id);
    expect(s).toMatchObject({ totalInvoiced: 8000, totalPaid: 7000, totalPayments: 9000, balance: 1000, credit: 2000 });
    expect(s.entries.map((e) => [e.kind, e.total])).toEqual([
      ['invoice', 5000],
      ['invoice', 3000],
      ['payment', -9000],
    ]);
    expectReconciled(s);
    expect((await auditTrail(t, paid.id)).map((e) => e.action)).toEqual(['payment.recorded', 'payment.read']);
  });

  it('refuses an allocation beyond the balance, beyond the payment, to a draft or void invoice, or to another patient; a refusal takes no receipt number', async () => {
    const patient = await createPatient(t, carer.token);
    const other = await createPatient(t, carer.token);
    const open = await invoiceOf(patient.id, 1000);
    const before = await sql(t, "select last_value from billing_sequence where practice_id = ? and series = 'receipt'", [admin.practiceId]);
    const record = (allocations: { invoiceId: string; amount: number }[], amount = 1000) => rejection(payments().record.mutate({ patientId: patient.id, amount, method: 'cash', allocations }));

    expect(await record([{ invoiceId: open.id, amount: 1001 }], 2000)).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'overpays-invoice',
      fieldErrors: { 'allocations.0.amount': [expect.stringContaining('1000')] },
    });
    expect(await record([{ invoiceId: open.id, amount: 600 }], 500)).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { allocations: [expect.any(String)] } });
    const draft = await api().invoices.createDraft.mutate({ patientId: patient.id, fromCharges: false });
    expect(await record([{ invoiceId: draft.id, amount: 1 }])).toMatchObject({ code: 'CONFLICT', reason: 'invoice-not-payable' });
    const voided = await invoiceOf(patient.id, 10);
    await api().invoices.void.mutate({ id: voided.id, reason: 'Wrong' });
    expect(await record([{ invoiceId: voided.id, amount: 1 }])).toMatchObject({ code: 'CONFLICT', reason: 'invoice-not-payable' });
    const theirs = await invoiceOf(other.id, 100);
    expect((await record([{ invoiceId: theirs.id, amount: 1 }])).code).toBe('NOT_FOUND');
    // Money is integers of minor units: no fractions, no zero, nothing negative.
    for (const amount of [12.5, 0, -1]) expect((await rejection(payments().record.mutate({ patientId: patient.id, amount, method: 'cash' }))).fieldErrors).toHaveProperty('amount');
    expect((await rejection(payments().record.mutate({ patientId: patient.id, amount: 1, method: 'stripe' as 'cash' }))).fieldErrors).toHaveProperty('method');

    expect(await sql(t, "select last_value from billing_sequence where practice_id = ? and series = 'receipt'", [admin.practiceId])).toEqual(before);
    expect(await invoice(open.id)).toMatchObject({ status: 'issued', amountPaid: 0 });
  });

  it('is recorded once per external id: a retry answers the same payment; the key on another payment is refused', async () => {
    const patient = await createPatient(t, carer.token);
    const due = await invoiceOf(patient.id, 700);
    const input = { patientId: patient.id, amount: 700, method: 'bank-transfer' as const, externalId: 'bank-2027-03-01-17', allocations: [{ invoiceId: due.id, amount: 700 }] };
    const [first, second] = await Promise.all([payments().record.mutate(input), payments().record.mutate(input)]);
    expect(second).toEqual(first);
    expect(await payments().record.mutate(input)).toEqual(first);
    expect(await sql(t, 'select count(*)::int as n from payment where patient_id = ?', [patient.id])).toEqual([{ n: 1 }]);
    expect(await invoice(due.id)).toMatchObject({ status: 'paid', amountPaid: 700 });
    expect(await rejection(payments().record.mutate({ ...input, amount: 500, allocations: [] }))).toMatchObject({ code: 'CONFLICT', reason: 'external-id-taken' });
  });

  it('from a guardian or an insurer names them on the receipt', async () => {
    const patient = await createPatient(t, carer.token);
    const insurer = await api().organisations.create.mutate({ name: 'Acme Health', kind: 'insurer' });
    const paid = await payments().record.mutate({ patientId: patient.id, amount: 100, method: 'insurer', payer: { kind: 'organisation', organisationId: insurer.id }, reference: 'CLAIM-9' });
    expect(paid.payer).toEqual({ kind: 'organisation', guardianPatientId: null, organisationId: insurer.id, name: 'Acme Health' });
  });

  it('two payments at once against one invoice never overpay it: the second finds no balance left', async () => {
    const patient = await createPatient(t, carer.token);
    const due = await invoiceOf(patient.id, 2500);
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => payments().record.mutate({ patientId: patient.id, amount: 2500, method: 'cash', allocations: [{ invoiceId: due.id, amount: 2500 }] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = await Promise.all(results.filter((r) => r.status === 'rejected').map((r) => rejection(Promise.reject(r.reason))));
    expect(refused.map((e) => e.reason)).toEqual(['overpays-invoice', 'overpays-invoice', 'overpays-invoice']);
    expect(await invoice(due.id)).toMatchObject({ status: 'paid', amountPaid: 2500, balance: 0 });
  });
});

describe('credit', () => {
  it('an overpayment is credit, applied to a later invoice (oldest payments first); never more than there is', async () => {
    const patient = await createPatient(t, carer.token);
    const first = await invoiceOf(patient.id, 400);
    await payments().record.mutate({ patientId: patient.id, amount: 1000, method: 'cash', allocations: [{ invoiceId: first.id, amount: 400 }] });
    await payments().record.mutate({ patientId: patient.id, amount: 300, method: 'cash' });
    expect((await statement(patient.id)).credit).toBe(900);

    const later = await invoiceOf(patient.id, 1200);
    expect(await rejection(payments().applyCredit.mutate({ invoiceId: later.id, amount: 901 }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'insufficient-credit' });
    expect(await payments().applyCredit.mutate({ invoiceId: later.id, amount: 700 })).toMatchObject({ status: 'partially-paid', amountPaid: 700, balance: 500 });
    // The rest of the credit (200), as much as there is.
    expect(await payments().applyCredit.mutate({ invoiceId: later.id })).toMatchObject({ amountPaid: 900, balance: 300 });
    expect(await rejection(payments().applyCredit.mutate({ invoiceId: later.id }))).toMatchObject({ reason: 'insufficient-credit' });
    const s = await statement(patient.id);
    expect(s).toMatchObject({ credit: 0, balance: 300, totalPayments: 1300 });
    expectReconciled(s);
    const listed = await payments().list.query({ patientId: patient.id });
    expect(listed.items.map((p) => [p.amount, p.allocated, p.credit])).toEqual([
      [300, 300, 0],
      [1000, 1000, 0],
    ]);
    expect((await rejection(t.client(carer.token).payments.applyCredit.mutate({ invoiceId: later.id }))).code).toBe('FORBIDDEN');
  });

  it("voiding a paid invoice moves what paid it to the patient's credit", async () => {
    const patient = await createPatient(t, carer.token);
    const wrong = await invoiceOf(patient.id, 800);
    const paid = await payments().record.mutate({ patientId: patient.id, amount: 800, method: 'card', allocations: [{ invoiceId: wrong.id, amount: 800 }] });
    const voided = await api().invoices.void.mutate({ id: wrong.id, reason: 'Billed twice' });
    expect(voided).toMatchObject({ status: 'void', amountPaid: 0, balance: 800 });
    expect(voided.creditNote).toMatchObject({ total: -800 });
    const after = await payments().byId.query({ id: paid.id });
    expect(after).toMatchObject({ allocated: 0, credit: 800 });
    expect(after.allocations.map((a) => [a.amount, a.reversal])).toEqual([
      [800, null],
      [-800, 'void'],
    ]);
    const s = await statement(patient.id);
    expect(s).toMatchObject({ balance: 0, credit: 800 });
    expectReconciled(s);
    expect(await rejection(payments().record.mutate({ patientId: patient.id, amount: 1, method: 'cash', allocations: [{ invoiceId: wrong.id, amount: 1 }] }))).toMatchObject({
      reason: 'invoice-not-payable',
    });
  });
});

describe('refunds', () => {
  it('come out of the credit first, then off the invoices the payment settled; never more than is unrefunded', async () => {
    const patient = await createPatient(t, carer.token);
    const due = await invoiceOf(patient.id, 600);
    const paid = await payments().record.mutate({ patientId: patient.id, amount: 1000, method: 'card', allocations: [{ invoiceId: due.id, amount: 600 }] });
    const once = await payments().refund.mutate({ paymentId: paid.id, amount: 300, reason: 'Overpaid' });
    expect(once).toMatchObject({ refunded: 300, allocated: 600, credit: 100 });
    expect(once.refunds).toEqual([expect.objectContaining({ amount: 300, reason: 'Overpaid', method: 'card', recordedBy: admin.id })]);
    expect(await invoice(due.id)).toMatchObject({ status: 'paid' });

    const twice = await payments().refund.mutate({ paymentId: paid.id, amount: 350, reason: 'Visit cancelled', method: 'cash', externalId: 'refund-77' });
    expect(twice).toMatchObject({ refunded: 650, allocated: 350, credit: 0 });
    expect(twice.allocations.at(-1)).toMatchObject({ amount: -250, reversal: 'refund', refundId: twice.refunds[1]!.id });
    expect(await invoice(due.id)).toMatchObject({ status: 'partially-paid', amountPaid: 350, balance: 250 });
    // A retry of the same refund records nothing more.
    expect(await payments().refund.mutate({ paymentId: paid.id, amount: 350, reason: 'Visit cancelled', method: 'cash', externalId: 'refund-77' })).toEqual(twice);

    expect(await rejection(payments().refund.mutate({ paymentId: paid.id, amount: 351, reason: 'Too much' }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'exceeds-refundable',
      fieldErrors: { amount: [expect.stringContaining('350')] },
    });
    const all = await payments().refund.mutate({ paymentId: paid.id, amount: 350, reason: 'The rest' });
    expect(all).toMatchObject({ refunded: 1000, allocated: 0, credit: 0 });
    expect(await invoice(due.id)).toMatchObject({ status: 'issued', amountPaid: 0, balance: 600 });
    const s = await statement(patient.id);
    expect(s).toMatchObject({ totalPayments: 1000, totalRefunds: 1000, balance: 600, credit: 0 });
    expect(s.entries.filter((e) => e.kind === 'refund').map((e) => e.total)).toEqual([300, 350, 350]);
    expectReconciled(s);
    expect((await auditTrail(t, paid.id)).map((e) => e.action)).toEqual(['payment.recorded', 'payment.refunded', 'payment.refunded', 'payment.refunded']);
    // Nothing was deleted: each allocation and reversal is a row.
    expect(await sql(t, 'select amount::int, reversal from payment_allocation where payment_id = ? order by created_at, amount desc', [paid.id])).toEqual([
      { amount: 600, reversal: null },
      { amount: -250, reversal: 'refund' },
      { amount: -350, reversal: 'refund' },
    ]);
  });
});

describe('who sees payments', () => {
  it('patients and guardians their own in the portal; the care team reads them; only admins record; other practices see nothing', async () => {
    const patient = await createPatient(t, carer.token, { email: newEmail('payer') });
    const portal = await invitePatientToPortal(t, carer.token, patient.id);
    const mine = await payments().record.mutate({ patientId: patient.id, amount: 50, method: 'cash' });
    const stranger = await createPatient(t, carer.token);
    const theirs = await payments().record.mutate({ patientId: stranger.id, amount: 60, method: 'cash' });

    const own = t.client(portal.token).payments;
    expect((await own.list.query({})).items.map((p) => p.id)).toEqual([mine.id]);
    expect((await own.byId.query({ id: mine.id })).number).toBe(mine.number);
    expect((await rejection(own.byId.query({ id: theirs.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(own.list.query({ patientId: stranger.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(own.record.mutate({ patientId: patient.id, amount: 1, method: 'cash' }))).code).toBe('FORBIDDEN');
    expect((await rejection(own.refund.mutate({ paymentId: mine.id, amount: 1, reason: 'x' }))).code).toBe('FORBIDDEN');
    expect((await t.client(portal.token).statements.byPatient.query({ patientId: patient.id })).credit).toBe(50);

    expect((await t.client(carer.token).payments.byId.query({ id: mine.id })).amount).toBe(50);
    expect((await rejection(t.client(carer.token).payments.record.mutate({ patientId: patient.id, amount: 1, method: 'cash' }))).code).toBe('FORBIDDEN');
    const offTeam = await inviteUser(t, admin);
    expect((await rejection(t.client(offTeam.token).payments.byId.query({ id: mine.id }))).code).toBe('NOT_FOUND');

    const { admin: elsewhere } = await createPractice(t);
    expect((await rejection(t.client(elsewhere.token).payments.byId.query({ id: mine.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(elsewhere.token).payments.refund.mutate({ paymentId: mine.id, amount: 1, reason: 'x' }))).code).toBe('NOT_FOUND');
    expect((await t.client(elsewhere.token).payments.list.query({})).items).toEqual([]);
  });

  it('lists by method and period, newest first, a page at a time', async () => {
    const patient = await createPatient(t, carer.token);
    const at = (day: number) => `2027-02-${String(day).padStart(2, '0')}T09:00:00Z`;
    for (const [day, method] of [
      [1, 'cash'],
      [2, 'card'],
      [3, 'cash'],
      [4, 'cash'],
    ] as const)
      await payments().record.mutate({ patientId: patient.id, amount: day, method, receivedAt: at(day) });
    const cash = await payments().list.query({ patientId: patient.id, method: 'cash', limit: 2 });
    expect(cash.items.map((p) => p.amount)).toEqual([4, 3]);
    expect((await payments().list.query({ patientId: patient.id, method: 'cash', limit: 2, cursor: cash.nextCursor! })).items.map((p) => p.amount)).toEqual([1]);
    expect((await payments().list.query({ patientId: patient.id, from: at(2), to: at(4) })).items.map((p) => p.amount)).toEqual([3, 2]);
  });
});

describe('the statement reconciles', () => {
  it('for any sequence of invoices, payments, credit applied, refunds and voids', async () => {
    type Op =
      | { kind: 'invoice'; total: number }
      | { kind: 'pay'; amount: number; share: number; invoice: number }
      | { kind: 'credit'; invoice: number }
      | { kind: 'refund'; payment: number; share: number }
      | { kind: 'void'; invoice: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('invoice' as const), total: fc.integer({ min: 1, max: 5000 }) }),
      fc.record({ kind: fc.constant('pay' as const), amount: fc.integer({ min: 1, max: 5000 }), share: fc.double({ min: 0, max: 1, noNaN: true }), invoice: fc.nat() }),
      fc.record({ kind: fc.constant('credit' as const), invoice: fc.nat() }),
      fc.record({ kind: fc.constant('refund' as const), payment: fc.nat(), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('void' as const), invoice: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const patient = await createPatient(t, carer.token);
        const invoices: { id: string }[] = [];
        const paid: { id: string }[] = [];
        const pick = <T>(list: T[], n: number) => (list.length ? list[n % list.length] : undefined);
        for (const o of ops) {
          if (o.kind === 'invoice') invoices.push(await invoiceOf(patient.id, o.total));
          else if (o.kind === 'pay') {
            const target = pick(invoices, o.invoice);
            const open = target && (await invoice(target.id));
            // The test's own share of a random amount, as an integer (the API takes only integers).
            const share = open && open.status !== 'void' ? Math.min(open.balance, Math.floor(o.amount * o.share)) : 0;
            paid.push(await payments().record.mutate({ patientId: patient.id, amount: o.amount, method: 'cash', allocations: share > 0 ? [{ invoiceId: target!.id, amount: share }] : [] }));
          } else if (o.kind === 'credit') {
            const target = pick(invoices, o.invoice);
            if (!target) continue;
            // Refused when there is no credit or balance, or the invoice is void; anything else fails the run.
            const refused = await rejection(payments().applyCredit.mutate({ invoiceId: target.id })).catch(() => null);
            if (refused) expect(['insufficient-credit', 'invoice-not-payable', 'overpays-invoice']).toContain(refused.reason);
          } else if (o.kind === 'refund') {
            const target = pick(paid, o.payment);
            if (!target) continue;
            const p = await payments().byId.query({ id: target.id });
            const amount = Math.floor((p.amount - p.refunded) * o.share);
            if (amount > 0) await payments().refund.mutate({ paymentId: p.id, amount, reason: 'Property' });
          } else {
            const target = pick(invoices, o.invoice);
            if (target && (await invoice(target.id)).status !== 'void') await api().invoices.void.mutate({ id: target.id, reason: 'Property' });
          }
        }
        const s = await statement(patient.id);
        expectReconciled(s);
        const open = await api().invoices.list.query({ patientId: patient.id, limit: 100 });
        for (const i of open.items) expect(i.balance).toBeGreaterThanOrEqual(0);
        expect(s.balance).toBe(open.items.filter((i) => i.status !== 'void').reduce((total, i) => total + i.balance, 0));
      }),
      { numRuns: 12 },
    );
  });
});
