import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../server/clock.ts';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, newEmail, sql, type TestUser } from '../../fixtures.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';

/** Invoices, credit notes, numbering and statements, through HTTP (issue 16 §2). */

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let services: { consult: { id: string }; letter: { id: string }; therapy: { id: string } };
/** The server's clock: invoices are numbered by the year they are issued in. */
const clock = manualClock('2027-03-01T10:00:00Z');

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  carer = await inviteUser(t, admin);
  const api = t.client(admin.token);
  const vat = await api.taxRates.create.mutate({ name: 'VAT 23%', ratePpm: 230_000 });
  const gst = await api.taxRates.create.mutate({
    name: 'GST 18%',
    ratePpm: 180_000,
    components: [
      { name: 'CGST', ratePpm: 90_000 },
      { name: 'SGST', ratePpm: 90_000 },
    ],
  });
  services = {
    consult: await api.services.create.mutate({ code: 'CONS', name: 'Consultation', price: 8000, taxRateId: vat.id }),
    letter: await api.services.create.mutate({ code: 'LETTER', name: 'Letter', price: 2550 }),
    therapy: await api.services.create.mutate({ code: 'THER', name: 'Therapy', price: 3333, taxRateId: gst.id }),
  };
});
afterAll(() => t.close());

const charge = (patientId: string, service: { id: string }, quantity = 1, discount = 0) => t.client(carer.token).charges.create.mutate({ patientId, serviceId: service.id, quantity, discount });
const invoices = () => t.client(admin.token).invoices;
const sequenceRows = () => sql(t, 'select series, year, last_value from billing_sequence where practice_id = ? order by series, year', [admin.practiceId]);

