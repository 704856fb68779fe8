import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { ESCALATE_SOS } from '../../server/modules/sos/sos-queue.ts';
import type { NotificationOutput } from '../../shared/schemas/notifications.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runCli } from '../run-cli.ts';
import { runJobNow, startWorker } from '../workers.ts';

/** Monday 4 January 2027, 10:00 in Dublin (UTC in winter). */
const START = '2027-01-04T10:00:00Z';
const clock = manualClock(START);
const MINUTE = 60_000;
const TEXT = 'Crushing chest pain since breakfast';
const PHONE = '+353871234567';
const PLACE = { latitude: 53.2707, longitude: -9.0568, accuracy: 12 };

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let onCall: TestUser;
let outsider: TestUser;
let otherAdmin: TestUser;
/** Ana's portal account: her own SOS, and her son Ben's as his guardian. */
let ana: TestUser;
let anaId: string;
let benId: string;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A real SSE stream through the typed client, registered once it returns. */
async function listen(user: TestUser) {
  const before = t.live.count(user.id);
  const events: NotificationOutput[] = [];
  const sub = t.client(user.token).notifications.stream.subscribe({}, { onData: (e) => events.push(e.data) });
  await until(() => t.live.count(user.id) > before, 'the stream to register');
  return { events, stop: () => sub.unsubscribe() };
}

const raise = (patientId: string, token = ana.token) => t.client(token).sos.raise.mutate({ patientId, text: TEXT, location: PLACE, callbackPhone: '+353 87 123 4567' });
const mailsTo = (user: TestUser, subject: RegExp) => t.smtp.mails.filter((m) => m.to === user.email && subject.test(m.raw));
/** The mail text must say nothing of the SOS itself. */
const expectNoPhi = (mail: string) => {
  for (const secret of ['Crushing', 'chest', PHONE, '871234567', '53.27', '9.05', 'Ana', 'Ben', 'Moran']) expect(mail).not.toContain(secret);
};

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  await t.client(admin.token).practices.update.mutate({ timeZone: 'Europe/Dublin' });
  carer = await inviteUser(t, admin);
  onCall = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  anaId = (await createPatient(t, carer.token, { givenName: 'Ana', familyName: 'Moran', email: 'ana.moran@example.test' })).id;
  benId = (await createPatient(t, carer.token, { givenName: 'Ben', familyName: 'Moran', birthDate: '2015-05-05' })).id;
  ana = await invitePatientToPortal(t, carer.token, anaId);
  await t.client(carer.token).patients.addGuardian.mutate({ patientId: benId, guardianPatientId: anaId });
  await startWorker(t);
});
afterAll(() => t?.close());

describe('practice settings', () => {
  it('default to 112 and 2 minutes, and an admin changes them within bounds', async () => {
    expect(await t.client(carer.token).practices.current.query()).toMatchObject({ emergencyNumber: '112', sosEscalationMinutes: 2 });
    expect((await rejection(t.client(admin.token).practices.update.mutate({ emergencyNumber: 'call me' }))).code).toBe('BAD_REQUEST');
    expect((await rejection(t.client(admin.token).practices.update.mutate({ sosEscalationMinutes: 0 }))).code).toBe('BAD_REQUEST');
    expect(await t.client(otherAdmin.token).practices.update.mutate({ emergencyNumber: '911' })).toMatchObject({ emergencyNumber: '911' });
  });
});

