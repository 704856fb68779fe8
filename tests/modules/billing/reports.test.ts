import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../server/clock.ts';
import { createPatient, createPractice, inviteUser, sql, type TestUser } from '../../fixtures.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';
import { runCli } from '../../run-cli.ts';

/**
 * The billing reports (issue 16 §3), through HTTP, on a hand-built set in a practice in Asia/Kolkata
 * (UTC+05:30), in INR (paise), payment terms 30 days:
 *
 * - B, 2027-03-31 23:30 IST (18:00Z), to an insurer: a brace by Ann (GST 12%: net 249900, CGST 14994 + SGST 14994)
 *   and physiotherapy added by hand (no clinician; GST 18%: net 150000, CGST 13500 + SGST 13500). 456888 in all.
 * - A, 2027-04-01 01:30 IST (still 03-31 in UTC), to the patient: physiotherapy by Ann (177000) and a consultation
 *   by Bob (exempt, 80000). 257000.
 * - C, 2027-04-10: physiotherapy ×2 less 10000 by Bob (net 290000, CGST 26100 + SGST 26100). Voided on
 *   2027-05-02: its credit note counts in May.
 * - D, 2027-04-15: a consultation by Ann (exempt, 80000), 30000 of it paid (partially paid, balance 50000).
 */

let t: TestServer;
let admin: TestUser;
let ann: TestUser;
let bob: TestUser;
let insurer: { id: string; name: string };
const invoices: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };
const clock = manualClock('2027-03-31T17:00:00Z');

/** Midnight of a day in Asia/Kolkata, as an instant. */
const ist = (date: string) => new Date(`${date}T00:00:00+05:30`).toISOString();

beforeAll(async () => {
  t = await startTestServer({ SESSION_TTL_DAYS: '365' }, { clock });
  ({ admin } = await createPractice(t));
  ann = await inviteUser(t, admin);
  bob = await inviteUser(t, admin);
  const api = t.client(admin.token);
  await api.practices.update.mutate({ timeZone: 'Asia/Kolkata', currency: 'INR', paymentTermsDays: 30 });
  const gst = (percent: number) =>
    api.taxRates.create.mutate({
      name: `GST ${percent}%`,
      ratePpm: percent * 10_000,
      components: [
        { name: 'CGST', ratePpm: percent * 5_000 },
        { name: 'SGST', ratePpm: percent * 5_000 },
      ],
    });
  const [gst18, gst12] = [await gst(18), await gst(12)];
  const physio = await api.services.create.mutate({ code: 'PHYSIO', name: 'Physiotherapy', price: 150_000, taxRateId: gst18.id });
  const brace = await api.services.create.mutate({ code: 'BRACE', name: 'Knee brace', price: 249_900, taxRateId: gst12.id });
  const consult = await api.services.create.mutate({ code: 'CONSULT', name: 'Consultation', price: 80_000 });
  insurer = await api.organisations.create.mutate({ name: 'Star Health', kind: 'insurer' });

  const charge = (patientId: string, service: { id: string }, clinician: TestUser, quantity = 1, discount = 0) =>
    api.charges.create.mutate({ patientId, serviceId: service.id, clinicianId: clinician.id, quantity, discount });
  const issue = async (at: string, patientId: string, billTo?: { kind: 'organisation'; organisationId: string }, hand?: { id: string }) => {
    clock.set(at);
    const draft = await api.invoices.createDraft.mutate({ patientId, billTo });
    if (hand) await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: hand.id } });
    return (await api.invoices.issue.mutate({ id: draft.id })).id;
  };
  const [p1, p2, p3] = [await createPatient(t, admin.token), await createPatient(t, admin.token), await createPatient(t, admin.token)];
  await charge(p2.id, brace, ann);
  invoices.b = await issue('2027-03-31T18:00:00Z', p2.id, { kind: 'organisation', organisationId: insurer.id }, physio);
  await charge(p1.id, physio, ann);
  await charge(p1.id, consult, bob);
  invoices.a = await issue('2027-03-31T20:00:00Z', p1.id);
  await charge(p3.id, physio, bob, 2, 10_000);
  invoices.c = await issue('2027-04-10T05:00:00Z', p3.id);
  await charge(p1.id, consult, ann);
  invoices.d = await issue('2027-04-15T05:00:00Z', p1.id);
  // Payments are another round's: what Invoice.settle(30000) leaves, set directly.
  await sql(t, `update invoice set amount_paid = 30000, balance = total - 30000, status = 'partially-paid' where id = ?`, [invoices.d]);
  clock.set('2027-05-02T05:00:00Z');
  await api.invoices.void.mutate({ id: invoices.c, reason: 'Billed to the wrong patient' });
});
afterAll(() => t.close());