describe('a draft', () => {
  it("holds the patient's uninvoiced charges as lines, with each line's tax and the sums", async () => {
    const patient = await createPatient(t, carer.token);
    const [a, b, c] = [await charge(patient.id, services.consult, 2, 1000), await charge(patient.id, services.letter), await charge(patient.id, services.therapy, 3)];
    const draft = await invoices().createDraft.mutate({ patientId: patient.id });
    expect(draft).toMatchObject({ status: 'draft', number: null, currency: 'EUR', currencyDigits: 2, pricesIncludeTax: false, billTo: { kind: 'patient', name: null } });
    expect(draft.lines.map((l) => [l.chargeId, l.serviceCode, l.quantity, l.unitPrice, l.discount, l.net, l.tax, l.total])).toEqual([
      [a.id, 'CONS', 2, 8000, 1000, 15000, 3450, 18450],
      [b.id, 'LETTER', 1, 2550, 0, 2550, 0, 2550],
      // 9999 × 9% = 899.91 → 900 for each half.
      [c.id, 'THER', 3, 3333, 0, 9999, 1800, 11799],
    ]);
    expect(draft.lines[2]!.taxComponents).toEqual([
      { name: 'CGST', ratePpm: 90_000, tax: 900 },
      { name: 'SGST', ratePpm: 90_000, tax: 900 },
    ]);
    expect(draft).toMatchObject({ subtotal: 27549, tax: 5250, total: 32799, amountPaid: 0, balance: 32799 });
    expect(draft.taxSummary).toEqual([
      { name: 'VAT 23%', ratePpm: 230_000, tax: 3450 },
      { name: 'CGST', ratePpm: 90_000, tax: 900 },
      { name: 'SGST', ratePpm: 90_000, tax: 900 },
    ]);
    const listed = await t.client(carer.token).charges.list.query({ patientId: patient.id });
    expect(listed.items.map((x) => [x.status, x.invoiceId])).toEqual([
      ['invoiced', draft.id],
      ['invoiced', draft.id],
      ['invoiced', draft.id],
    ]);
    // A second draft finds nothing left to bill.
    expect((await invoices().createDraft.mutate({ patientId: patient.id })).lines).toEqual([]);
  });

  it('is built by hand: lines from services and from charges, removed again (the charge uninvoiced)', async () => {
    const patient = await createPatient(t, carer.token);
    const draft = await invoices().createDraft.mutate({ patientId: patient.id, fromCharges: false });
    const one = await invoices().addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: services.consult.id, quantity: 1, discount: 500 } });
    expect(one.lines.map((l) => [l.chargeId, l.net, l.tax, l.total])).toEqual([[null, 7500, 1725, 9225]]);
    const later = await charge(patient.id, services.letter);
    const two = await invoices().addLine.mutate({ invoiceId: draft.id, line: { kind: 'charge', chargeId: later.id } });
    expect(two).toMatchObject({ subtotal: 10050, tax: 1725, total: 11775 });
    expect((await rejection(invoices().addLine.mutate({ invoiceId: draft.id, line: { kind: 'charge', chargeId: later.id } }))).reason).toBe('charge-invoiced');
    const other = await createPatient(t, carer.token);
    const theirs = await charge(other.id, services.letter);
    expect((await rejection(invoices().addLine.mutate({ invoiceId: draft.id, line: { kind: 'charge', chargeId: theirs.id } }))).code).toBe('NOT_FOUND');
    expect((await rejection(invoices().addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: services.consult.id, quantity: 1, discount: 8001 } }))).fieldErrors).toMatchObject({
      discount: [expect.any(String)],
    });

    const removed = await invoices().removeLine.mutate({ invoiceId: draft.id, lineId: two.lines[1]!.id });
    expect(removed).toMatchObject({ subtotal: 7500, tax: 1725, total: 9225 });
    expect((await t.client(carer.token).charges.list.query({ patientId: patient.id })).items[0]).toMatchObject({ id: later.id, status: 'uninvoiced', invoiceId: null });
    expect((await auditTrail(t, draft.id)).map((e) => e.action)).toEqual(['invoice.drafted', 'invoice.line-added', 'invoice.line-added', 'invoice.line-removed']);
  });

  it('works a tax-inclusive price out of the amount when the practice says prices include tax', async () => {
    const { admin: other } = await createPractice(t);
    const api = t.client(other.token);
    await api.practices.update.mutate({ pricesIncludeTax: true, currency: 'JPY' });
    const rate = await api.taxRates.create.mutate({ name: 'JCT 10%', ratePpm: 100_000 });
    const visit = await api.services.create.mutate({ code: 'V', name: 'Visit', price: 5500, taxRateId: rate.id });
    const patient = await createPatient(t, other.token);
    const draft = await api.invoices.createDraft.mutate({ patientId: patient.id, fromCharges: false });
    const built = await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: visit.id, quantity: 3, discount: 1 } });
    // ¥16,499 with 10% in it: tax 16499 / 11 = 1499.9 → 1500, net 14999.
    expect(built).toMatchObject({ currency: 'JPY', currencyDigits: 0, pricesIncludeTax: true, subtotal: 14999, tax: 1500, total: 16499 });
  });

  it('is addressed to a guardian of the patient or an organisation, checked', async () => {
    const child = await createPatient(t, carer.token);
    const parent = await createPatient(t, carer.token, { givenName: 'Maeve', familyName: 'Byrne', email: newEmail('parent'), address: { lines: ['2 Main Street'], city: 'Sligo', country: 'IE' } });
    const stranger = await createPatient(t, carer.token);
    await invitePatientToPortal(t, carer.token, parent.id);
    const guardianless = await rejection(invoices().createDraft.mutate({ patientId: child.id, billTo: { kind: 'guardian', guardianPatientId: parent.id } }));
    expect(guardianless).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'billTo.guardianPatientId': [expect.any(String)] } });
    await t.client(carer.token).patients.addGuardian.mutate({ patientId: child.id, guardianPatientId: parent.id });
    await charge(child.id, services.letter);
    const toParent = await invoices().createDraft.mutate({ patientId: child.id, billTo: { kind: 'guardian', guardianPatientId: parent.id } });
    expect(toParent.billTo).toEqual({ kind: 'guardian', guardianPatientId: parent.id, organisationId: null, name: null, address: null });
    expect((await rejection(invoices().createDraft.mutate({ patientId: child.id, billTo: { kind: 'guardian', guardianPatientId: stranger.id } }))).code).toBe('BAD_REQUEST');

    const issued = await invoices().issue.mutate({ id: toParent.id });
    expect(issued.billTo).toMatchObject({ kind: 'guardian', name: 'Maeve Byrne', address: { lines: ['2 Main Street'], city: 'Sligo', country: 'IE' } });
    // The address on the invoice stays as issued.
    await t.client(carer.token).patients.update.mutate({ id: parent.id, address: { lines: ['9 New Road'], city: 'Galway', country: 'IE' } });
    expect((await invoices().byId.query({ id: issued.id })).billTo.address).toMatchObject({ city: 'Sligo' });

    const insurer = await t.client(admin.token).organisations.create.mutate({ name: 'Irish Life Health', kind: 'insurer', address: { lines: ['Lower Abbey Street'], city: 'Dublin', country: 'IE' } });
    await charge(child.id, services.consult);
    const toInsurer = await invoices().issue.mutate({ id: (await invoices().createDraft.mutate({ patientId: child.id, billTo: { kind: 'organisation', organisationId: insurer.id } })).id });
    expect(toInsurer.billTo).toMatchObject({ kind: 'organisation', organisationId: insurer.id, name: 'Irish Life Health', address: { city: 'Dublin' } });
    const { admin: other } = await createPractice(t);
    const foreign = await t.client(other.token).organisations.create.mutate({ name: 'Elsewhere', kind: 'employer' });
    expect((await rejection(invoices().createDraft.mutate({ patientId: child.id, billTo: { kind: 'organisation', organisationId: foreign.id } }))).code).toBe('NOT_FOUND');
  });
});

