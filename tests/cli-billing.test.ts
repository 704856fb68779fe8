import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, inviteUser, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { runCli } from './run-cli.ts';

/** `pams services`, `pams tax-rates` and `pams invoices`, each through the real `pams` in a child process. */
let t: TestServer;
let admin: TestUser;
let clinician: TestUser;
const pams = (user: TestUser, args: string[]) => runCli(args, { env: { PAMS_URL: t.url, PAMS_TOKEN: user.token } });

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t, 'Harbour Clinic'));
  clinician = await inviteUser(t, admin, 'clinician');
});
const dir = mkdtempSync(path.join(tmpdir(), 'pams-cli-billing-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});
/** poppler's pdfinfo, to check the PDF reads as one (Debian's poppler-utils; without it, the header only). */
const pdfinfo = (() => {
  try {
    execFileSync('pdfinfo', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('pams tax-rates and pams services', () => {
  it('makes rates from percentages, components included, and services priced in the currency', async () => {
    const gst = await pams(admin, ['tax-rates', 'create', 'GST 18%', '--component', 'CGST=9%', '--component', 'SGST=9%', '--json']);
    expect(gst.code).toBe(0);
    expect(gst.json()).toMatchObject({
      ratePpm: 180_000,
      components: [
        { name: 'CGST', ratePpm: 90_000 },
        { name: 'SGST', ratePpm: 90_000 },
      ],
    });
    const ny = await pams(admin, ['tax-rates', 'create', 'NY', '--rate', '8.875%', '--json']);
    expect(ny.json()).toMatchObject({ ratePpm: 88_750, components: [{ name: 'NY', ratePpm: 88_750 }] });
    expect((await pams(admin, ['tax-rates', 'create', 'Bad', '--rate', '101%'])).code).toBe(1);
    const table = await pams(admin, ['tax-rates', 'list']);
    expect(table.stdout).toMatch(/GST 18%\s.*18%\s.*CGST 9% \+ SGST 9%/);

    const service = await pams(admin, ['services', 'create', 'CONS', 'Consultation', '--price', '80.50', '--tax-rate', gst.json().id, '--json']);
    expect(service.code).toBe(0);
    expect(service.json()).toMatchObject({ code: 'CONS', price: 8050, taxRateName: 'GST 18%' });
    expect((await pams(admin, ['services', 'create', 'X', 'X', '--price', '1.005'])).code).toBe(1);
    expect((await pams(clinician, ['services', 'create', 'Y', 'Y', '--price', '1'])).code).toBe(2);
    expect((await pams(clinician, ['services', 'list'])).stdout).toMatch(/CONS\s.*Consultation\s.*80\.50\s.*GST 18%/);
    const archived = await pams(admin, ['services', 'archive', service.json().id, '--json']);
    expect(archived.json()).toMatchObject({ active: false });
  });
});

describe('pams practice update: billing details', () => {
  it('sets the name, address lines, phone, email and tax registration invoices show, and clears them with ""', async () => {
    const details = ['--billing-name', 'Harbour Clinic Ltd', '--billing-address-line', '1 Quay Street', '--billing-address-line', 'Galway', '--billing-phone', '+353 91 123 456'];
    const set = await pams(admin, ['practice', 'update', ...details, '--billing-email', 'accounts@harbour.example', '--tax-registration', 'VAT=IE1234567T', '--json']);
    expect(set.code).toBe(0);
    expect(set.json()).toMatchObject({
      billingName: 'Harbour Clinic Ltd',
      billingAddressLines: ['1 Quay Street', 'Galway'],
      billingPhone: '+35391123456',
      taxRegistration: { label: 'VAT', value: 'IE1234567T' },
    });
    expect((await pams(admin, ['practice', 'show'])).stdout).toMatch(/^taxRegistration\s+VAT IE1234567T$/m);
    expect((await pams(admin, ['practice', 'update', '--tax-registration', 'IE1234567T'])).code).toBe(1);
    const cleared = await pams(admin, ['practice', 'update', '--billing-name', '', '--billing-address-line', '', '--json']);
    expect(cleared.json()).toMatchObject({ billingName: null, billingAddressLines: null, billingEmail: 'accounts@harbour.example' });
  });
});

describe('pams invoices', () => {
  it('drafts from the charges, issues with the next number, shows it and voids it with a reason', async () => {
    const patient = await createPatient(t, clinician.token);
    const service = await t.client(admin.token).services.create.mutate({ code: 'FU', name: 'Follow-up', price: 6000 });
    await t.client(clinician.token).charges.create.mutate({ patientId: patient.id, serviceId: service.id });

    const draft = await pams(admin, ['invoices', 'draft', patient.id, '--json']);
    expect(draft.code).toBe(0);
    expect(draft.json()).toMatchObject({ status: 'draft', total: 6000, lines: [{ serviceCode: 'FU' }] });
    const issued = await pams(admin, ['invoices', 'issue', draft.json().id, '--json']);
    expect(issued.json()).toMatchObject({ status: 'issued', number: expect.stringMatching(/^INV-\d{4}-000001$/) });
    expect((await pams(admin, ['invoices', 'issue', draft.json().id])).code).toBe(3);

    const shown = await pams(admin, ['invoices', 'show', draft.json().id]);
    expect(shown.stdout).toMatch(/^total\s+60\.00 EUR$/m);
    expect(shown.stdout).toMatch(/FU\s.*Follow-up/);
    expect((await pams(admin, ['invoices', 'list', '--patient', patient.id])).stdout).toContain(issued.json().number);

    // The PDF, by number or id, into a file of mode 0600; an existing file only with --force.
    const out = path.join(dir, 'invoice.pdf');
    const written = await pams(admin, ['invoices', 'pdf', issued.json().number, '--out', out]);
    expect(written).toMatchObject({ code: 0, stdout: `${out}\n` });
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    if (pdfinfo) expect(execFileSync('pdfinfo', [out], { encoding: 'utf8' })).toMatch(new RegExp(`^Title:\\s+${issued.json().number}$`, 'm'));
    expect((await pams(admin, ['invoices', 'pdf', draft.json().id, '--out', out])).code).toBe(1);
    const forced = await pams(admin, ['invoices', 'pdf', draft.json().id, '--out', out, '--force', '--json']);
    expect(forced.json()).toEqual({ path: out, bytes: statSync(out).size });
    expect((await pams(admin, ['invoices', 'pdf', 'INV-1999-000001', '--out', path.join(dir, 'none.pdf')])).code).toBe(3);

    expect((await pams(admin, ['invoices', 'void', draft.json().id])).code).toBe(1); // --reason is required
    const voided = await pams(admin, ['invoices', 'void', draft.json().id, '--reason', 'Billed twice', '--json']);
    expect(voided.json()).toMatchObject({ status: 'void', creditNote: { number: expect.stringMatching(/^CN-\d{4}-000001$/), total: -6000 } });
    expect((await pams(clinician, ['invoices', 'draft', patient.id])).code).toBe(2);
  });
});