const reports = () => t.client(admin.token).reports;
const spring = { from: ist('2027-03-01'), to: ist('2027-06-01') };

describe('reports.revenue', () => {
  it('counts invoices by issue date and credit notes by theirs, per month of the practice', async () => {
    const report = await reports().revenue.query({ ...spring, per: 'month' });
    expect(report).toMatchObject({ per: 'month', by: null, timeZone: 'Asia/Kolkata', currency: 'INR', currencyDigits: 2 });
    expect(report.rows.map((r) => [r.periodStart, r.invoices, r.creditNotes, r.net, r.tax, r.gross])).toEqual([
      ['2027-03-01', 1, 0, 399_900, 56_988, 456_888],
      ['2027-04-01', 3, 0, 600_000, 79_200, 679_200],
      ['2027-05-01', 0, 1, -290_000, -52_200, -342_200],
    ]);
    expect(report.total).toEqual({ invoices: 4, creditNotes: 1, net: 709_900, tax: 83_988, gross: 793_888 });
  });

  it("puts a day's boundary where the practice's time zone does", async () => {
    const days = await reports().revenue.query({ from: ist('2027-03-31'), to: ist('2027-04-02'), per: 'day' });
    // A was issued at 20:00Z on 03-31, which in Kolkata is 01:30 on 04-01.
    expect(days.rows.map((r) => [r.periodStart, r.gross])).toEqual([
      ['2027-03-31', 456_888],
      ['2027-04-01', 257_000],
    ]);
    const april = await reports().revenue.query({ from: ist('2027-04-01'), to: ist('2027-05-01') });
    expect(april.total).toMatchObject({ invoices: 3, gross: 679_200 });
  });

  it("splits by the charge's clinician on each line (none for a line added by hand)", async () => {
    const report = await reports().revenue.query({ ...spring, by: 'clinician' });
    const who = (id: string | null) => (id === ann.id ? 'ann' : id === bob.id ? 'bob' : id);
    expect(report.rows.map((r) => [r.periodStart, who(r.clinicianId), r.invoices, r.creditNotes, r.net, r.tax, r.gross]).sort()).toEqual(
      [
        ['2027-03-01', 'ann', 1, 0, 249_900, 29_988, 279_888],
        ['2027-03-01', null, 1, 0, 150_000, 27_000, 177_000],
        ['2027-04-01', 'ann', 2, 0, 230_000, 27_000, 257_000],
        ['2027-04-01', 'bob', 2, 0, 370_000, 52_200, 422_200],
        ['2027-05-01', 'bob', 0, 1, -290_000, -52_200, -342_200],
      ].sort(),
    );
    expect(report.rows.find((r) => r.clinicianId === ann.id)).toMatchObject({ clinicianName: 'Test clinician', serviceCode: null });
    expect(report.total).toEqual({ invoices: 4, creditNotes: 1, net: 709_900, tax: 83_988, gross: 793_888 });
  });

  it('splits by the service on each line, as it was billed', async () => {
    const report = await reports().revenue.query({ ...spring, by: 'service' });
    expect(report.rows.map((r) => [r.periodStart, r.serviceCode, r.serviceName, r.net, r.tax, r.gross])).toEqual([
      ['2027-03-01', 'BRACE', 'Knee brace', 249_900, 29_988, 279_888],
      ['2027-03-01', 'PHYSIO', 'Physiotherapy', 150_000, 27_000, 177_000],
      ['2027-04-01', 'CONSULT', 'Consultation', 160_000, 0, 160_000],
      ['2027-04-01', 'PHYSIO', 'Physiotherapy', 440_000, 79_200, 519_200],
      ['2027-05-01', 'PHYSIO', 'Physiotherapy', -290_000, -52_200, -342_200],
    ]);
  });
});