describe('issuing', () => {
  it("numbers the invoice from the practice's series in the same transaction, sets due date and freezes it", async () => {
    const { admin: other } = await createPractice(t);
    const api = t.client(other.token);
    await api.practices.update.mutate({ paymentTermsDays: 14, timeZone: 'Europe/Dublin' });
    const item = await api.services.create.mutate({ code: 'X', name: 'Item', price: 100 });
    const patient = await createPatient(t, other.token, { givenName: 'Aoife', familyName: 'Kelly' });
    const draft = await api.invoices.createDraft.mutate({ patientId: patient.id, fromCharges: false });
    await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: item.id, quantity: 1, discount: 0 } });
    const issued = await api.invoices.issue.mutate({ id: draft.id });
    expect(issued).toMatchObject({
      status: 'issued',
      number: 'INV-2027-000001',
      issuedAt: '2027-03-01T10:00:00.000Z',
      dueAt: '2027-03-15T10:00:00.000Z',
      billTo: { kind: 'patient', name: 'Aoife Kelly' },
    });
    for (const edit of [
      api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: item.id, quantity: 1, discount: 0 } }),
      api.invoices.removeLine.mutate({ invoiceId: draft.id, lineId: issued.lines[0]!.id }),
    ])
      expect((await rejection(edit)).reason).toBe('invoice-not-draft');
    expect((await rejection(api.invoices.issue.mutate({ id: draft.id }))).reason).toBe('invalid-transition');
    expect((await auditTrail(t, draft.id)).map((e) => e.action)).toEqual(['invoice.drafted', 'invoice.line-added', 'invoice.issued']);
  });

  it('a refused issue takes no number: the next one is the next in the series', async () => {
    const before = await sequenceRows();
    const empty = await invoices().createDraft.mutate({ patientId: (await createPatient(t, carer.token)).id, fromCharges: false });
    expect((await rejection(invoices().issue.mutate({ id: empty.id }))).reason).toBe('invoice-empty');
    const discarded = await invoices().createDraft.mutate({ patientId: (await createPatient(t, carer.token)).id, fromCharges: false });
    await invoices().void.mutate({ id: discarded.id, reason: 'Not needed' });
    expect((await rejection(invoices().issue.mutate({ id: discarded.id }))).reason).toBe('invalid-transition');
    expect(await sequenceRows()).toEqual(before);
  });

  it('many admins issuing at once over HTTP get exactly 1..N, no gap and no number twice', async () => {
    const { admin: first } = await createPractice(t);
    const second = await inviteUser(t, first, 'admin');
    const item = await t.client(first.token).services.create.mutate({ code: 'X', name: 'Item', price: 100 });
    const patient = await createPatient(t, first.token);
    const N = 40;
    const drafts = [];
    for (let i = 0; i < N; i++) {
      const draft = await t.client(first.token).invoices.createDraft.mutate({ patientId: patient.id, fromCharges: false });
      await t.client(first.token).invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: item.id, quantity: 1, discount: 0 } });
      drafts.push(draft.id);
    }
    // Every draft issued by both admins at once, each call its own HTTP request: one of each pair wins.
    const results = await Promise.allSettled(drafts.flatMap((id) => [first, second].map((admin) => t.client(admin.token).invoices.issue.mutate({ id }))));
    const issued = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = await Promise.all(results.filter((r) => r.status === 'rejected').map((r) => rejection(Promise.reject(r.reason))));
    expect(issued).toHaveLength(N);
    expect(refused.map((e) => e.reason)).toEqual(Array(N).fill('invalid-transition'));
    const numbers = issued.map((i) => i.number!).sort();
    expect(numbers).toEqual(Array.from({ length: N }, (_, i) => `INV-2027-${String(i + 1).padStart(6, '0')}`));
    expect(await sql(t, 'select last_value from billing_sequence where practice_id = ?', [first.practiceId])).toEqual([{ last_value: N }]);
  });

  it("restarts the sequence each year when the format has one, in the practice's time zone", async () => {
    // Late in the year (sessions are made now, so they last through it).
    clock.set('2027-12-31T09:00:00Z'); // 22:00 in Auckland
    const { admin: other } = await createPractice(t);
    const api = t.client(other.token);
    await api.practices.update.mutate({ timeZone: 'Pacific/Auckland', invoiceNumberFormat: 'A{YY}-{SEQ:3}' });
    const item = await api.services.create.mutate({ code: 'X', name: 'Item', price: 100 });
    const patient = await createPatient(t, other.token);
    const issueOne = async () => {
      const draft = await api.invoices.createDraft.mutate({ patientId: patient.id, fromCharges: false });
      await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: item.id, quantity: 1, discount: 0 } });
      return (await api.invoices.issue.mutate({ id: draft.id })).number;
    };
    try {
      expect([await issueOne(), await issueOne()]).toEqual(['A27-001', 'A27-002']);
      clock.set('2027-12-31T12:00:00Z'); // already 2028 there
      expect(await issueOne()).toBe('A28-001');
    } finally {
      clock.set('2027-03-01T10:00:00Z');
    }
  });
});

