import type { Bundle, ChargeItem, Invoice, Organization, PaymentReconciliation, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fhirMoney, ppmFactor } from '../../../server/modules/fhir/resources/billing-money.ts';
import { createPatient, createPractice, inviteUser, type TestUser } from '../../fixtures.ts';
import { fhirProblems } from '../../fhir-validator.ts';
import { startTestServer, type TestServer } from '../../harness.ts';

/** Billing in FHIR R4: charges as ChargeItems, invoices as Invoices, payers as Organizations, payments as PaymentReconciliations, in $everything and the bulk export. */

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let patientId: string;
let visitId: string;
let ids: { issued: string; draft: string; voided: string; toInsurer: string; insurer: string; voidCharge: string; visitCharge: string; handCharge: string };
let paid: { cash: string; insurer: string; beforeVoid: string };
let bundle: Bundle;

const problemsOf = (resources: Resource[]) => Object.fromEntries(resources.map((r) => [`${r.resourceType}/${r.id}`, fhirProblems(r)] as const).filter(([, p]) => p.length));
const ofType = <R extends Resource>(type: R['resourceType']) => bundle.entry!.map((e) => e.resource!).filter((r): r is R => r.resourceType === type);

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  carer = await inviteUser(t, admin);
  const api = t.client(admin.token);
  const gst = await api.taxRates.create.mutate({
    name: 'GST 18%',
    ratePpm: 180_000,
    components: [
      { name: 'CGST', ratePpm: 90_000 },
      { name: 'SGST', ratePpm: 90_000 },
    ],
  });
  const consult = await api.services.create.mutate({ code: 'CONS', name: 'Consultation', price: 8050, taxRateId: gst.id });
  const letter = await api.services.create.mutate({ code: 'LETTER', name: 'Letter', price: 2550 });
  patientId = (await createPatient(t, carer.token, { givenName: 'Síle', familyName: 'Nic Aodha' })).id;
  const care = t.client(carer.token);

  // A completed visit charged for its type's service, and a charge by hand (2 at 80.50, 5.00 off).
  await care.availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
  const type = await api.appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30, serviceId: consult.id });
  visitId = (await care.appointments.book.mutate({ clinicianId: carer.id, patientId, typeId: type.id, startsAt: '2020-03-02T09:00:00.000Z' })).id;
  await care.appointments.complete.mutate({ id: visitId });
  const handCharge = await care.charges.create.mutate({ patientId, serviceId: consult.id, quantity: 2, discount: 500 });
  const visitCharge = (await care.charges.list.query({ patientId })).items.find((c) => c.appointmentId === visitId)!;

  // Issued from both charges plus a letter by hand; a draft; one voided by a credit note; one to an insurer.
  const draftOne = await api.invoices.createDraft.mutate({ patientId });
  await api.invoices.addLine.mutate({ invoiceId: draftOne.id, line: { kind: 'service', serviceId: letter.id, quantity: 1, discount: 0 } });
  const issued = await api.invoices.issue.mutate({ id: draftOne.id });
  const draft = await api.invoices.createDraft.mutate({ patientId, fromCharges: false });
  await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: letter.id, quantity: 3, discount: 0 } });
  const toVoid = await api.invoices.createDraft.mutate({ patientId, fromCharges: false });
  await api.invoices.addLine.mutate({ invoiceId: toVoid.id, line: { kind: 'service', serviceId: letter.id, quantity: 1, discount: 0 } });
  await api.invoices.issue.mutate({ id: toVoid.id });
  // Paid by card, then voided: the payment's allocation is taken back to credit.
  const beforeVoid = await api.payments.record.mutate({ patientId, amount: 2550, method: 'card', allocations: [{ invoiceId: toVoid.id, amount: 2550 }] });
  await api.invoices.void.mutate({ id: toVoid.id, reason: 'Billed twice' });
  const insurer = await api.organisations.create.mutate({
    name: 'Laya Healthcare',
    kind: 'insurer',
    taxId: 'IE9876543W',
    email: 'claims@laya.example',
    address: { lines: ['Eastgate Road'], city: 'Cork', country: 'IE' },
  });
  await care.charges.create.mutate({ patientId, serviceId: letter.id });
  const toInsurer = await api.invoices.issue.mutate({ id: (await api.invoices.createDraft.mutate({ patientId, billTo: { kind: 'organisation', organisationId: insurer.id } })).id });
  // 400.00 in cash, 100.00 of it on the first invoice (partly paid), 50.00 refunded (from the credit); the insurer pays its invoice whole.
  const cash = await api.payments.record.mutate({ patientId, amount: 40_000, method: 'cash', allocations: [{ invoiceId: issued.id, amount: 10_000 }] });
  await api.payments.refund.mutate({ paymentId: cash.id, amount: 5000, reason: 'Overpaid' });
  const byInsurer = await api.payments.record.mutate({
    patientId,
    amount: 2550,
    method: 'insurer',
    payer: { kind: 'organisation', organisationId: insurer.id },
    reference: 'CLM-2020-77',
    allocations: [{ invoiceId: toInsurer.id, amount: 2550 }],
  });
  // An employer that no invoice names pays on account: its Organization is in $everything all the same.
  const employer = await api.organisations.create.mutate({ name: 'Acme Ltd', kind: 'employer' });
  await api.payments.record.mutate({ patientId, amount: 1000, method: 'bank-transfer', payer: { kind: 'organisation', organisationId: employer.id } });
  paid = { cash: cash.id, insurer: byInsurer.id, beforeVoid: beforeVoid.id };
  const voidCharge = await care.charges.create.mutate({ patientId, serviceId: letter.id });
  await care.charges.void.mutate({ id: voidCharge.id, reason: 'Wrong patient' });

  ids = { issued: issued.id, draft: draft.id, voided: toVoid.id, toInsurer: toInsurer.id, insurer: insurer.id, voidCharge: voidCharge.id, visitCharge: visitCharge.id, handCharge: handCharge.id };
  bundle = (await care.patients.fhir.query({ id: patientId })) as Bundle;
});
afterAll(() => t.close());