describe('reports.revenue over days kept as invoices are issued', () => {
  const rollup = () => sql<Record<string, unknown>>(t, 'select * from revenue_day where practice_id = ? order by split, day, key, name', [admin.practiceId]);

  it('counts the documents of a period that starts or ends within a day from the documents themselves', async () => {
    // 19:00Z is 00:30 on 04-01 in Kolkata: from it, B (18:00Z) is out and A (20:00Z) in; to 04-10 06:00Z takes C (05:00Z) as well.
    const mid = await reports().revenue.query({ from: '2027-03-31T19:00:00.000Z', to: '2027-04-10T06:00:00.000Z', per: 'day' });
    expect(mid.rows.map((r) => [r.periodStart, r.invoices, r.gross])).toEqual([
      ['2027-04-01', 1, 257_000],
      ['2027-04-10', 1, 342_200],
    ]);
    expect(mid.total).toMatchObject({ invoices: 2, creditNotes: 0, gross: 257_000 + 342_200 });
    // Within one day, on both sides of an invoice: only the instants count.
    const [before, after] = [
      await reports().revenue.query({ from: '2027-03-31T19:30:00.000Z', to: '2027-03-31T20:00:00.000Z', by: 'clinician' }),
      await reports().revenue.query({ from: '2027-03-31T19:30:00.000Z', to: '2027-03-31T20:00:00.001Z', by: 'clinician' }),
    ];
    expect(before.rows).toEqual([]);
    expect(after.rows.map((r) => [r.clinicianId, r.gross]).sort()).toEqual(
      [
        [ann.id, 177_000],
        [bob.id, 80_000],
      ].sort(),
    );
  });

  it('dates the days anew when the practice changes its time zone, and the days kept one by one equal those worked out whole', async () => {
    const kept = await rollup();
    expect(kept.length).toBeGreaterThan(0);
    await t.client(admin.token).practices.update.mutate({ timeZone: 'UTC' });
    // In UTC both B and A were issued on 03-31.
    const utc = await reports().revenue.query({ from: '2027-03-31T00:00:00.000Z', to: '2027-04-02T00:00:00.000Z', per: 'day', by: 'service' });
    expect(utc.rows.map((r) => [r.periodStart, r.serviceCode, r.gross])).toEqual([
      ['2027-03-31', 'CONSULT', 80_000],
      ['2027-03-31', 'BRACE', 279_888],
      ['2027-03-31', 'PHYSIO', 177_000 + 177_000],
    ]);
    await t.client(admin.token).practices.update.mutate({ timeZone: 'Asia/Kolkata' });
    expect(await rollup()).toEqual(kept);
  });
});

describe('reports.ageing', () => {
  it('ages open balances by calendar days past due in the practice, per payer', async () => {
    // 2027-05-31 in Kolkata: A (due 05-01) is 30 days late, B (due 04-30) 31, D (due 05-15) 16; C is void.
    const report = await reports().ageing.query({ at: '2027-05-31T12:00:00Z' });
    expect(report).toMatchObject({ at: '2027-05-31T12:00:00.000Z', timeZone: 'Asia/Kolkata', currency: 'INR', currencyDigits: 2 });
    expect(report.rows).toEqual([
      { billToKind: 'organisation', organisationId: insurer.id, organisationName: 'Star Health', invoices: 1, current: 0, days1To30: 0, days31To60: 456_888, days61To90: 0, over90: 0, total: 456_888 },
      // D counts with what is left of it.
      { billToKind: 'patient', organisationId: null, organisationName: null, invoices: 2, current: 0, days1To30: 307_000, days31To60: 0, days61To90: 0, over90: 0, total: 307_000 },
    ]);
    expect(report.total).toEqual({ invoices: 3, current: 0, days1To30: 307_000, days31To60: 456_888, days61To90: 0, over90: 0, total: 763_888 });
  });

  it('turns a day over at midnight in the practice, not in UTC', async () => {
    // B is due 2027-04-30 23:30 IST: that whole day it is current; from midnight in Kolkata (18:30Z), a day late.
    const lastMinute = await reports().ageing.query({ at: '2027-04-30T18:29:00Z' });
    expect(lastMinute.total).toMatchObject({ current: 763_888, days1To30: 0 });
    const midnight = await reports().ageing.query({ at: '2027-04-30T18:30:00Z' });
    expect(midnight.rows.find((r) => r.billToKind === 'organisation')).toMatchObject({ current: 0, days1To30: 456_888 });
  });

  it('puts balances more than 60 and 90 days late in their buckets, and leaves out what was issued later', async () => {
    const august = await reports().ageing.query({ at: '2027-08-01T00:00:00Z' });
    expect(august.total).toEqual({ invoices: 3, current: 0, days1To30: 0, days31To60: 0, days61To90: 50_000, over90: 713_888, total: 763_888 });
    const before = await reports().ageing.query({ at: '2027-03-31T19:00:00Z' });
    expect(before.total).toMatchObject({ invoices: 1, current: 456_888, total: 456_888 });
  });
});