let first: string;
describe('sos.raise with no one on call: the care team', () => {
  it('answers with the emergency number, tells the care team live and by mail (without PHI), and confirms to the patient with the number', async () => {
    const carerStream = await listen(carer);
    const outsiderStream = await listen(outsider);
    const sos = await raise(anaId);
    first = sos.id;
    expect(sos).toMatchObject({
      patientId: anaId,
      raisedBy: ana.id,
      text: TEXT,
      location: PLACE,
      callbackPhone: PHONE,
      status: 'open',
      escalationStep: 0,
      emergencyNumber: '112',
      notice: 'PAMS is not an emergency service: for a life-threatening emergency call 112 now.',
    });
    await until(() => carerStream.events.some((e) => e.kind === 'sos.raised'), 'the care team to hear');
    expect(carerStream.events.find((e) => e.kind === 'sos.raised')).toMatchObject({ patientId: null, data: { sosId: sos.id } });
    const staffMail = await t.smtp.waitForMail(carer.email, /An SOS request needs an answer/);
    expect(staffMail).toContain(`http://pams.test/sos/${sos.id}`);
    expectNoPhi(staffMail);
    const confirmation = await t.smtp.waitForMail(ana.email, /SOS request received/);
    expect(confirmation).toContain('PAMS is not an emergency service: for a life-threatening emergency call 112 now.');
    expectNoPhi(confirmation);
    expect(outsiderStream.events).toEqual([]);
    expect(mailsTo(outsider, /SOS/)).toEqual([]);
    carerStream.stop();
    outsiderStream.stop();
    // Sealed at rest: neither the text, the phone nor the place is in the row.
    const [row] = await sql(t, 'select to_jsonb(s)::text as row from sos_request s where id = ?', [sos.id]);
    for (const secret of ['Crushing', PHONE, '53.27']) expect(row!.row).not.toContain(secret);
  });

  it('refuses a second open SOS for the patient (with the number), staff, an invalid location, and a patient not theirs', async () => {
    const again = await rejection(raise(anaId));
    expect(again).toMatchObject({ code: 'CONFLICT', reason: 'sos-open' });
    expect(again.message).toContain('call 112');
    expect((await rejection(raise(anaId, carer.token))).code).toBe('FORBIDDEN');
    expect((await rejection(raise(anaId, admin.token))).code).toBe('FORBIDDEN');
    const bad = await rejection(t.client(ana.token).sos.raise.mutate({ patientId: benId, text: 'x', location: { latitude: 91, longitude: 0 }, callbackPhone: PHONE }));
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'location.latitude': expect.any(Array) } });
    const stranger = (await createPatient(t, carer.token)).id;
    expect((await rejection(raise(stranger))).code).toBe('NOT_FOUND');
  });

  it('is seen by the patient, the care team and admins; not by a clinician off it, nor by another practice', async () => {
    expect((await t.client(ana.token).sos.byId.query({ id: first })).outcomeNote).toBeNull();
    expect((await t.client(carer.token).sos.list.query({ status: 'open' })).items.map((s) => s.id)).toEqual([first]);
    expect((await t.client(admin.token).sos.byId.query({ id: first })).text).toBe(TEXT);
    expect((await rejection(t.client(outsider.token).sos.byId.query({ id: first }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(outsider.token).sos.acknowledge.mutate({ id: first }))).code).toBe('NOT_FOUND');
    expect((await t.client(outsider.token).sos.list.query({})).items).toEqual([]);
    expect((await rejection(t.client(otherAdmin.token).sos.byId.query({ id: first }))).code).toBe('NOT_FOUND');
    expect((await t.client(otherAdmin.token).sos.list.query({})).items).toEqual([]);
  });
});