describe('FHIR Money', () => {
  it('is the exact decimal of the minor units, as a JSON number, for any number of currency digits', () => {
    expect(fhirMoney(8050, 'EUR')).toEqual({ value: 80.5, currency: 'EUR' });
    expect(fhirMoney(1234, 'JPY')).toEqual({ value: 1234, currency: 'JPY' });
    expect(fhirMoney(123_456, 'KWD')).toEqual({ value: 123.456, currency: 'KWD' });
    expect(fhirMoney('-5', 'EUR').value).toBe(-0.05);
    // Up to 15 significant digits the JSON number prints as the very decimal: no float arithmetic on the way.
    expect(JSON.stringify(fhirMoney('999999999999999', 'EUR'))).toBe('{"value":9999999999999.99,"currency":"EUR"}');
    expect(JSON.stringify(fhirMoney('100000000000001', 'KWD'))).toBe('{"value":100000000000.001,"currency":"KWD"}');
    expect([ppmFactor(90_000), ppmFactor(88_750), ppmFactor(1)]).toEqual([0.09, 0.08875, 0.000001]);
  });
});

describe('$everything with billing', () => {
  it('holds the invoices, charges and the payer, each valid R4, every reference in the bundle', () => {
    const resources = bundle.entry!.map((e) => e.resource!);
    expect(problemsOf(resources)).toEqual({});
    expect([ofType('Invoice').length, ofType('ChargeItem').length, ofType('Organization').length, ofType('PaymentReconciliation').length]).toEqual([4, 4, 2, 4]);
    const present = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    const references = JSON.stringify(bundle)
      .match(/"reference":"[^"]+"/g)!
      .map((r) => r.slice(13, -1));
    expect(references.filter((r) => !present.has(r))).toEqual([]);
  });

  it('maps an invoice: number, status, subject, recipient, date, lines priced by base, discount and tax per component, totals in major units', async () => {
    const dto = await t.client(admin.token).invoices.byId.query({ id: ids.issued });
    const invoice = ofType<Invoice>('Invoice').find((i) => i.id === ids.issued)!;
    expect(invoice).toMatchObject({
      identifier: [{ system: `urn:pams:practice:${admin.practiceId}:invoice-number`, value: dto.number }],
      status: 'issued',
      subject: { reference: `Patient/${patientId}` },
      recipient: { reference: `Patient/${patientId}`, display: 'Síle Nic Aodha' },
      date: dto.issuedAt,
      // 80.50 + 156.00 + 25.50 net; 9% of 80.50 is 7.245 → 7.25 twice (half-up per component), of 156.00 is 14.04 twice.
      totalNet: { value: 262, currency: 'EUR' },
      totalGross: { value: 304.58, currency: 'EUR' },
    });
    expect(dto).toMatchObject({ subtotal: 26_200, tax: 1450 + 2808, total: 30_458 });
    const [visit, hand, letter] = invoice.lineItem!;
    expect(visit).toMatchObject({ sequence: 1, chargeItemReference: { reference: `ChargeItem/${ids.visitCharge}` } });
    expect(hand!.chargeItemReference).toEqual({ reference: `ChargeItem/${ids.handCharge}` });
    const taxCode = (name: string) => ({ coding: [{ system: `urn:pams:practice:${admin.practiceId}:tax-component`, code: name }], text: name });
    expect(hand!.priceComponent).toEqual([
      { type: 'base', factor: 2, amount: { value: 161, currency: 'EUR' } },
      { type: 'discount', amount: { value: 5, currency: 'EUR' } },
      { type: 'tax', code: taxCode('CGST'), factor: 0.09, amount: { value: 14.04, currency: 'EUR' } },
      { type: 'tax', code: taxCode('SGST'), factor: 0.09, amount: { value: 14.04, currency: 'EUR' } },
    ]);
    expect(letter).toMatchObject({
      sequence: 3,
      chargeItemCodeableConcept: { coding: [{ system: `urn:pams:practice:${admin.practiceId}:service`, code: 'LETTER', display: 'Letter' }] },
      priceComponent: [{ type: 'base', factor: 1, amount: { value: 25.5 } }],
    });
    // Every line's components add up to its total, exactly as the DTO has it.
    const cents = (v: number) => Math.round(v * 100);
    invoice.lineItem!.forEach((l, i) => {
      const sum = l.priceComponent!.reduce((s, c) => s + (c.type === 'discount' ? -1 : 1) * cents(c.amount!.value!), 0);
      expect(sum).toBe(dto.lines[i]!.total);
    });
  });

  it('maps statuses: a draft, a voided invoice cancelled with its reason, one to an insurer (its Organization) paid in full, balanced; charges billable, billed, in error', () => {
    const invoices = new Map(ofType<Invoice>('Invoice').map((i) => [i.id, i]));
    expect(invoices.get(ids.draft)).toMatchObject({ status: 'draft' });
    expect(invoices.get(ids.draft)!.identifier).toBeUndefined();
    expect(invoices.get(ids.voided)).toMatchObject({ status: 'cancelled', cancelledReason: 'Billed twice' });
    expect(invoices.get(ids.toInsurer)).toMatchObject({ status: 'balanced', recipient: { reference: `Organization/${ids.insurer}`, display: 'Laya Healthcare' } });
    expect(ofType<Organization>('Organization').find((o) => o.id === ids.insurer)).toMatchObject({
      id: ids.insurer,
      name: 'Laya Healthcare',
      active: true,
      type: [{ coding: [{ code: 'ins' }] }],
      identifier: [{ value: 'IE9876543W' }],
      address: [{ line: ['Eastgate Road'], city: 'Cork', country: 'IE' }],
    });

    const charges = new Map(ofType<ChargeItem>('ChargeItem').map((c) => [c.id, c]));
    expect(charges.get(ids.visitCharge)).toMatchObject({
      status: 'billed',
      code: { coding: [{ system: `urn:pams:practice:${admin.practiceId}:service`, code: 'CONS' }], text: 'Consultation' },
      subject: { reference: `Patient/${patientId}` },
      occurrenceDateTime: '2020-03-02T09:00:00.000Z',
      performer: [{ actor: { reference: `Practitioner/${carer.id}` } }],
      quantity: { value: 1 },
      priceOverride: { value: 80.5, currency: 'EUR' },
      supportingInformation: [{ reference: `Appointment/${visitId}` }],
    });
    expect(charges.get(ids.handCharge)).toMatchObject({ status: 'billed', quantity: { value: 2 } });
    expect(charges.get(ids.voidCharge)).toMatchObject({ status: 'entered-in-error', note: [{ text: 'Void: Wrong patient' }] });
  });
});

