import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, newEmail, sql, type TestUser } from '../../fixtures.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';

/** Billing's settings, price list, tax rates, payers and charges, through HTTP (issue 16 §1 and §2). */

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let outsider: TestUser;
let vat: { id: string };
let consult: { id: string; price: number };

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  carer = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  vat = await t.client(admin.token).taxRates.create.mutate({ name: 'VAT 23%', ratePpm: 230_000 });
  consult = await t.client(admin.token).services.create.mutate({ code: 'CONS', name: 'Consultation', price: 8000, taxRateId: vat.id });
});
afterAll(() => t.close());

describe('billing settings', () => {
  it('default to EUR, prices without tax, INV-/CN- numbers, charged visits and 30 days; an admin changes them', async () => {
    expect(await t.client(carer.token).practices.current.query()).toMatchObject({
      currency: 'EUR',
      pricesIncludeTax: false,
      invoiceNumberFormat: 'INV-{YYYY}-{SEQ:6}',
      creditNoteNumberFormat: 'CN-{YYYY}-{SEQ:6}',
      chargeCompletedVisits: true,
      paymentTermsDays: 30,
    });
    const { admin: other } = await createPractice(t);
    const updated = await t.client(other.token).practices.update.mutate({ currency: 'JPY', pricesIncludeTax: true, invoiceNumberFormat: 'R{YY}/{SEQ:4}', paymentTermsDays: 14 });
    expect(updated).toMatchObject({ currency: 'JPY', pricesIncludeTax: true, invoiceNumberFormat: 'R{YY}/{SEQ:4}', paymentTermsDays: 14 });
  });

  it('refuses a currency that is not ISO 4217 and a number format without its sequence', async () => {
    const bad = await rejection(t.client(admin.token).practices.update.mutate({ currency: 'XYZ', invoiceNumberFormat: 'INV-{YYYY}' }));
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { currency: [expect.any(String)], invoiceNumberFormat: [expect.any(String)] } });
    expect((await rejection(t.client(carer.token).practices.update.mutate({ currency: 'USD' }))).code).toBe('FORBIDDEN');
  });

  it("hold the practice's billing details for invoices: name, address, phone, email and tax registration, each cleared by null", async () => {
    const { admin: other } = await createPractice(t, 'Harbour Physio');
    const api = t.client(other.token);
    expect(await api.practices.current.query()).toMatchObject({ billingName: null, billingAddressLines: null, billingPhone: null, billingEmail: null, taxRegistration: null });
    const details = {
      billingName: 'Harbour Physiotherapy Ltd',
      billingAddressLines: ['Unit 4, Quay Street', 'Galway H91 X2Y3', 'Ireland'],
      billingPhone: '+353 91 123 456',
      billingEmail: 'Accounts@Harbour.example',
      taxRegistration: { label: 'VAT', value: 'IE1234567T' },
    };
    expect(await api.practices.update.mutate(details)).toMatchObject({ ...details, billingPhone: '+35391123456', billingEmail: 'accounts@harbour.example' });
    expect(await t.client(other.token).practices.current.query()).toMatchObject({ billingName: 'Harbour Physiotherapy Ltd', taxRegistration: { label: 'VAT', value: 'IE1234567T' } });
    const bad = await rejection(api.practices.update.mutate({ billingPhone: '12', billingEmail: 'nope', billingAddressLines: [], taxRegistration: { label: '', value: 'x' } }));
    expect(bad).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { billingPhone: [expect.any(String)], billingEmail: [expect.any(String)], billingAddressLines: [expect.any(String)], 'taxRegistration.label': [expect.any(String)] },
    });
    expect(await api.practices.update.mutate({ billingName: null, taxRegistration: null })).toMatchObject({
      name: 'Harbour Physio',
      billingName: null,
      taxRegistration: null,
      billingEmail: 'accounts@harbour.example',
    });
    // The session's actor (auth.me) carries what requests need, not these.
    expect(Object.keys((await api.auth.me.query()).practice)).not.toContain('billingName');
  });

  it('fixes the currency once an invoice exists, but not for a discarded draft', async () => {
    const { admin: other } = await createPractice(t);
    const api = t.client(other.token);
    const patient = await createPatient(t, other.token);
    const draft = await api.invoices.createDraft.mutate({ patientId: patient.id });
    expect((await rejection(api.practices.update.mutate({ currency: 'USD' }))).reason).toBe('currency-locked');
    await api.invoices.void.mutate({ id: draft.id, reason: 'Made by mistake' });
    expect((await api.practices.update.mutate({ currency: 'USD' })).currency).toBe('USD');
  });
});