describe('sos.acknowledge and sos.resolve', () => {
  it('gives it to the first of two who answer at once; the other gets CONFLICT sos-acknowledged; the patient sees it live', async () => {
    const anaStream = await listen(ana);
    clock.set(new Date(Date.parse(START) + 3 * MINUTE));
    const results = await Promise.allSettled([t.client(carer.token).sos.acknowledge.mutate({ id: first }), t.client(admin.token).sos.acknowledge.mutate({ id: first })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected')!;
    expect(await rejection(Promise.reject((lost as PromiseRejectedResult).reason))).toMatchObject({ code: 'CONFLICT', reason: 'sos-acknowledged' });
    const winner = (won[0] as PromiseFulfilledResult<{ acknowledgedBy: string | null }>).value.acknowledgedBy;
    await until(() => anaStream.events.some((e) => e.kind === 'sos.changed'), 'the patient to see the change');
    expect(anaStream.events.find((e) => e.kind === 'sos.changed')).toMatchObject({ patientId: anaId, data: { sosId: first, status: 'acknowledged' } });
    anaStream.stop();
    // The acknowledger resolves it (an admin also could).
    const resolver = winner === carer.id ? carer : admin;
    clock.set(new Date(Date.parse(START) + 10 * MINUTE));
    const resolved = await t.client(resolver.token).sos.resolve.mutate({ id: first, outcome: 'referred-to-emergency', note: 'Told to call 112; ambulance sent' });
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: resolver.id, outcome: 'referred-to-emergency', outcomeNote: 'Told to call 112; ambulance sent' });
    expect(await t.client(ana.token).sos.byId.query({ id: first })).toMatchObject({ status: 'resolved', outcome: 'referred-to-emergency', outcomeNote: null });
    expect(await rejection(t.client(resolver.token).sos.resolve.mutate({ id: first, outcome: 'advised' }))).toMatchObject({ code: 'CONFLICT', reason: 'sos-resolved' });
    expect(await rejection(t.client(ana.token).sos.acknowledge.mutate({ id: first }))).toMatchObject({ code: 'FORBIDDEN' });
  });
});

let second: string;
describe('the on-call roster', () => {
  it('is set by admins only, with active clinicians of the practice and ends after starts', async () => {
    const shifts = [{ clinicianId: onCall.id, weekday: 1, start: '09:00', end: '17:00' }];
    expect((await rejection(t.client(carer.token).onCall.set.mutate({ shifts }))).code).toBe('FORBIDDEN');
    expect((await rejection(t.client(admin.token).onCall.set.mutate({ shifts: [{ ...shifts[0]!, end: '08:00' }] }))).code).toBe('BAD_REQUEST');
    expect(await rejection(t.client(admin.token).onCall.set.mutate({ shifts: [{ ...shifts[0]!, clinicianId: otherAdmin.id }] }))).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { 'shifts.0.clinicianId': expect.any(Array) },
    });
    expect(await t.client(admin.token).onCall.set.mutate({ shifts })).toMatchObject({ timeZone: 'Europe/Dublin', shifts, onCallNow: [onCall.id] });
    expect((await t.client(otherAdmin.token).onCall.list.query()).shifts).toEqual([]);
  });

  it("sends a guardian's SOS for a dependent to the clinician on call, who sees it though not on the care team", async () => {
    clock.set(new Date(Date.parse(START) + 30 * MINUTE));
    const onCallStream = await listen(onCall);
    const carerStream = await listen(carer);
    const sos = await raise(benId);
    second = sos.id;
    expect(sos).toMatchObject({ patientId: benId, raisedBy: ana.id, status: 'open' });
    await until(() => onCallStream.events.some((e) => e.kind === 'sos.raised'), 'the on-call clinician to hear');
    expectNoPhi(await t.smtp.waitForMail(onCall.email, /An SOS request needs an answer/));
    expect((await t.client(onCall.token).sos.byId.query({ id: sos.id })).text).toBe(TEXT);
    expect(carerStream.events.filter((e) => e.kind === 'sos.raised')).toEqual([]);
    expect((await rejection(t.client(outsider.token).sos.byId.query({ id: sos.id }))).code).toBe('NOT_FOUND');
    onCallStream.stop();
    carerStream.stop();
  });
});

