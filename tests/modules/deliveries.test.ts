import type { MedicationRequest, Resource, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { fhirProblems } from '../fhir-validator.ts';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runCli } from '../run-cli.ts';
import { startWorker } from '../workers.ts';

const clock = manualClock(new Date());
const HOUR = 3_600_000;
const MEDICATION = 'Zolpidemix';
const home = { lines: ['12 Harbour Road'], city: 'Galway', postalCode: 'H91 X2Y3', country: 'IE' };
const elsewhere = { lines: ['Flat 3', '7 Quay Street'], city: 'Cork', country: 'IE' };

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let outsider: TestUser;
let otherAdmin: TestUser;
/** Ana's portal account: her own requests, and her son Ben's as his guardian. */
let ana: TestUser;
let anaId: string;
let benId: string;
let anaMed: string;
let benMed: string;
let stoppedMed: string;
let strangerMed: string;

const addMedication = async (patientId: string, name = `${MEDICATION} 10 mg`) =>
  (await t.client(carer.token).medications.create.mutate({ patientId, fields: { name, dose: '10 mg', frequency: 'nightly' } })).id;
const request = (medicationId: string, extra: { address?: typeof elsewhere & { postalCode?: string }; note?: string } = {}) =>
  t.client(ana.token).deliveries.create.mutate({ medicationId, quantity: 28, ...extra });
/** The next status email to Ana about this request, by its subject's status. */
const mailAbout = (id: string, status: string) => t.smtp.waitForMail(ana.email, new RegExp(`update: ${status}[\\s\\S]*deliveries/${id}`));

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  carer = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  const anaPatient = await createPatient(t, carer.token, { givenName: 'Ana', familyName: 'Moran', email: 'ana.moran@example.test', address: home });
  anaId = anaPatient.id;
  benId = (await createPatient(t, carer.token, { givenName: 'Ben', familyName: 'Moran', birthDate: '2015-05-05' })).id;
  ana = await invitePatientToPortal(t, carer.token, anaId);
  await t.client(carer.token).patients.addGuardian.mutate({ patientId: benId, guardianPatientId: anaId });
  anaMed = await addMedication(anaId);
  benMed = await addMedication(benId, 'Junior syrup');
  stoppedMed = await addMedication(anaId, 'Old tablets');
  await t.client(carer.token).medications.setStatus.mutate({ id: stoppedMed, status: 'stopped' });
  strangerMed = await addMedication((await createPatient(t, carer.token)).id);
  await startWorker(t);
});
afterAll(() => t?.close());

describe('deliveries.create', () => {
  it("takes the patient's address on file by default, keeps the history, audits, and emails without the medication", async () => {
    const d = await request(anaMed, { note: 'Leave with the neighbour' });
    expect(d).toMatchObject({ patientId: anaId, medicationId: anaMed, medicationName: `${MEDICATION} 10 mg`, quantity: 28, address: home, status: 'requested', requestedBy: ana.id });
    expect(d.history).toEqual([{ status: 'requested', at: d.createdAt, by: ana.id, reason: null }]);
    expect(await auditTrail(t, d.id)).toEqual([{ action: 'delivery.requested', actor_id: ana.id }]);
    const mail = await mailAbout(d.id, 'requested');
    expect(mail).toContain(`http://pams.test/portal/deliveries/${d.id}`);
    for (const secret of [MEDICATION, 'Harbour', 'Galway', 'neighbour']) expect(mail).not.toContain(secret);
  });

  it('lets a guardian ask for a dependent, to an address given (the child has none on file)', async () => {
    const missing = await rejection(request(benMed));
    expect(missing).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { address: [expect.stringMatching(/no address on file/)] } });
    const d = await request(benMed, { address: elsewhere });
    expect(d).toMatchObject({ patientId: benId, address: elsewhere, requestedBy: ana.id });
    expect(await mailAbout(d.id, 'requested')).not.toContain('Junior');
  });

  it('refuses a medication that is not active, one of a patient the caller may not see, a bad quantity, and staff', async () => {
    expect(await rejection(request(stoppedMed))).toMatchObject({ code: 'BAD_REQUEST', reason: 'medication-not-active', fieldErrors: { medicationId: [expect.stringMatching(/stopped/)] } });
    expect(await rejection(request(strangerMed))).toMatchObject({ code: 'NOT_FOUND' });
    for (const quantity of [0, -1, 2.5, 1001]) expect((await rejection(t.client(ana.token).deliveries.create.mutate({ medicationId: anaMed, quantity }))).code).toBe('BAD_REQUEST');
    expect((await rejection(t.client(carer.token).deliveries.create.mutate({ medicationId: anaMed, quantity: 1 }))).code).toBe('FORBIDDEN');
    expect(await sql(t, 'select count(*)::int as n from delivery_request where medication_id in (?, ?)', [stoppedMed, strangerMed])).toEqual([{ n: 0 }]);
  });
});