describe('voiding', () => {
  it('an issued invoice: a credit note with its own number and the amounts negated; the invoice stays, void; its charges are billable again', async () => {
    const patient = await createPatient(t, carer.token);
    const first = await charge(patient.id, services.therapy, 2);
    const issued = await invoices().issue.mutate({ id: (await invoices().createDraft.mutate({ patientId: patient.id })).id });
    expect((await rejection(invoices().void.mutate({ id: issued.id, reason: '' }))).code).toBe('BAD_REQUEST');
    const voided = await invoices().void.mutate({ id: issued.id, reason: 'Billed to the wrong payer' });
    expect(voided).toMatchObject({ status: 'void', number: issued.number, voidReason: 'Billed to the wrong payer', total: issued.total, lines: issued.lines });
    expect(voided.creditNote).toMatchObject({ number: 'CN-2027-000001', reason: 'Billed to the wrong payer', subtotal: -issued.subtotal, tax: -issued.tax, total: -issued.total });
    expect(voided.creditNote!.taxSummary).toEqual(issued.taxSummary.map((c) => ({ ...c, tax: -c.tax })));
    expect((await rejection(invoices().void.mutate({ id: issued.id, reason: 'Again' }))).reason).toBe('invalid-transition');
    expect((await auditTrail(t, issued.id)).map((e) => e.action)).toEqual(['invoice.drafted', 'invoice.issued', 'invoice.voided']);

    const again = await invoices().createDraft.mutate({ patientId: patient.id });
    expect(again.lines.map((l) => l.chargeId)).toEqual([first.id]);
    // Nothing was deleted: both invoices are there, and the first keeps its lines.
    expect(await sql(t, 'select status, number is not null as numbered from invoice where patient_id = ? order by created_at', [patient.id])).toEqual([
      { status: 'void', numbered: true },
      { status: 'draft', numbered: false },
    ]);
    expect(await sql(t, 'select count(*)::int as n from invoice_line where invoice_id = ?', [issued.id])).toEqual([{ n: 1 }]);
  });

  it('a draft is discarded: void, never numbered, no credit note', async () => {
    const patient = await createPatient(t, carer.token);
    await charge(patient.id, services.letter);
    const draft = await invoices().createDraft.mutate({ patientId: patient.id });
    const discarded = await invoices().void.mutate({ id: draft.id, reason: 'Duplicate' });
    expect(discarded).toMatchObject({ status: 'void', number: null, creditNote: null, voidReason: 'Duplicate' });
    expect((await invoices().createDraft.mutate({ patientId: patient.id })).lines).toHaveLength(1);
  });
});

