import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../../server/modules/billing/money-format.ts';
import type { RouterOutputs } from '../../../shared/client.ts';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, newEmail, type TestUser } from '../../fixtures.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';

/**
 * `invoices.pdf` over HTTP: the PDF of an issued invoice and of its credit note, read back with poppler's
 * pdftotext (skipped, and said so, without it, as invoice-pdf.test.ts does), and who may have it.
 */
const poppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!poppler) console.warn("No pdftotext found (install Debian's `poppler-utils`): the invoices.pdf tests are skipped.");

type Invoice = RouterOutputs['invoices']['byId'];
let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let invoice: Invoice;
let patientUser: TestUser;
const dir = mkdtempSync(path.join(tmpdir(), 'pams-invoices-pdf-'));

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t, 'Sanjeevani Physio'));
  carer = await inviteUser(t, admin);
  const api = t.client(admin.token);
  await api.practices.update.mutate({
    currency: 'INR',
    timeZone: 'Asia/Kolkata',
    billingName: 'Sanjeevani Physiotherapy & Rehab Clinic',
    billingAddressLines: ['2nd Floor, 14 Residency Road', 'Bengaluru, Karnataka 560025'],
    billingPhone: '+91 80 4123 4567',
    billingEmail: 'billing@sanjeevani.example',
    taxRegistration: { label: 'GSTIN', value: '29ABCDE1234F1Z5' },
  });
  const gst = await api.taxRates.create.mutate({
    name: 'GST 18%',
    ratePpm: 180_000,
    components: [
      { name: 'CGST', ratePpm: 90_000 },
      { name: 'SGST', ratePpm: 90_000 },
    ],
  });
  const session = await api.services.create.mutate({ code: 'SAC999312', name: 'Physiotherapy session', price: 1_500_00, taxRateId: gst.id });
  const letter = await api.services.create.mutate({ code: 'LTR', name: 'Medical letter', price: 333_33 });
  const patient = await createPatient(t, carer.token, {
    givenName: 'Ananya',
    familyName: 'Rao',
    birthDate: '1961-07-04',
    email: newEmail('ananya'),
    address: { lines: ['7 Lavelle Road'], city: 'Bengaluru', postalCode: '560001', country: 'IN' },
  });
  const charges = t.client(carer.token).charges;
  await charges.create.mutate({ patientId: patient.id, serviceId: session.id, quantity: 3, discount: 500_00 });
  await charges.create.mutate({ patientId: patient.id, serviceId: letter.id });
  invoice = await api.invoices.issue.mutate({ id: (await api.invoices.createDraft.mutate({ patientId: patient.id })).id });
  patientUser = await invitePatientToPortal(t, carer.token, patient.id);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

let count = 0;
/** The PDF's text as pdftotext lays it out, with runs of spaces made one. */
function textOf(pdf: { contentBase64: string }): string {
  const file = path.join(dir, `doc-${++count}.pdf`);
  writeFileSync(file, Buffer.from(pdf.contentBase64, 'base64'));
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
}
const inr = (minor: number) => formatMoney(minor, 'INR');

