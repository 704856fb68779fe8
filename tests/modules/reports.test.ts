import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { SWEEP_REMINDERS } from '../../server/modules/reminders/reminders.jobs.ts';
import { extracted, NOTE, patientWithPortal, startCareLoop } from '../care-loop-setup.ts';
import { createPatient, createPractice, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runCli } from '../run-cli.ts';
import { runJobNow, startWorker, waitFor } from '../workers.ts';

const frequency = ['not-at-all', 'several-days', 'more-than-half', 'nearly-every-day'];
const phq9 = (score: number) => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9.${i + 1}`, frequency[i < 8 ? score : 0]!]));

let t: TestServer;
let admin: TestUser;
let ann: TestUser;
let bob: TestUser;
let otherAdmin: TestUser;
/** The Monday of a week at least a week ahead, 00:00 UTC (the practice's time zone): the appointments' week. */
let monday: Date;
/** The server's clock: moved into the appointments' week to mark what happened at its visits (not allowed ahead of time). */
const clock = manualClock(new Date());
const at = (day: number, hour: number) => new Date(monday.getTime() + day * 86_400_000 + hour * 3_600_000).toISOString();

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  ann = await inviteUser(t, admin);
  bob = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  const now = new Date();
  monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 7 + ((8 - now.getUTCDay()) % 7)));

  // Assessments: Ann submits PHQ-9 totals 8 (mild) and 16 (moderately severe), Bob 0 (minimal); one stays in progress.
  const patient = (await createPatient(t, ann.token)).id;
  await t.client(ann.token).careTeams.add.mutate({ patientId: patient, clinicianId: bob.id });
  for (const [user, score] of [
    [ann, 1],
    [ann, 2],
    [bob, 0],
  ] as const) {
    const { id } = await t.client(user.token).assessments.start.mutate({ patientId: patient, questionnaireKey: 'phq-9' });
    await t.client(user.token).assessments.submit.mutate({ id, answers: phq9(score) });
  }
  await t.client(bob.token).assessments.start.mutate({ patientId: patient, questionnaireKey: 'gad-7' });

  // Appointments: Ann works Mon-Fri 09:00-17:00 (2,400 min) less 2 hours off; four one-hour visits.
  const type = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Visit', durationMinutes: 60 });
  await t.client(ann.token).availability.setWeeklyHours.mutate({ clinicianId: ann.id, hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })) });
  await t.client(ann.token).availability.addException.mutate({ clinicianId: ann.id, startsAt: at(4, 15), endsAt: at(4, 17), reason: 'training' });
  const book = (day: number) => t.client(ann.token).appointments.book.mutate({ clinicianId: ann.id, patientId: patient, typeId: type.id, startsAt: at(day, 9) });
  const [done, cancelled, noShow] = [await book(0), await book(1), await book(2)];
  await book(3);
  clock.set(at(2, 10));
  await t.client(ann.token).appointments.complete.mutate({ id: done.id });
  await t.client(ann.token).appointments.cancel.mutate({ id: cancelled.id, reason: 'ill' });
  await t.client(ann.token).appointments.markNoShow.mutate({ id: noShow.id });
});
afterAll(() => t.close());

describe('reports.assessments', () => {
  it('counts, averages and bands submitted assessments by questionnaire and clinician', async () => {
    const report = await t.client(admin.token).reports.assessments.query({});
    const name = (id: string | null) => (id === ann.id ? 'ann' : id === bob.id ? 'bob' : 'all');
    expect(report.rows.map((r) => ({ q: r.questionnaireKey, who: name(r.clinicianId), count: r.count, mean: r.meanTotal, severity: r.severity }))).toEqual(
      expect.arrayContaining([
        { q: 'phq-9', who: 'all', count: 3, mean: 8, severity: { minimal: 1, mild: 1, 'moderately-severe': 1 } },
        { q: 'phq-9', who: 'ann', count: 2, mean: 12, severity: { mild: 1, 'moderately-severe': 1 } },
        { q: 'phq-9', who: 'bob', count: 1, mean: 0, severity: { minimal: 1 } },
      ]),
    );
    expect(report.rows).toHaveLength(3); // the GAD-7 in progress is not counted
  });

  it('filters by clinician, questionnaire and period', async () => {
    expect((await t.client(admin.token).reports.assessments.query({ clinicianId: bob.id })).rows.map((r) => r.count)).toEqual([1, 1]);
    expect((await t.client(admin.token).reports.assessments.query({ questionnaireKey: 'gad-7' })).rows).toEqual([]);
    expect((await t.client(admin.token).reports.assessments.query({ from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' })).rows).toEqual([]);
  });
});

describe('reports.appointments', () => {
  it('counts visits by status and the utilisation of weekly hours less time off', async () => {
    const report = await t.client(admin.token).reports.appointments.query({ from: at(0, 0), to: at(7, 0) });
    const annRow = { clinicianId: ann.id, booked: 4, open: 1, completed: 1, cancelled: 1, noShow: 1, bookedMinutes: 180, availableMinutes: 2280, utilisation: 7.9 };
    expect(report.rows).toEqual([expect.objectContaining(annRow)]);
    expect(report.total).toEqual(expect.objectContaining({ ...annRow, clinicianId: null }));
  });

  it('counts only what starts in the period, and hours only inside it', async () => {
    const tuesday = await t.client(admin.token).reports.appointments.query({ from: at(1, 0), to: at(2, 0) });
    expect(tuesday.total).toMatchObject({ booked: 1, cancelled: 1, bookedMinutes: 0, availableMinutes: 480, utilisation: 0 });
  });
});

describe('reports.activity', () => {
  it('lists every clinician and admin with what they did in the period', async () => {
    const report = await t.client(admin.token).reports.activity.query({ from: at(-30, 0), to: at(7, 0) });
    const of = (id: string) => report.rows.find((r) => r.clinicianId === id);
    expect(of(ann.id)).toMatchObject({ assessments: 2, patientsSeen: 1, appointmentsCompleted: 1 });
    expect(of(bob.id)).toMatchObject({ assessments: 1, patientsSeen: 0, appointmentsCompleted: 0 });
    expect(of(admin.id)).toMatchObject({ assessments: 0, patientsSeen: 0 });
  });
});

describe('access and input', () => {
  it('is for admins, and shows another practice nothing of this one', async () => {
    expect((await rejection(t.client(ann.token).reports.activity.query({}))).code).toBe('FORBIDDEN');
    expect((await t.client(otherAdmin.token).reports.assessments.query({})).rows).toEqual([]);
    expect((await t.client(otherAdmin.token).reports.appointments.query({ from: at(0, 0), to: at(7, 0) })).total).toMatchObject({ booked: 0, availableMinutes: 0, utilisation: null });
    expect((await t.client(otherAdmin.token).reports.activity.query({})).rows.map((r) => r.clinicianId)).toEqual([otherAdmin.id]);
  });

  it('refuses a backwards or too long period with field messages', async () => {
    const backwards = await rejection(t.client(admin.token).reports.activity.query({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }));
    expect(backwards).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { to: ['must be after from'] } });
    const long = await rejection(t.client(admin.token).reports.appointments.query({ from: '2000-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }));
    expect(long.code).toBe('BAD_REQUEST');
  });
});

describe('pams report', () => {
  const cli = (args: string[], token = admin.token) => runCli(['report', ...args, '--url', t.url, '--token', token]);

  it('prints a table, CSV or JSON', async () => {
    const table = await cli(['appointments', '--from', at(0, 0), '--to', at(7, 0)]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/utilisation %/);
    expect(table.stdout).toMatch(/7\.9/);
    const csv = await cli(['assessments', '--csv']);
    expect(csv.stdout.trim().split('\n')).toEqual(expect.arrayContaining(['questionnaire,clinician,count,mean total,mild,minimal,moderately-severe', 'phq-9,all,3,8,1,1,1']));
    const json = await cli(['activity', '--json']);
    expect(json.json().rows.length).toBe(3);
  });

  it('exits 1 on a bad date and 2 for a clinician', async () => {
    expect((await cli(['activity', '--from', 'last week'])).code).toBe(1);
    expect((await cli(['activity'], ann.token)).code).toBe(2);
  });
});

describe('narrowing to a clinician', () => {
  it('answers NOT_FOUND for a clinician of another practice', async () => {
    expect((await rejection(t.client(otherAdmin.token).reports.assessments.query({ clinicianId: ann.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(otherAdmin.token).reports.appointments.query({ clinicianId: ann.id }))).code).toBe('NOT_FOUND');
  });
});

describe('reports.reminders and the notes column of reports.activity (the care loop, on a clock the test moves)', () => {
  let world: Awaited<ReturnType<typeof startCareLoop>>;
  let bea: TestUser;
  const period = { from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z' };

  /** Runs a reminder sweep at an instant and waits until every email it made is sent. */
  async function sweepAt(instant: string) {
    world.clock.set(instant);
    await runJobNow(world.t, SWEEP_REMINDERS);
    await waitFor(async () => (await sql<{ n: number }>(world.t, `select count(*)::int as n from reminder_delivery where status = 'pending'`))[0]!.n === 0, { what: 'reminder emails sent' });
  }

  beforeAll(async () => {
    world = await startCareLoop({ start: '2026-03-02T13:00:00Z' });
    const { t, clinician, admin } = world;
    await startWorker(t);
    bea = await inviteUser(t, admin);
    // The clinician's patient: a medicine at 08:30 and a walk at 09:00 (New York); Bea's patient: stretches at 10:00.
    const first = await patientWithPortal(t, clinician);
    const second = await patientWithPortal(t, bea);
    const noteA = await t.client(clinician.token).notes.create.mutate({ patientId: first.patient.id, body: NOTE });
    await t.client(clinician.token).notes.addendum.mutate({ id: noteA.id, body: 'Blood pressure rechecked: 145/90.' });
    const noteB = await t.client(bea.token).notes.create.mutate({ patientId: second.patient.id, body: '- Stretch every day at 10:00' });
    await extracted(t, clinician.token, noteA.id);
    await extracted(t, bea.token, noteB.id);
    const stepOf = async (token: string, word: string) => (await t.client(token).steps.list.query({ kind: 'plan' })).items.find((s) => s.title.startsWith(word))!.id;

    await sweepAt('2026-03-02T14:45:00Z'); // 09:45 in New York: the medicine and the walk
    world.clock.set('2026-03-02T15:45:00Z'); // an hour after its first reminder, the medicine is checked in
    await t.client(first.portal.token).steps.checkIn.mutate({ id: await stepOf(first.portal.token, 'Take') });
    await sweepAt('2026-03-02T15:45:00Z'); // 10:45: the stretches
    await sweepAt('2026-03-03T16:45:00Z'); // next day: the walk and the stretches again
    world.clock.set('2026-03-03T17:45:00Z'); // 26 hours after their first reminder, the stretches are checked in
    await t.client(second.portal.token).steps.checkIn.mutate({ id: await stepOf(second.portal.token, 'Stretch') });
  });
  afterAll(() => world.close());

  it('counts reminders by channel and outcome, the check-in rate and the median time to check-in, per clinician and cadence', async () => {
    const report = await world.t.client(world.admin.token).reports.reminders.query(period);
    expect(report.total).toEqual({
      clinicianId: null,
      clinicianName: null,
      cadence: null,
      remindersSent: 10,
      inAppSent: 5,
      emailSent: 5,
      emailPending: 0,
      emailSkipped: 0,
      emailCancelled: 0,
      itemsReminded: 3,
      itemsCheckedIn: 2,
      checkInRate: 66.7,
      medianMinutesToCheckIn: 810,
    });
    const row = (clinicianId: string | null) => report.rows.find((r) => r.clinicianId === clinicianId && r.cadence === 'daily');
    expect(row(null)).toMatchObject({ itemsReminded: 3, itemsCheckedIn: 2 });
    expect(row(world.clinician.id)).toMatchObject({ inAppSent: 3, emailSent: 3, itemsReminded: 2, itemsCheckedIn: 1, checkInRate: 50, medianMinutesToCheckIn: 60 });
    expect(row(bea.id)).toMatchObject({ inAppSent: 2, emailSent: 2, itemsReminded: 1, itemsCheckedIn: 1, checkInRate: 100, medianMinutesToCheckIn: 1560 });
    expect(report.rows).toHaveLength(3);
  });

  it("counts the reminders made in the period, timing check-ins from an item's first reminder", async () => {
    const api = world.t.client(world.admin.token);
    const secondDay = await api.reports.reminders.query({ from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' });
    expect(secondDay.total).toMatchObject({ remindersSent: 4, itemsReminded: 2, itemsCheckedIn: 1, checkInRate: 50, medianMinutesToCheckIn: 1560 });
    const beforeCheckIn = await api.reports.reminders.query({ from: '2026-03-02T00:00:00Z', to: '2026-03-02T15:00:00Z' });
    expect(beforeCheckIn.total).toMatchObject({ remindersSent: 4, itemsReminded: 2, itemsCheckedIn: 0, checkInRate: 0, medianMinutesToCheckIn: null });
    const onlyBea = await api.reports.reminders.query({ ...period, clinicianId: bea.id });
    expect(onlyBea.rows.map((r) => r.clinicianId)).toEqual([null, bea.id]);
    expect(onlyBea.total).toMatchObject({ itemsReminded: 1, remindersSent: 4 });
    const empty = await api.reports.reminders.query({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    expect(empty).toMatchObject({ rows: [], total: { remindersSent: 0, itemsReminded: 0, checkInRate: null, medianMinutesToCheckIn: null } });
  });

  it('counts the notes (and addenda) each clinician wrote in the period', async () => {
    const report = await world.t.client(world.admin.token).reports.activity.query(period);
    const of = (id: string) => report.rows.find((r) => r.clinicianId === id);
    expect(of(world.clinician.id)).toMatchObject({ notes: 2 });
    expect(of(bea.id)).toMatchObject({ notes: 1 });
    expect(of(world.admin.id)).toMatchObject({ notes: 0 });
    expect((await world.t.client(world.admin.token).reports.activity.query({ from: '2026-03-03T00:00:00Z', to: '2026-03-10T00:00:00Z' })).rows.every((r) => r.notes === 0)).toBe(true);
  });

  it('is for admins, shows another practice nothing, and narrows only to a clinician of the practice', async () => {
    expect((await rejection(world.t.client(bea.token).reports.reminders.query(period))).code).toBe('FORBIDDEN');
    expect((await t.client(otherAdmin.token).reports.reminders.query(period)).total.remindersSent).toBe(0);
    expect((await rejection(t.client(otherAdmin.token).reports.reminders.query({ ...period, clinicianId: bea.id }))).code).toBe('NOT_FOUND');
  });

  it('pams report reminders prints a table, CSV or JSON', async () => {
    const cli = (args: string[]) => runCli(['report', 'reminders', '--from', '2026-03-01', '--to', '2026-03-10', ...args, '--url', world.t.url, '--token', world.admin.token]);
    const table = await cli([]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/check-in %/);
    const csv = (await cli(['--csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('clinician,cadence,sent,in-app,email sent,email pending,email skipped,email cancelled,items reminded,checked in,check-in %,median min to check-in');
    expect(csv.at(-1)).toBe('all,all,10,5,5,0,0,0,3,2,66.7,810');
    expect((await cli(['--json'])).json().total.itemsCheckedIn).toBe(2);
  });
});