describe('who sees invoices', () => {
  it('patients and guardians see their own issued invoices and statement in the portal, never a draft; others see nothing', async () => {
    const patient = await createPatient(t, carer.token, { email: newEmail('patient') });
    const dependent = await createPatient(t, carer.token);
    const portal = await invitePatientToPortal(t, carer.token, patient.id);
    await t.client(carer.token).patients.addGuardian.mutate({ patientId: dependent.id, guardianPatientId: patient.id });
    await charge(patient.id, services.consult);
    const issued = await invoices().issue.mutate({ id: (await invoices().createDraft.mutate({ patientId: patient.id })).id });
    await charge(dependent.id, services.letter);
    const forChild = await invoices().issue.mutate({ id: (await invoices().createDraft.mutate({ patientId: dependent.id })).id });
    await charge(patient.id, services.letter);
    const draft = await invoices().createDraft.mutate({ patientId: patient.id });

    const mine = t.client(portal.token).invoices;
    expect((await mine.list.query({})).items.map((i) => i.id).sort()).toEqual([issued.id, forChild.id].sort());
    expect((await mine.byId.query({ id: issued.id })).number).toBe(issued.number);
    expect((await rejection(mine.byId.query({ id: draft.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(mine.createDraft.mutate({ patientId: patient.id }))).code).toBe('FORBIDDEN');
    expect((await rejection(mine.issue.mutate({ id: draft.id }))).code).toBe('FORBIDDEN');

    await invoices().void.mutate({ id: forChild.id, reason: 'Covered by the school' });
    const statement = await t.client(portal.token).statements.byPatient.query({ patientId: dependent.id });
    expect(statement).toMatchObject({ patientId: dependent.id, currency: 'EUR', totalInvoiced: forChild.total, totalCredited: -forChild.total, totalPaid: 0, balance: 0 });
    expect(statement.entries.map((e) => [e.kind, e.number, e.total])).toEqual([
      ['invoice', forChild.number, forChild.total],
      ['credit-note', expect.stringMatching(/^CN-2027-/), -forChild.total],
    ]);
    expect((await t.client(portal.token).statements.byPatient.query({ patientId: patient.id })).balance).toBe(issued.total);
    expect((await auditTrail(t, patient.id)).map((e) => e.action)).toContain('statement.read');

    // Another patient's portal, and a clinician off the care team: not found.
    const stranger = await createPatient(t, carer.token, { email: newEmail('stranger') });
    const strangerPortal = await invitePatientToPortal(t, carer.token, stranger.id);
    expect((await rejection(t.client(strangerPortal.token).invoices.byId.query({ id: issued.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(strangerPortal.token).statements.byPatient.query({ patientId: patient.id }))).code).toBe('NOT_FOUND');
    const outsider = await inviteUser(t, admin);
    expect((await rejection(t.client(outsider.token).invoices.byId.query({ id: issued.id }))).code).toBe('NOT_FOUND');
    expect((await t.client(outsider.token).invoices.list.query({})).items).toEqual([]);
    // The care team reads them, drafts too; only admins change them.
    expect((await t.client(carer.token).invoices.byId.query({ id: draft.id })).status).toBe('draft');
    expect((await rejection(t.client(carer.token).invoices.issue.mutate({ id: draft.id }))).code).toBe('FORBIDDEN');
  });
});