describe.skipIf(!poppler)('invoices.pdf', () => {
  it("is the issued invoice: number, the practice's details and tax id, every line, the tax by component and the totals as the DTO has them", async () => {
    const pdf = await t.client(admin.token).invoices.pdf.query({ id: invoice.id });
    expect(pdf).toMatchObject({ fileName: `${invoice.number}.pdf`, contentType: 'application/pdf' });
    expect(Buffer.from(pdf.contentBase64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    const text = textOf(pdf);
    for (const s of [
      invoice.number!,
      'Sanjeevani Physiotherapy & Rehab Clinic',
      '2nd Floor, 14 Residency Road',
      'Bengaluru, Karnataka 560025',
      'GSTIN 29ABCDE1234F1Z5',
      'billing@sanjeevani.example',
      '+91 80 4123 4567',
    ])
      expect(text).toContain(s);
    expect(text).toContain('Ananya Rao');
    expect(text).toContain('7 Lavelle Road');
    expect(text).toContain('Jul 4, 1961');
    expect(invoice.lines).toHaveLength(2);
    for (const line of invoice.lines) {
      const row = text.split('\n').find((l) => l.includes(line.serviceName));
      expect(row, line.serviceName).toBeDefined();
      expect(row).toContain(`${line.quantity} ${inr(line.unitPrice)}`);
      expect(row).toContain(`${inr(line.net)} ${inr(line.tax)} ${inr(line.total)}`);
    }
    // 3 × 1,500.00 − 500.00 = 4,000.00 at 18%: CGST 9% and SGST 9% of 360.00 each; the letter is exempt.
    expect(invoice.taxSummary).toEqual([
      { name: 'CGST', ratePpm: 90_000, tax: 360_00 },
      { name: 'SGST', ratePpm: 90_000, tax: 360_00 },
    ]);
    for (const c of invoice.taxSummary) expect(text).toContain(`GST 18% ${c.name} 9% ${inr(4_000_00)} ${inr(c.tax)}`);
    expect(text).toContain(`Subtotal ${inr(invoice.subtotal)}`);
    expect(text).toContain(`Tax ${inr(invoice.tax)}`);
    expect(text).toContain(`Total ${inr(invoice.total)}`);
    expect(text).toContain(`Amount paid ${inr(invoice.amountPaid)}`);
    expect(text).toContain(`Balance due ${inr(invoice.balance)}`);
    expect(invoice).toMatchObject({ subtotal: 4_333_33, tax: 720_00, total: 5_053_33 });
    expect((await auditTrail(t, invoice.id)).map((e) => e.action)).toContain('invoice.pdf');
  });

  it("is the patient's own in the portal; another patient's, another practice's and an outsider's NOT_FOUND", async () => {
    const own = await t.client(patientUser.token).invoices.pdf.query({ id: invoice.id });
    expect(textOf(own)).toContain(invoice.number!);
    const otherPatient = await createPatient(t, carer.token, { email: newEmail('other') });
    const other = await invitePatientToPortal(t, carer.token, otherPatient.id);
    expect((await rejection(t.client(other.token).invoices.pdf.query({ id: invoice.id }))).code).toBe('NOT_FOUND');
    const { admin: foreign } = await createPractice(t);
    expect((await rejection(t.client(foreign.token).invoices.pdf.query({ id: invoice.id }))).code).toBe('NOT_FOUND');
    const outsider = await inviteUser(t, admin);
    expect((await rejection(t.client(outsider.token).invoices.pdf.query({ id: invoice.id }))).code).toBe('NOT_FOUND');
  });

  it('refuses a draft (invoice-not-issued; the portal never sees one), and is the credit note of a voided invoice', async () => {
    const api = t.client(admin.token);
    const patient = await createPatient(t, carer.token, { givenName: 'Kiran', familyName: 'Shah' });
    const letter = (await api.services.list.query()).find((s) => s.code === 'LTR')!;
    const draft = await api.invoices.createDraft.mutate({ patientId: patient.id, fromCharges: false });
    await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: letter.id, quantity: 2, discount: 0 } });
    expect(await rejection(api.invoices.pdf.query({ id: draft.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invoice-not-issued' });
    expect((await rejection(t.client(patientUser.token).invoices.pdf.query({ id: draft.id }))).code).toBe('NOT_FOUND');

    const issued = await api.invoices.issue.mutate({ id: draft.id });
    expect((await rejection(api.invoices.pdf.query({ id: issued.id, document: 'credit-note' }))).code).toBe('NOT_FOUND');
    const voided = await api.invoices.void.mutate({ id: issued.id, reason: 'Billed twice' });
    const pdf = await api.invoices.pdf.query({ id: issued.id, document: 'credit-note' });
    expect(pdf.fileName).toBe(`${voided.creditNote!.number}.pdf`);
    const text = textOf(pdf);
    expect(text).toContain(voided.creditNote!.number);
    expect(text).toContain(`Credits invoice ${issued.number}`);
    expect(text).toContain(`Total credit ${inr(voided.creditNote!.total)}`);
    expect(text).toContain('Billed twice');
    expect(voided.creditNote!.total).toBe(-666_66);
  });
});