describe('reports.tax', () => {
  it('gives each rate and component its taxable and tax, less credit notes, and the exempt supplies', async () => {
    const report = await reports().tax.query(spring);
    expect(report).toMatchObject({ currency: 'INR', currencyDigits: 2 });
    expect(report.rows).toEqual([
      { rateName: 'GST 12%', component: 'CGST', ratePpm: 60_000, taxable: 249_900, tax: 14_994 },
      { rateName: 'GST 12%', component: 'SGST', ratePpm: 60_000, taxable: 249_900, tax: 14_994 },
      { rateName: 'GST 18%', component: 'CGST', ratePpm: 90_000, taxable: 300_000, tax: 27_000 },
      { rateName: 'GST 18%', component: 'SGST', ratePpm: 90_000, taxable: 300_000, tax: 27_000 },
      { rateName: null, component: null, ratePpm: null, taxable: 160_000, tax: 0 },
    ]);
    // Each line's net once: the same as the revenue report's.
    expect(report.total).toEqual({ taxable: 709_900, tax: 83_988 });
  });

  it("files a credit note in its own period, by the practice's month", async () => {
    const may = await reports().tax.query({ from: ist('2027-05-01'), to: ist('2027-06-01') });
    expect(may.rows).toEqual([
      { rateName: 'GST 18%', component: 'CGST', ratePpm: 90_000, taxable: -290_000, tax: -26_100 },
      { rateName: 'GST 18%', component: 'SGST', ratePpm: 90_000, taxable: -290_000, tax: -26_100 },
    ]);
    expect(may.total).toEqual({ taxable: -290_000, tax: -52_200 });
    const march = await reports().tax.query({ from: ist('2027-03-01'), to: ist('2027-04-01') });
    expect(march.total).toEqual({ taxable: 399_900, tax: 56_988 });
  });
});

describe('access', () => {
  it('is for admins, and shows another practice nothing of this one', async () => {
    const refusals = await Promise.all([t.client(ann.token).reports.revenue.query({}), t.client(ann.token).reports.ageing.query({}), t.client(bob.token).reports.tax.query({})].map(rejection));
    expect(refusals.map((r) => r.code)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    const { admin: other } = await createPractice(t);
    const theirs = t.client(other.token).reports;
    expect(await theirs.revenue.query(spring)).toMatchObject({ rows: [], total: { invoices: 0, creditNotes: 0, net: 0, tax: 0, gross: 0 } });
    expect(await theirs.ageing.query({ at: '2027-08-01T00:00:00Z' })).toMatchObject({ rows: [], total: { invoices: 0, total: 0 } });
    expect(await theirs.tax.query(spring)).toMatchObject({ rows: [], total: { taxable: 0, tax: 0 } });
  });

  it('refuses a backwards period with a field message', async () => {
    expect(await rejection(reports().revenue.query({ from: ist('2027-05-01'), to: ist('2027-04-01') }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { to: ['must be after from'] } });
  });
});

describe('pams report revenue|ageing|tax', () => {
  const cli = (args: string[]) => runCli(['report', ...args, '--url', t.url, '--token', admin.token]);

  it("prints amounts in rupees in a table, paise in CSV, and reads a date as the practice's midnight", async () => {
    const table = await cli(['tax', '--from', '2027-03-01', '--to', '2027-06-01']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/GST 18%[\s│]+CGST[\s│]+9%[\s│]+3000\.00[\s│]+270\.00/);
    expect(table.stdout).toMatch(/total[\s│]+7099\.00[\s│]+839\.88/);
    const csv = await cli(['revenue', '--from', '2027-03-31', '--to', '2027-04-02', '--per', 'day', '--csv']);
    expect(csv.stdout.trim().split('\n')).toEqual([
      'period,invoices,credit notes,net INR,tax INR,gross INR',
      '2027-03-31,1,0,399900,56988,456888',
      '2027-04-01,1,0,230000,27000,257000',
      'total,2,0,629900,83988,713888',
    ]);
    const ageing = await cli(['ageing', '--at', '2027-05-31', '--csv']);
    expect(ageing.stdout.trim().split('\n').at(-1)).toBe('total,3,0,307000,456888,0,0,763888');
  });
});
