import { execFileSync } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { runCliAs } from './run-cli.ts';

/** `pams payments …` as a child process against a real server: decimal amounts in, minor units on the wire, exit codes like the other commands. */
let t: TestServer;
let admin: TestUser;
let configDir: string;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  configDir = await mkdtemp(path.join(tmpdir(), 'pams-payments-cli-'));
});
afterAll(() => t.close());

const pams = (args: string[]) => runCliAs(t, admin, configDir, args);

/** Whether poppler's pdftotext is here (Debian's `poppler-utils`; .ci/run installs it), to read a receipt back. */
const poppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function invoiceOf(patientId: string, price: number) {
  const api = t.client(admin.token);
  const service = await api.services.create.mutate({ code: `S${price}`, name: 'Service', price });
  const draft = await api.invoices.createDraft.mutate({ patientId, fromCharges: false });
  await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: service.id, quantity: 1, discount: 0 } });
  return api.invoices.issue.mutate({ id: draft.id });
}

describe('pams payments', () => {
  it('records a payment in decimal amounts, allocated to invoices by amount or by balance, the rest credit; lists and refunds it', async () => {
    const patient = await createPatient(t, admin.token);
    const [a, b] = [await invoiceOf(patient.id, 1000), await invoiceOf(patient.id, 2550)];
    const recorded = await pams(['payments', 'record', patient.id, '--amount', '40.00', '--method', 'card', '--invoice', `${a.id}=4.50`, '--invoice', b.id, '--external-id', 'cli-1', '--json']);
    expect(recorded.code).toBe(0);
    expect(recorded.json()).toMatchObject({ amount: 4000, allocated: 2550 + 450, credit: 1000, method: 'card', externalId: 'cli-1' });
    // A retry with the same key records nothing new.
    expect((await pams(['payments', 'record', patient.id, '--amount', '40', '--method', 'card', '--invoice', `${a.id}=4.50`, '--invoice', b.id, '--external-id', 'cli-1', '--json'])).json().id).toBe(
      recorded.json().id,
    );

    const listed = await pams(['payments', 'list', '--patient', patient.id]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('40.00 EUR');
    const refunded = await pams(['payments', 'refund', recorded.json().id, '--amount', '12.25', '--reason', 'Overpaid']);
    expect(refunded.code).toBe(0);
    expect(refunded.stdout).toMatch(/refunded\s+12\.25 EUR/);
  });

  it('refuses an amount with more decimals than the currency, and a refund beyond the payment, with the usage exit code', async () => {
    const patient = await createPatient(t, admin.token);
    const bad = await pams(['payments', 'record', patient.id, '--amount', '12.505', '--method', 'cash']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('at most 2 decimals');
    const paid = (await pams(['payments', 'record', patient.id, '--amount', '5', '--method', 'cash', '--json'])).json();
    const tooMuch = await pams(['payments', 'refund', paid.id, '--amount', '5.01', '--reason', 'No', '--json']);
    expect(tooMuch.code).toBe(1);
    expect(tooMuch.json()).toMatchObject({ reason: 'exceeds-refundable' });
    expect((await pams(['payments', 'refund', '01a20a11-0000-7000-8000-000000000000', '--amount', '1', '--reason', 'No'])).code).toBe(3);
  });

  it.skipIf(!poppler)('writes a receipt PDF: its number, the payer, the amount and the invoices it settled, the credit and a refund', async () => {
    await t.client(admin.token).practices.update.mutate({ billingName: 'Harbour Health Ltd', billingAddressLines: ['1 Quay Street', 'Galway'] });
    const patient = await createPatient(t, admin.token, { givenName: 'Nora', familyName: 'Quinn' });
    const invoice = await invoiceOf(patient.id, 3000);
    const paid = (await pams(['payments', 'record', patient.id, '--amount', '50.00', '--method', 'bank-transfer', '--invoice', invoice.id, '--reference', 'TRF-889', '--json'])).json();
    await pams(['payments', 'refund', paid.id, '--amount', '5.00', '--reason', 'Overpaid']);
    const out = path.join(configDir, 'receipt.pdf');
    const written = await pams(['payments', 'receipt', paid.id, '--out', out, '--json']);
    expect(written.code).toBe(0);
    expect(written.json()).toMatchObject({ path: out, bytes: (await stat(out)).size });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
    for (const expected of [paid.number, 'Harbour Health Ltd', '1 Quay Street', 'Nora Quinn', 'Bank transfer', 'TRF-889', '€50.00', invoice.number!, '€30.00', '€15.00', 'Refunded since: €5.00']) {
      expect(text).toContain(expected);
    }
    expect((await pams(['payments', 'receipt', paid.id, '--out', out])).code).toBe(1); // exists: --force to replace it
    expect((await pams(['payments', 'receipt', paid.id, '--out', out, '--force'])).code).toBe(0);
  });
});