describe('tax rates and services', () => {
  it("a rate's components add up to it: India's GST as CGST + SGST, IGST as one", async () => {
    const api = t.client(admin.token).taxRates;
    const gst = await api.create.mutate({
      name: 'GST 18%',
      ratePpm: 180_000,
      components: [
        { name: 'CGST', ratePpm: 90_000 },
        { name: 'SGST', ratePpm: 90_000 },
      ],
    });
    expect(gst).toMatchObject({
      ratePpm: 180_000,
      components: [
        { name: 'CGST', ratePpm: 90_000 },
        { name: 'SGST', ratePpm: 90_000 },
      ],
      active: true,
    });
    expect((await api.create.mutate({ name: 'IGST 18%', ratePpm: 180_000 })).components).toEqual([{ name: 'IGST 18%', ratePpm: 180_000 }]);
    const wrong = await rejection(api.create.mutate({ name: 'GST 12%', ratePpm: 120_000, components: [{ name: 'CGST', ratePpm: 90_000 }] }));
    expect(wrong).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { components: [expect.stringContaining('add up')] } });
    expect((await rejection(api.create.mutate({ name: 'Too much', ratePpm: 1_000_001 }))).code).toBe('BAD_REQUEST');
    expect((await rejection(api.create.mutate({ name: 'GST 18%', ratePpm: 1 }))).code).toBe('CONFLICT');
    expect((await rejection(t.client(carer.token).taxRates.list.query())).code).toBe('FORBIDDEN');
  });

  it('admins keep the price list, staff read it; a code is unique, an archived rate is given to no service', async () => {
    const api = t.client(admin.token).services;
    const exempt = await api.create.mutate({ code: 'LETTER', name: 'Letter', price: 2500 });
    expect(exempt).toMatchObject({ taxRateId: null, taxRateName: null, active: true });
    expect((await rejection(api.create.mutate({ code: 'LETTER', name: 'Another', price: 1 }))).code).toBe('CONFLICT');
    expect((await rejection(t.client(carer.token).services.create.mutate({ code: 'X', name: 'X', price: 1 }))).code).toBe('FORBIDDEN');
    expect((await t.client(carer.token).services.list.query()).map((s) => s.code)).toEqual(expect.arrayContaining(['CONS', 'LETTER']));
    const old = await t.client(admin.token).taxRates.create.mutate({ name: 'Old 10%', ratePpm: 100_000 });
    await t.client(admin.token).taxRates.archive.mutate({ id: old.id });
    expect(await rejection(api.update.mutate({ id: exempt.id, taxRateId: old.id }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { taxRateId: ['is archived'] } });
    expect(await api.update.mutate({ id: exempt.id, price: 3000, taxRateId: vat.id })).toMatchObject({ price: 3000, taxRateName: 'VAT 23%' });
    expect((await api.archive.mutate({ id: exempt.id })).active).toBe(false);
    expect((await api.list.query()).map((s) => s.code)).not.toContain('LETTER');
    expect((await api.list.query({ includeArchived: true })).map((s) => s.code)).toContain('LETTER');
  });

  it('refuses prices that are not whole minor units', async () => {
    for (const price of [12.5, -1, 2 ** 31])
      expect((await rejection(t.client(admin.token).services.create.mutate({ code: `P${price}`.replace(/\W/g, ''), name: 'P', price }))).code).toBe('BAD_REQUEST');
  });
});