describe('deliveries.updateStatus', () => {
  it('walks requested → approved → dispatched → delivered, timestamped on the clock, audited, each change mailed', async () => {
    const d = await request(anaMed);
    const staff = t.client(carer.token).deliveries;
    expect((await rejection(staff.updateStatus.mutate({ id: d.id, status: 'approved', courier: 'An Post', reason: 'why' }))).fieldErrors).toEqual({
      courier: ['is only for dispatched'],
      reason: ['is only for declined, failed or cancelled'],
    });
    clock.advance(HOUR);
    expect(await staff.updateStatus.mutate({ id: d.id, status: 'approved' })).toMatchObject({ status: 'approved' });
    const noCourier = await rejection(staff.updateStatus.mutate({ id: d.id, status: 'dispatched' }));
    expect(noCourier).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { courier: expect.any(Array), trackingReference: expect.any(Array) } });
    clock.advance(HOUR);
    const dispatched = await staff.updateStatus.mutate({ id: d.id, status: 'dispatched', courier: 'An Post', trackingReference: 'TRK-123' });
    expect(dispatched).toMatchObject({ status: 'dispatched', courier: 'An Post', trackingReference: 'TRK-123' });
    expect(await rejection(t.client(ana.token).deliveries.updateStatus.mutate({ id: d.id, status: 'cancelled' }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    clock.advance(HOUR);
    const delivered = await staff.updateStatus.mutate({ id: d.id, status: 'delivered' });
    const at = (hours: number) => new Date(Date.parse(d.createdAt) + hours * HOUR).toISOString();
    expect(delivered.history).toEqual([
      { status: 'requested', at: at(0), by: ana.id, reason: null },
      { status: 'approved', at: at(1), by: carer.id, reason: null },
      { status: 'dispatched', at: at(2), by: carer.id, reason: null },
      { status: 'delivered', at: at(3), by: carer.id, reason: null },
    ]);
    expect((await auditTrail(t, d.id)).map((a) => a.action)).toEqual(['delivery.requested', 'delivery.approved', 'delivery.dispatched', 'delivery.delivered']);
    for (const status of ['approved', 'dispatched', 'delivered']) {
      const mail = await mailAbout(d.id, status);
      for (const secret of [MEDICATION, 'Harbour', 'TRK-123']) expect(mail).not.toContain(secret);
    }
    expect((await rejection(staff.updateStatus.mutate({ id: d.id, status: 'failed' }))).reason).toBe('invalid-transition');
  });

  it('declines only with a reason, and a declined request moves no further', async () => {
    const d = await request(anaMed);
    const staff = t.client(admin.token).deliveries;
    expect((await rejection(staff.updateStatus.mutate({ id: d.id, status: 'declined' }))).fieldErrors).toMatchObject({ reason: expect.any(Array) });
    expect((await rejection(staff.updateStatus.mutate({ id: d.id, status: 'declined', reason: ' ' }))).code).toBe('BAD_REQUEST');
    expect(await staff.updateStatus.mutate({ id: d.id, status: 'declined', reason: 'Due a review first' })).toMatchObject({ status: 'declined', reason: 'Due a review first' });
    expect(await rejection(staff.updateStatus.mutate({ id: d.id, status: 'approved' }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect(await mailAbout(d.id, 'declined')).not.toContain('review');
  });

  it('marks a dispatched delivery failed, with an optional reason', async () => {
    const d = await request(anaMed);
    const staff = t.client(carer.token).deliveries;
    await staff.updateStatus.mutate({ id: d.id, status: 'approved' });
    await staff.updateStatus.mutate({ id: d.id, status: 'dispatched', courier: 'DPD', trackingReference: 'D-1' });
    expect(await staff.updateStatus.mutate({ id: d.id, status: 'failed', reason: 'Nobody home' })).toMatchObject({ status: 'failed', reason: 'Nobody home' });
  });

  it('lets the patient (or guardian) cancel before dispatch, and only cancel; staff may not cancel for them', async () => {
    const requested = await request(anaMed);
    const approved = await request(benMed, { address: elsewhere });
    await t.client(carer.token).deliveries.updateStatus.mutate({ id: approved.id, status: 'approved' });
    expect((await rejection(t.client(ana.token).deliveries.updateStatus.mutate({ id: requested.id, status: 'approved' }))).code).toBe('FORBIDDEN');
    expect((await rejection(t.client(carer.token).deliveries.updateStatus.mutate({ id: requested.id, status: 'cancelled' }))).code).toBe('FORBIDDEN');
    expect(await t.client(ana.token).deliveries.updateStatus.mutate({ id: requested.id, status: 'cancelled' })).toMatchObject({ status: 'cancelled', reason: null });
    expect(await t.client(ana.token).deliveries.updateStatus.mutate({ id: approved.id, status: 'cancelled', reason: 'Collected it myself' })).toMatchObject({
      status: 'cancelled',
      reason: 'Collected it myself',
    });
    expect((await rejection(t.client(ana.token).deliveries.updateStatus.mutate({ id: requested.id, status: 'cancelled' }))).reason).toBe('invalid-transition');
    await mailAbout(approved.id, 'cancelled');
  });

  it('answers NOT_FOUND to a clinician off the care team and to another practice, and changes nothing', async () => {
    const d = await request(anaMed);
    for (const user of [outsider, otherAdmin]) {
      expect((await rejection(t.client(user.token).deliveries.updateStatus.mutate({ id: d.id, status: 'approved' }))).code).toBe('NOT_FOUND');
      expect((await rejection(t.client(user.token).deliveries.byId.query({ id: d.id }))).code).toBe('NOT_FOUND');
      expect((await t.client(user.token).deliveries.list.query({})).items).toEqual([]);
    }
    expect((await t.client(carer.token).deliveries.byId.query({ id: d.id })).status).toBe('requested');
  });
});

describe('deliveries.list', () => {
  it('is the staff queue, oldest first, filtered by status, patient and when requested', async () => {
    const staff = t.client(carer.token).deliveries;
    const all = await staff.list.query({ limit: 100 });
    const times = all.items.map((d) => d.createdAt);
    expect(times).toEqual([...times].sort());
    const requested = await staff.list.query({ status: 'requested', limit: 100 });
    expect(requested.items.length).toBeGreaterThan(0);
    expect(requested.items.every((d) => d.status === 'requested')).toBe(true);
    expect((await staff.list.query({ patientId: benId, limit: 100 })).items.every((d) => d.patientId === benId)).toBe(true);
    const last = all.items.at(-1)!;
    expect((await staff.list.query({ from: last.createdAt, limit: 100 })).items.map((d) => d.id)).toContain(last.id);
    expect((await staff.list.query({ to: all.items[0]!.createdAt })).items).toEqual([]);
    const firstPage = await staff.list.query({ limit: 2 });
    const secondPage = await staff.list.query({ limit: 2, cursor: firstPage.nextCursor! });
    expect([...firstPage.items, ...secondPage.items].map((d) => d.id)).toEqual(all.items.slice(0, 4).map((d) => d.id));
  });

  it("shows a patient their own requests and their dependents', with each change", async () => {
    const mine = await t.client(ana.token).deliveries.list.query({ limit: 100 });
    expect(new Set(mine.items.map((d) => d.patientId))).toEqual(new Set([anaId, benId]));
    expect(mine.items.find((d) => d.status === 'delivered')!.history.map((h) => h.status)).toEqual(['requested', 'approved', 'dispatched', 'delivered']);
    expect((await rejection(t.client(outsider.token).deliveries.list.query({ patientId: anaId }))).code).toBe('NOT_FOUND');
  });
});

describe('FHIR: MedicationRequest (intent proposal) and its Task (fulfil)', () => {
  it("exports each request in the patient's $everything, valid R4, with its fulfilment as a Task", async () => {
    const bundle = await t.client(carer.token).patients.fhir.query({ id: anaId });
    const resources = bundle.entry.map((e) => e.resource as unknown as Resource);
    const requests = resources.filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest');
    const tasks = resources.filter((r): r is Task => r.resourceType === 'Task');
    expect(requests.length).toBeGreaterThan(3);
    expect(tasks.map((r) => r.id).sort()).toEqual(requests.map((r) => r.id).sort());
    for (const r of [...requests, ...tasks]) expect(fhirProblems(r), `${r.resourceType}/${r.id}`).toEqual([]);
    const present = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    const references = JSON.stringify([...requests, ...tasks]).match(/"reference":"[^"]+"/g)!;
    expect(references.map((r) => r.slice(13, -1)).filter((r) => !present.has(r))).toEqual([]);

    const delivered = tasks.find((r) => r.status === 'completed')!;
    expect(delivered).toMatchObject({
      intent: 'order',
      code: { coding: [{ code: 'fulfill' }] },
      businessStatus: { text: 'delivered' },
      focus: { reference: `MedicationRequest/${delivered.id}` },
      for: { reference: `Patient/${anaId}` },
      input: [{ valueAddress: { line: home.lines, city: 'Galway', country: 'IE' } }],
      output: [{ valueString: 'An Post' }, { valueString: 'TRK-123' }],
      executionPeriod: { start: expect.any(String), end: expect.any(String) },
    });
    expect(requests.find((r) => r.id === delivered.id)).toMatchObject({
      status: 'completed',
      intent: 'proposal',
      medicationCodeableConcept: { text: `${MEDICATION} 10 mg` },
      requester: { reference: `Patient/${anaId}` },
      supportingInformation: [{ reference: `MedicationStatement/${anaMed}` }],
      dispenseRequest: { quantity: { value: 28 } },
    });
    expect(tasks.find((r) => r.status === 'rejected')).toMatchObject({ statusReason: { text: 'Due a review first' } });
  });

  it("names the guardian as the requester of a dependent's request, and bulk-exports both types", async () => {
    const bundle = await t.client(carer.token).patients.fhir.query({ id: benId });
    const request = bundle.entry.map((e) => e.resource as unknown as MedicationRequest).find((r) => r.resourceType === 'MedicationRequest')!;
    expect(request.requester).toEqual({ display: 'Portal Patient (guardian)' });
    for (const type of ['MedicationRequest', 'Task'] as const) {
      const page = await t.client(admin.token).exports.fhir.query({ type, limit: 1000 });
      expect(page.items.length).toBeGreaterThan(4);
      expect(page.items.every((r) => r.resourceType === type)).toBe(true);
      expect((await t.client(otherAdmin.token).exports.fhir.query({ type })).items).toEqual([]);
    }
  });
});

describe('reports.deliveries and pams report deliveries (on a clock the test moves)', () => {
  /** A day ahead of everything above: the report's period holds only the requests made here. */
  const base = Date.now() + 2 * 24 * HOUR;
  const at = (hours: number) => new Date(base + hours * HOUR).toISOString();
  const dayPeriod = { from: at(0), to: at(24) };

  beforeAll(async () => {
    const staff = t.client(carer.token).deliveries;
    const move = async (id: string, steps: [number, 'approved' | 'dispatched' | 'delivered' | 'declined'][]) => {
      for (const [hour, status] of steps) {
        clock.set(at(hour));
        if (status === 'dispatched') await staff.updateStatus.mutate({ id, status, courier: 'An Post', trackingReference: `T-${hour}` });
        else if (status === 'declined') await staff.updateStatus.mutate({ id, status, reason: 'Not due yet' });
        else await staff.updateStatus.mutate({ id, status });
      }
    };
    const made: string[] = [];
    for (const hour of [0, 1, 2, 3]) {
      clock.set(at(hour));
      made.push((await request(anaMed)).id);
    }
    // Delivered 2, 4 and 10 hours after they were asked for; the fourth declined after an hour.
    await move(made[0]!, [
      [0.5, 'approved'],
      [1, 'dispatched'],
      [2, 'delivered'],
    ]);
    await move(made[1]!, [
      [2, 'approved'],
      [3, 'dispatched'],
      [5, 'delivered'],
    ]);
    await move(made[2]!, [
      [2.5, 'approved'],
      [3, 'dispatched'],
      [12, 'delivered'],
    ]);
    await move(made[3]!, [[4, 'declined']]);
    clock.set(at(25));
    await request(anaMed); // after the period
  });

  it('counts requests by status at the end of the period, with median and p90 hours from the request', async () => {
    const report = await t.client(admin.token).reports.deliveries.query(dayPeriod);
    expect(report).toMatchObject({ from: dayPeriod.from, to: dayPeriod.to, requests: 4 });
    expect(report.rows).toEqual([
      { status: 'requested', count: 0, medianHours: null, p90Hours: null },
      { status: 'approved', count: 0, medianHours: null, p90Hours: null },
      { status: 'declined', count: 1, medianHours: 1, p90Hours: 1 },
      { status: 'dispatched', count: 0, medianHours: null, p90Hours: null },
      { status: 'delivered', count: 3, medianHours: 4, p90Hours: 8.8 },
      { status: 'failed', count: 0, medianHours: null, p90Hours: null },
      { status: 'cancelled', count: 0, medianHours: null, p90Hours: null },
    ]);
    // Six hours in, the third was still on its way.
    const early = await t.client(admin.token).reports.deliveries.query({ from: at(0), to: at(6) });
    expect(early.rows.filter((r) => r.count)).toEqual([
      { status: 'declined', count: 1, medianHours: 1, p90Hours: 1 },
      { status: 'dispatched', count: 1, medianHours: 1, p90Hours: 1 },
      { status: 'delivered', count: 2, medianHours: 3, p90Hours: 3.8 },
    ]);
    expect((await t.client(otherAdmin.token).reports.deliveries.query(dayPeriod)).requests).toBe(0);
    expect((await rejection(t.client(carer.token).reports.deliveries.query(dayPeriod))).code).toBe('FORBIDDEN');
  });

  it('prints it as a table or CSV, and refuses a clinician', async () => {
    const cli = (args: string[], token = admin.token) => runCli(['report', 'deliveries', '--from', dayPeriod.from, '--to', dayPeriod.to, ...args, '--url', t.url, '--token', token]);
    const csv = await cli(['--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.trim().split('\n')).toEqual([
      'status,requests,median h,p90 h',
      'requested,0,,',
      'approved,0,,',
      'declined,1,1,1',
      'dispatched,0,,',
      'delivered,3,4,8.8',
      'failed,0,,',
      'cancelled,0,,',
    ]);
    const table = await cli([]);
    expect(table.stdout).toMatch(/median h/);
    expect(table.stdout).toMatch(/8\.8/);
    expect((await cli([], carer.token)).code).toBe(2);
  });
});