describe('payments as PaymentReconciliation', () => {
  const byId = () => new Map(ofType<PaymentReconciliation>('PaymentReconciliation').map((p) => [p.id, p]));
  const type = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/payment-type', code }] });
  const euro = (value: number) => ({ value, currency: 'EUR' });

  it('is the receipt: number, date, amount, and details of where the money went, which add up to it', async () => {
    const dto = await t.client(admin.token).payments.byId.query({ id: paid.cash });
    const cash = byId().get(paid.cash)!;
    expect(cash).toMatchObject({
      identifier: [{ system: `urn:pams:practice:${admin.practiceId}:receipt-number`, value: dto.number }],
      status: 'active',
      outcome: 'complete',
      disposition: 'Paid by cash, from Síle Nic Aodha',
      paymentDate: dto.receivedAt.slice(0, 10),
      paymentAmount: euro(400),
    });
    expect(cash.paymentIssuer).toBeUndefined();
    expect(cash.detail).toEqual([
      { type: type('payment'), request: { reference: `Invoice/${ids.issued}` }, date: dto.receivedAt.slice(0, 10), amount: euro(100) },
      { type: { ...type('adjustment'), text: 'Refund: Overpaid' }, date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), amount: euro(50) },
      { type: { ...type('advance'), text: 'Credit' }, amount: euro(250) },
    ]);
  });

  it("names an insurer as the payment's issuer and keeps its reference; a voided invoice's payment is taken back to credit", () => {
    expect(byId().get(paid.insurer)).toMatchObject({
      paymentIssuer: { reference: `Organization/${ids.insurer}`, display: 'Laya Healthcare' },
      disposition: 'Paid by the insurer, from Laya Healthcare',
      paymentIdentifier: { value: 'CLM-2020-77' },
      detail: [{ type: type('payment'), request: { reference: `Invoice/${ids.toInsurer}` }, amount: euro(25.5) }],
    });
    const sums = (p: PaymentReconciliation) => p.detail!.reduce((sum, d) => sum + Math.round(d.amount!.value! * 100), 0);
    const beforeVoid = byId().get(paid.beforeVoid)!;
    expect(beforeVoid.detail!.map((d) => [d.type!.coding![0]!.code, d.request?.reference, d.amount!.value])).toEqual([
      ['payment', `Invoice/${ids.voided}`, 25.5],
      ['adjustment', `Invoice/${ids.voided}`, -25.5],
      ['advance', undefined, 25.5],
    ]);
    for (const p of byId().values()) expect(sums(p)).toBe(Math.round(p.paymentAmount!.value! * 100));
  });
});