describe('organisations', () => {
  it('admins keep the payers an invoice may be addressed to', async () => {
    const api = t.client(admin.token).organisations;
    const insurer = await api.create.mutate({
      name: 'Laya Healthcare',
      kind: 'insurer',
      address: { lines: ['Eastgate Road'], city: 'Cork', country: 'IE' },
      taxId: 'IE1234567T',
      email: 'Claims@Laya.example',
    });
    expect(insurer).toMatchObject({ kind: 'insurer', email: 'claims@laya.example', active: true });
    expect((await api.update.mutate({ id: insurer.id, name: 'Laya' })).name).toBe('Laya');
    expect((await api.list.query()).map((o) => o.id)).toContain(insurer.id);
    await api.archive.mutate({ id: insurer.id });
    expect((await api.list.query()).map((o) => o.id)).not.toContain(insurer.id);
    expect((await rejection(t.client(carer.token).organisations.list.query())).code).toBe('FORBIDDEN');
  });
});

describe('charges', () => {
  it("a clinician charges their own patient at the service's price, in their own name; audited", async () => {
    const patient = await createPatient(t, carer.token);
    const charge = await t.client(carer.token).charges.create.mutate({ patientId: patient.id, serviceId: consult.id, quantity: 2, discount: 1000 });
    expect(charge).toMatchObject({
      patientId: patient.id,
      serviceCode: 'CONS',
      quantity: 2,
      unitPrice: 8000,
      discount: 1000,
      amount: 15000,
      clinicianId: carer.id,
      status: 'uninvoiced',
      invoiceId: null,
      createdBy: carer.id,
    });
    expect((await auditTrail(t, charge.id)).map((e) => e.action)).toEqual(['charge.created']);
    const listed = await t.client(carer.token).charges.list.query({ patientId: patient.id });
    expect(listed.items.map((c) => c.id)).toEqual([charge.id]);
    // Another clinician's patient: not found, whether listed or charged.
    expect((await rejection(t.client(outsider.token).charges.create.mutate({ patientId: patient.id, serviceId: consult.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(outsider.token).charges.list.query({ patientId: patient.id }))).code).toBe('NOT_FOUND');
    expect((await t.client(outsider.token).charges.list.query({})).items.map((c) => c.id)).not.toContain(charge.id);
    expect((await rejection(t.client(outsider.token).charges.update.mutate({ id: charge.id, quantity: 1 }))).code).toBe('NOT_FOUND');
  });

  it('refuses a discount larger than the line, and a clinician charging in another name', async () => {
    const patient = await createPatient(t, carer.token);
    const big = await rejection(t.client(carer.token).charges.create.mutate({ patientId: patient.id, serviceId: consult.id, quantity: 1, discount: 8001 }));
    expect(big).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { discount: [expect.stringContaining('8000')] } });
    const charge = await t.client(carer.token).charges.create.mutate({ patientId: patient.id, serviceId: consult.id, quantity: 2, discount: 16_000 });
    expect(charge.amount).toBe(0);
    expect((await rejection(t.client(carer.token).charges.update.mutate({ id: charge.id, quantity: 1 }))).fieldErrors).toMatchObject({ discount: [expect.any(String)] });
    expect((await rejection(t.client(carer.token).charges.create.mutate({ patientId: patient.id, serviceId: consult.id, clinicianId: outsider.id }))).fieldErrors).toMatchObject({
      clinicianId: [expect.any(String)],
    });
    // An admin names who provided it.
    expect((await t.client(admin.token).charges.create.mutate({ patientId: patient.id, serviceId: consult.id, clinicianId: outsider.id })).clinicianId).toBe(outsider.id);
  });

  it('stays editable until invoiced, then is refused (charge-invoiced) until the invoice is voided', async () => {
    const patient = await createPatient(t, carer.token);
    const charge = await t.client(carer.token).charges.create.mutate({ patientId: patient.id, serviceId: consult.id });
    expect(await t.client(carer.token).charges.update.mutate({ id: charge.id, quantity: 3, discount: 500 })).toMatchObject({ quantity: 3, discount: 500, amount: 23_500 });
    const draft = await t.client(admin.token).invoices.createDraft.mutate({ patientId: patient.id });
    expect((await rejection(t.client(carer.token).charges.update.mutate({ id: charge.id, quantity: 1 }))).reason).toBe('charge-invoiced');
    expect((await rejection(t.client(carer.token).charges.void.mutate({ id: charge.id, reason: 'Error' }))).reason).toBe('charge-invoiced');
    await t.client(admin.token).invoices.void.mutate({ id: draft.id, reason: 'Redo' });
    const voided = await t.client(carer.token).charges.void.mutate({ id: charge.id, reason: 'Entered for the wrong patient' });
    expect(voided).toMatchObject({ status: 'void', voidReason: 'Entered for the wrong patient' });
    expect((await rejection(t.client(carer.token).charges.update.mutate({ id: charge.id, quantity: 1 }))).reason).toBe('invalid-transition');
    // Nothing is deleted.
    expect(await sql(t, 'select status from charge where id = ?', [charge.id])).toEqual([{ status: 'void' }]);
  });

  it('patients see no charges, only invoices; archived services are not charged', async () => {
    const patient = await createPatient(t, carer.token, { email: newEmail('patient') });
    const portal = await invitePatientToPortal(t, carer.token, patient.id);
    expect((await rejection(t.client(portal.token).charges.list.query({}))).code).toBe('FORBIDDEN');
    const gone = await t.client(admin.token).services.create.mutate({ code: 'GONE', name: 'Retired', price: 100 });
    await t.client(admin.token).services.archive.mutate({ id: gone.id });
    expect((await rejection(t.client(carer.token).charges.create.mutate({ patientId: patient.id, serviceId: gone.id }))).fieldErrors).toMatchObject({ serviceId: [expect.any(String)] });
  });
});