describe('escalation (the real job, on a clock the test moves)', () => {
  const at = (minutes: number) => clock.set(new Date(Date.parse(START) + (30 + minutes) * MINUTE));
  const escalations = async (user: TestUser) =>
    (await sql(t, `select data->>'step' as step from notification where user_id = ? and kind = 'sos.escalated' and subject_id = ? order by 1`, [user.id, second])).map((r) => Number(r.step));

  it('waits the escalation minutes, then tells every clinician and admin once per step, however many workers run', async () => {
    at(1);
    await runJobNow(t, ESCALATE_SOS);
    expect(await escalations(admin)).toEqual([]);
    at(2);
    await startWorker(t);
    await Promise.all([runJobNow(t, ESCALATE_SOS), runJobNow(t, ESCALATE_SOS), runJobNow(t, ESCALATE_SOS)]);
    for (const user of [admin, carer, onCall, outsider]) expect(await escalations(user), user.email).toEqual([1]);
    for (const user of [admin, carer, onCall, outsider]) expectNoPhi(await t.smtp.waitForMail(user.email, /still unanswered[\s\S]*no answer for 2 minutes/));
    await runJobNow(t, ESCALATE_SOS);
    at(4);
    await runJobNow(t, ESCALATE_SOS);
    await runJobNow(t, ESCALATE_SOS);
    expect(await escalations(outsider)).toEqual([1, 2]);
    await t.smtp.waitForMail(outsider.email, /no answer for 4 minutes/);
    expect(mailsTo(outsider, /still unanswered/)).toEqual([]);
    expect((await t.client(admin.token).sos.byId.query({ id: second })).escalationStep).toBe(2);
  });

  it('stops once acknowledged, by anyone it reached (a clinician off the care team, once escalated)', async () => {
    at(5);
    expect(await t.client(outsider.token).sos.acknowledge.mutate({ id: second })).toMatchObject({ status: 'acknowledged', acknowledgedBy: outsider.id });
    expect(await rejection(t.client(carer.token).sos.resolve.mutate({ id: second, outcome: 'advised' }))).toMatchObject({ code: 'CONFLICT', reason: 'sos-acknowledged' });
    at(30);
    await runJobNow(t, ESCALATE_SOS);
    expect(await escalations(admin)).toEqual([1, 2]);
    at(25);
    expect(await t.client(outsider.token).sos.resolve.mutate({ id: second, outcome: 'callback-done' })).toMatchObject({ status: 'resolved' });
  });
});

describe('reports.sos and pams report sos', () => {
  const range = { from: '2027-01-04T00:00:00Z', to: '2027-01-05T00:00:00Z' };
  it('counts by status and outcome, and the minutes to acknowledge and to resolve (median, p90)', async () => {
    // First: acknowledged after 3 min, resolved after 10. Second: acknowledged after 5, resolved after 25.
    const report = await t.client(admin.token).reports.sos.query({ ...range, per: 'day' });
    const figures = {
      raised: 2,
      open: 0,
      acknowledged: 0,
      resolved: 2,
      escalated: 1,
      outcomes: { advised: 0, 'callback-done': 1, 'appointment-booked': 0, 'referred-to-emergency': 1, 'no-contact': 0, 'false-alarm': 0 },
      acknowledgeMedianMinutes: 4,
      acknowledgeP90Minutes: 4.8,
      resolveMedianMinutes: 17.5,
      resolveP90Minutes: 23.5,
    };
    expect(report).toMatchObject({ per: 'day', timeZone: 'Europe/Dublin', rows: [{ periodStart: '2027-01-04', ...figures }], total: figures });
    expect((await t.client(otherAdmin.token).reports.sos.query(range)).total.raised).toBe(0);
    expect((await rejection(t.client(carer.token).reports.sos.query(range))).code).toBe('FORBIDDEN');
    const cli = await runCli(['report', 'sos', '--from', range.from, '--to', range.to, '--per', 'day', '--csv', '--url', t.url, '--token', admin.token]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.trim().split('\n')).toEqual([
      'period,raised,open,acknowledged,resolved,escalated,ack median min,ack p90 min,resolve median min,resolve p90 min',
      '2027-01-04,2,0,0,2,1,4,4.8,17.5,23.5',
    ]);
  });
});