describe('bulk export with billing', () => {
  it('exports every Invoice, ChargeItem, Organization and PaymentReconciliation of the practice, valid R4, and none of another practice', async () => {
    const api = t.client(admin.token);
    const all = async (type: 'Invoice' | 'ChargeItem' | 'Organization' | 'PaymentReconciliation') => (await api.exports.fhir.query({ type, limit: 1000 })).items as Resource[];
    const [invoices, charges, organizations, payments] = [await all('Invoice'), await all('ChargeItem'), await all('Organization'), await all('PaymentReconciliation')];
    expect([invoices.length, charges.length, organizations.length, payments.length]).toEqual([4, 4, 2, 4]);
    expect(problemsOf([...invoices, ...charges, ...organizations, ...payments])).toEqual({});
    const { admin: other } = await createPractice(t);
    expect((await t.client(other.token).exports.fhir.query({ type: 'Invoice' })).items).toEqual([]);
  });

  it('exports a payment again since it was refunded', async () => {
    const api = t.client(admin.token);
    const since = new Date().toISOString();
    expect((await api.exports.fhir.query({ type: 'PaymentReconciliation', since })).items).toEqual([]);
    await api.payments.refund.mutate({ paymentId: paid.cash, amount: 1000, reason: 'Goodwill' });
    const [again] = (await api.exports.fhir.query({ type: 'PaymentReconciliation', since })).items as unknown as PaymentReconciliation[];
    expect(again).toMatchObject({
      id: paid.cash,
      detail: expect.arrayContaining([{ type: expect.objectContaining({ text: 'Refund: Goodwill' }), date: expect.any(String), amount: { value: 10, currency: 'EUR' } }]),
    });
    expect(again!.meta!.lastUpdated! >= since).toBe(true);
  });
});