describe('a completed visit is charged', () => {
  const pastVisit = async (token: string, clinicianId: string, patientId: string, typeId: string, hour: number) =>
    (await t.client(token).appointments.book.mutate({ clinicianId, patientId, typeId, startsAt: new Date(Date.UTC(2020, 2, 2, hour)).toISOString() })).id;

  it("once, for its type's service, in the same transaction; not when the type names none or the practice turns it off", async () => {
    await t.client(carer.token).availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
    const charged = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Charged visit', durationMinutes: 30, serviceId: consult.id });
    expect(charged.serviceId).toBe(consult.id);
    const free = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Free visit', durationMinutes: 30 });
    const patient = await createPatient(t, carer.token);

    const visit = await pastVisit(carer.token, carer.id, patient.id, charged.id, 9);
    await t.client(carer.token).appointments.complete.mutate({ id: visit });
    await t.client(carer.token).appointments.complete.mutate({ id: visit }); // a retry changes nothing
    const { items } = await t.client(carer.token).charges.list.query({ patientId: patient.id });
    expect(items).toEqual([expect.objectContaining({ appointmentId: visit, serviceId: consult.id, unitPrice: 8000, quantity: 1, clinicianId: carer.id, createdBy: carer.id })]);

    await t.client(carer.token).appointments.complete.mutate({ id: await pastVisit(carer.token, carer.id, patient.id, free.id, 10) });
    await t.client(admin.token).practices.update.mutate({ chargeCompletedVisits: false });
    await t.client(carer.token).appointments.complete.mutate({ id: await pastVisit(carer.token, carer.id, patient.id, charged.id, 11) });
    expect((await t.client(carer.token).charges.list.query({ patientId: patient.id })).items).toHaveLength(1);
    await t.client(admin.token).practices.update.mutate({ chargeCompletedVisits: true });
  });
});
