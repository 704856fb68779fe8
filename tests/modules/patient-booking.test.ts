import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, newEmail, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';

/**
 * A patient, and a guardian for a dependent, book, move and cancel their own visits through the portal:
 * with clinicians on the care team, patient-bookable types, times ahead, and outside the practice's
 * cancellation window; staff are bound by none of it, and see who booked.
 */
const clock = manualClock('2027-01-01T00:00:00Z'); // a Friday; Dublin is on UTC all winter
const HOUR = 3_600_000;
/** The working days of the week after, 09:00-17:00 Dublin time. */
const day = (date: number, time: string) => `2027-01-${String(date).padStart(2, '0')}T${time}:00.000Z`;

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let outsider: TestUser;
let online: { id: string };
let staffOnly: { id: string };
let patient: { id: string };
let portal: TestUser;
let otherPatient: { id: string };

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  await t.client(admin.token).practices.update.mutate({ timeZone: 'Europe/Dublin' });
  online = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Online review', durationMinutes: 30, bookableByPatients: true });
  staffOnly = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Procedure', durationMinutes: 60 });
  [carer, outsider] = [await withHours(await inviteUser(t, admin)), await withHours(await inviteUser(t, admin))];
  patient = await createPatient(t, carer.token, { email: newEmail('pat') });
  portal = await invitePatientToPortal(t, carer.token, patient.id);
  otherPatient = await createPatient(t, carer.token);
});
afterAll(() => t.close());

async function withHours(clinician: TestUser): Promise<TestUser> {
  const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
  await t.client(clinician.token).availability.setWeeklyHours.mutate({ clinicianId: clinician.id, hours });
  return clinician;
}

const book = (user: TestUser, clinicianId: string, patientId: string, startsAt: string, typeId = online.id) =>
  t.client(user.token).appointments.book.mutate({ clinicianId, patientId, typeId, startsAt });
const slots = async (user: TestUser, clinicianId: string, date: string, typeId = online.id) =>
  (await t.client(user.token).appointments.freeSlots.query({ clinicianId, typeId, from: date, to: date })).slots.map((s) => s.startsAt);
const count = async (table: string) => (await sql<{ n: number }>(t, `select count(*)::int as n from ${table}`))[0]!.n;
/** What a refused call could have changed. */
const snapshot = () => Promise.all([sql(t, 'select id, starts_at, status, cancel_reason, booked_via from appointment order by id'), count('care_team_member'), count('audit_event')]);

describe('what a patient may book', () => {
  it('lists only the active types bookable by patients, whatever they ask', async () => {
    const names = async (user: TestUser, includeInactive = false) => (await t.client(user.token).appointmentTypes.list.query({ includeInactive })).map((x) => x.name);
    expect(await names(portal, true)).toEqual(['Online review']);
    expect(await names(admin)).toEqual(['Online review', 'Procedure']);
    const retired = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Old check', durationMinutes: 15, bookableByPatients: true });
    expect(await t.client(admin.token).appointmentTypes.update.mutate({ id: retired.id, active: false })).toMatchObject({ active: false, bookableByPatients: true });
    expect(await names(portal, true)).toEqual(['Online review']);
    expect(await t.client(admin.token).appointmentTypes.update.mutate({ id: staffOnly.id, bookableByPatients: true })).toMatchObject({ bookableByPatients: true });
    expect(await names(portal)).toEqual(['Online review', 'Procedure']);
    await t.client(admin.token).appointmentTypes.update.mutate({ id: staffOnly.id, bookableByPatients: false });
    expect(await names(portal)).toEqual(['Online review']);
  });

  it("sees the free slots of their care team's clinicians still ahead, for a patient-bookable type", async () => {
    clock.set('2027-01-04T10:10:00Z');
    const ahead = await slots(portal, carer.id, '2027-01-04');
    expect(ahead[0]).toBe(day(4, '10:30'));
    expect(ahead).toHaveLength(13);
    expect((await slots(carer, carer.id, '2027-01-04'))[0]).toBe(day(4, '09:00'));
    const types = await t.client(portal.token).appointments.freeSlots.query({ clinicianId: carer.id, typeId: online.id, from: '2027-01-04', to: '2027-01-04' });
    expect(types.timeZone).toBe('Europe/Dublin');
    clock.set('2027-01-01T00:00:00Z');
  });

  it('is NOT_FOUND for a clinician off the care team or of no such id, BAD_REQUEST for a staff-only type', async () => {
    const ask = (clinicianId: string, typeId = online.id) => t.client(portal.token).appointments.freeSlots.query({ clinicianId, typeId, from: '2027-01-04', to: '2027-01-04' });
    expect(await rejection(ask(outsider.id))).toMatchObject({ code: 'NOT_FOUND', message: 'Clinician not found' });
    expect(await rejection(ask(admin.id))).toMatchObject({ code: 'NOT_FOUND', message: 'Clinician not found' });
    expect(await rejection(ask(carer.id, carer.id))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(ask(carer.id, staffOnly.id))).toMatchObject({ code: 'BAD_REQUEST', reason: 'not-bookable-by-patients', fieldErrors: { typeId: ['is not bookable by patients'] } });
    // Staff see any clinician's times, for any type.
    expect(await slots(outsider, carer.id, '2027-01-04', staffOnly.id)).toHaveLength(8);
  });
});

describe('a patient booking', () => {
  it('books their own visit; staff see who booked it, and that it came from the portal', async () => {
    const before = await count('care_team_member');
    const visit = await book(portal, carer.id, patient.id, day(4, '09:00'));
    expect(visit).toMatchObject({ clinicianId: carer.id, patientId: patient.id, typeId: online.id, endsAt: day(4, '09:30'), status: 'booked', bookedBy: portal.id, bookedVia: 'portal' });
    expect(await t.client(admin.token).appointments.byId.query({ id: visit.id })).toEqual(visit);
    expect((await t.client(carer.token).appointments.list.query({ patientId: patient.id })).items.map((a) => [a.id, a.bookedVia])).toContainEqual([visit.id, 'portal']);
    expect((await t.client(portal.token).appointments.list.query({})).items.map((a) => a.id)).toContain(visit.id);
    expect(await sql(t, 'select booked_by, booked_via from appointment where id = ?', [visit.id])).toEqual([{ booked_by: portal.id, booked_via: 'portal' }]);
    expect(await count('care_team_member')).toBe(before);
    expect((await auditTrail(t, visit.id)).map((e) => [e.action, e.actor_id])).toEqual([
      ['appointment.booked', portal.id],
      ['appointment.read', admin.id],
    ]);
    expect(await slots(portal, carer.id, '2027-01-04')).not.toContain(day(4, '09:00'));
  });

  it('is refused, changing nothing: off the care team, for someone else, a staff-only type, a time gone or outside the hours, bad input', async () => {
    const before = await snapshot();
    const refusals: [string, () => Promise<unknown>, Record<string, unknown>][] = [
      ['clinician off the care team', () => book(portal, outsider.id, patient.id, day(5, '09:00')), { code: 'NOT_FOUND', message: 'Clinician not found' }],
      ["someone else's patient", () => book(portal, carer.id, otherPatient.id, day(5, '09:00')), { code: 'NOT_FOUND', message: 'Patient not found' }],
      ['no such patient', () => book(portal, carer.id, carer.id, day(5, '09:00')), { code: 'NOT_FOUND', message: 'Patient not found' }],
      ['a staff-only type', () => book(portal, carer.id, patient.id, day(5, '09:00'), staffOnly.id), { code: 'BAD_REQUEST', reason: 'not-bookable-by-patients' }],
      ['a time gone', () => book(portal, carer.id, patient.id, '2026-12-31T09:00:00Z'), { code: 'BAD_REQUEST', reason: 'in-the-past', fieldErrors: { startsAt: ['must be in the future'] } }],
      ['outside the hours', () => book(portal, carer.id, patient.id, day(5, '18:00')), { code: 'BAD_REQUEST', reason: 'outside-availability' }],
      ['not an instant', () => book(portal, carer.id, patient.id, 'tomorrow at nine'), { code: 'BAD_REQUEST' }],
      ['not an id', () => book(portal, 'carer', patient.id, day(5, '09:00')), { code: 'BAD_REQUEST' }],
    ];
    for (const [what, call, expected] of refusals) expect({ what, ...(await rejection(call())) }).toMatchObject({ what, ...expected });
    expect(await snapshot()).toEqual(before);
  });

  it('meets the same constraints as staff: not their own two visits at once', async () => {
    const colleague = await withHours(await inviteUser(t, admin));
    await t.client(admin.token).careTeams.add.mutate({ patientId: patient.id, clinicianId: colleague.id });
    await book(portal, carer.id, patient.id, day(7, '09:00'));
    expect(await rejection(book(portal, colleague.id, patient.id, day(7, '09:00')))).toMatchObject({
      code: 'CONFLICT',
      reason: 'slot-taken',
      message: 'The patient already has an appointment at that time',
    });
  });

  it('races a clinician for the same slot, ten times over HTTP: exactly one of them wins each time', async () => {
    const others = await Promise.all(Array.from({ length: 10 }, () => createPatient(t, carer.token)));
    const winners: string[] = [];
    for (const [i, other] of others.entries()) {
      const startsAt = day(8, `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);
      const [mine, theirs] = await Promise.allSettled([book(portal, carer.id, patient.id, startsAt), book(carer, carer.id, other.id, startsAt)]);
      const won = [mine, theirs].filter((r) => r.status === 'fulfilled');
      expect(won, startsAt).toHaveLength(1);
      const lost = [mine, theirs].find((r) => r.status === 'rejected')!;
      expect(await rejection(Promise.reject((lost as PromiseRejectedResult).reason))).toMatchObject({ code: 'CONFLICT', reason: 'slot-taken' });
      winners.push(mine!.status === 'fulfilled' ? 'patient' : 'clinician');
      expect(await sql(t, `select booked_via from appointment where clinician_id = ? and starts_at = ? and status <> 'cancelled'`, [carer.id, startsAt])).toEqual([
        { booked_via: winners.at(-1) === 'patient' ? 'portal' : 'staff' },
      ]);
    }
    const rows = await sql(t, `select id from appointment where clinician_id = ? and starts_at >= ? and starts_at < ? and status <> 'cancelled'`, [carer.id, day(8, '00:00'), day(9, '00:00')]);
    expect(rows).toHaveLength(10);
  });
});

describe('a guardian', () => {
  let guardian: TestUser;
  let dependent: { id: string };
  let childCarer: TestUser;

  beforeAll(async () => {
    const parent = await createPatient(t, carer.token, { email: newEmail('parent') });
    guardian = await invitePatientToPortal(t, carer.token, parent.id);
    childCarer = await withHours(await inviteUser(t, admin));
    dependent = await createPatient(t, childCarer.token);
    await t.client(admin.token).patients.addGuardian.mutate({ patientId: dependent.id, guardianPatientId: parent.id });
  });

  it("books, moves and cancels their dependent's visits with the dependent's care team, not their own", async () => {
    expect((await slots(guardian, childCarer.id, '2027-01-11')).length).toBe(16);
    expect(await rejection(book(guardian, carer.id, dependent.id, day(11, '09:00')))).toMatchObject({ code: 'NOT_FOUND', message: 'Clinician not found' });
    const visit = await book(guardian, childCarer.id, dependent.id, day(11, '09:00'));
    expect(visit).toMatchObject({ patientId: dependent.id, bookedBy: guardian.id, bookedVia: 'portal' });
    expect(await t.client(guardian.token).appointments.reschedule.mutate({ id: visit.id, startsAt: day(11, '10:00') })).toMatchObject({ startsAt: day(11, '10:00'), endsAt: day(11, '10:30') });
    expect(await t.client(guardian.token).appointments.cancel.mutate({ id: visit.id, reason: 'School trip' })).toMatchObject({ status: 'cancelled', cancelReason: 'School trip' });
    expect((await auditTrail(t, visit.id)).map((e) => [e.action, e.actor_id])).toEqual([
      ['appointment.booked', guardian.id],
      ['appointment.rescheduled', guardian.id],
      ['appointment.cancelled', guardian.id],
    ]);
  });

  it("reaches no one else's visits", async () => {
    const theirs = await book(carer, carer.id, otherPatient.id, day(12, '09:00'));
    expect(await rejection(t.client(guardian.token).appointments.cancel.mutate({ id: theirs.id, reason: 'x' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(guardian.token).appointments.reschedule.mutate({ id: theirs.id, startsAt: day(12, '10:00') }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.client(carer.token).appointments.byId.query({ id: theirs.id })).status).toBe('booked');
  });
});

describe('the cancellation window', () => {
  it('lets a patient cancel or move until the window opens, 24 hours by default; staff at any time', async () => {
    expect((await t.client(portal.token).practices.current.query()).cancellationWindowHours).toBe(24);
    const [first, second] = [await book(portal, carer.id, patient.id, day(13, '10:00')), await book(portal, carer.id, patient.id, day(13, '11:00'))];
    const api = t.client(portal.token).appointments;

    clock.set(new Date(Date.parse(day(13, '10:00')) - 24 * HOUR + 1));
    const inside = {
      code: 'CONFLICT',
      reason: 'inside-cancellation-window',
      message: 'This visit could be cancelled online until 2027-01-12 10:00 (Europe/Dublin), 24 hours before it starts; the practice can still change it: please contact them',
    };
    const before = await snapshot();
    expect(await rejection(api.cancel.mutate({ id: first.id, reason: 'Cannot come' }))).toMatchObject(inside);
    expect(await rejection(api.reschedule.mutate({ id: first.id, startsAt: day(14, '10:00') }))).toMatchObject({ ...inside, message: inside.message.replace('cancelled', 'moved') });
    expect(await snapshot()).toEqual(before);
    // At the very instant the window opens on the second visit, it may still be moved.
    clock.set(new Date(Date.parse(day(13, '11:00')) - 24 * HOUR));
    expect(await api.reschedule.mutate({ id: second.id, startsAt: day(14, '11:00') })).toMatchObject({ startsAt: day(14, '11:00'), status: 'booked' });
    // The practice can: here the care-team clinician, then the admin.
    expect(await t.client(carer.token).appointments.reschedule.mutate({ id: first.id, startsAt: day(13, '12:00') })).toMatchObject({ startsAt: day(13, '12:00') });
    expect(await t.client(admin.token).appointments.cancel.mutate({ id: first.id, reason: 'Patient phoned' })).toMatchObject({ status: 'cancelled' });
    // A retried cancel changes nothing and is no error, window or not.
    expect(await api.cancel.mutate({ id: first.id, reason: 'Again' })).toMatchObject({ status: 'cancelled', cancelReason: 'Patient phoned' });
  });

  it('follows the practice setting, down to 0: until the visit starts', async () => {
    const visit = await book(portal, carer.id, patient.id, day(15, '15:00'));
    expect(await t.client(admin.token).practices.update.mutate({ cancellationWindowHours: 0 })).toMatchObject({ cancellationWindowHours: 0 });
    clock.set(day(15, '15:00'));
    expect(await t.client(portal.token).appointments.cancel.mutate({ id: visit.id, reason: 'Running late' })).toMatchObject({ status: 'cancelled' });
    const late = await book(carer, carer.id, patient.id, day(15, '16:00'));
    clock.set(new Date(Date.parse(day(15, '16:00')) + 1));
    expect(await rejection(t.client(portal.token).appointments.cancel.mutate({ id: late.id, reason: 'x' }))).toMatchObject({
      reason: 'inside-cancellation-window',
      message: expect.stringContaining('0 hours before it starts'),
    });
    await t.client(admin.token).practices.update.mutate({ cancellationWindowHours: 48 });
    expect((await t.client(carer.token).practices.current.query()).cancellationWindowHours).toBe(48);
  });

  it('is set by admins only, in whole hours from 0 to 720', async () => {
    for (const hours of [-1, 721, 1.5]) {
      expect(await rejection(t.client(admin.token).practices.update.mutate({ cancellationWindowHours: hours }))).toMatchObject({
        code: 'BAD_REQUEST',
        fieldErrors: { cancellationWindowHours: [expect.any(String)] },
      });
    }
    expect((await rejection(t.client(carer.token).practices.update.mutate({ cancellationWindowHours: 1 }))).code).toBe('FORBIDDEN');
    expect((await rejection(t.client(portal.token).practices.update.mutate({ cancellationWindowHours: 1 }))).code).toBe('FORBIDDEN');
    expect((await t.client(admin.token).practices.current.query()).cancellationWindowHours).toBe(48);
  });
});

describe('moving a visit', () => {
  it('as a patient: to a free time ahead in the hours, only for a type they could book', async () => {
    clock.set('2027-01-16T00:00:00Z');
    const mine = await book(portal, carer.id, patient.id, day(25, '09:00'));
    const byStaff = await book(carer, carer.id, patient.id, day(25, '10:00'), staffOnly.id);
    await book(carer, carer.id, otherPatient.id, day(25, '12:00'));
    const api = t.client(portal.token).appointments;
    const before = await snapshot();
    expect(await rejection(api.reschedule.mutate({ id: mine.id, startsAt: '2027-01-15T09:00:00Z' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'in-the-past' });
    expect(await rejection(api.reschedule.mutate({ id: mine.id, startsAt: day(25, '12:00') }))).toMatchObject({ code: 'CONFLICT', reason: 'slot-taken' });
    expect(await rejection(api.reschedule.mutate({ id: mine.id, startsAt: day(25, '20:00') }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'outside-availability' });
    expect(await rejection(api.reschedule.mutate({ id: byStaff.id, startsAt: day(26, '10:00') }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'not-bookable-by-patients' });
    expect(await rejection(api.reschedule.mutate({ id: mine.id, startsAt: 'soon' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { startsAt: [expect.any(String)] } });
    expect(await rejection(api.cancel.mutate({ id: mine.id, reason: '  ' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { reason: ['is required'] } });
    expect(await snapshot()).toEqual(before);
    expect(await api.reschedule.mutate({ id: mine.id, startsAt: day(26, '14:30') })).toMatchObject({ startsAt: day(26, '14:30'), bookedVia: 'portal' });
    // Cancelling is open for any type of their own visit: only moving picks a time.
    expect(await api.cancel.mutate({ id: byStaff.id, reason: 'Feeling better' })).toMatchObject({ status: 'cancelled' });
  });

  it('a clinician off the care team reaches no patient-booked visit', async () => {
    const visit = await book(portal, carer.id, patient.id, day(27, '09:00'));
    const stranger = await withHours(await inviteUser(t, admin));
    expect(await rejection(t.client(stranger.token).appointments.cancel.mutate({ id: visit.id, reason: 'x' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(stranger.token).appointments.reschedule.mutate({ id: visit.id, startsAt: day(27, '10:00') }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('another practice', () => {
  it("sees nothing of this practice's clinicians, types or visits: NOT_FOUND, and nothing changes", async () => {
    const { admin: adminB } = await createPractice(t);
    const patientB = await createPatient(t, adminB.token, { email: newEmail('b') });
    const portalB = await invitePatientToPortal(t, adminB.token, patientB.id);
    const visit = await book(portal, carer.id, patient.id, day(28, '09:00'));
    const before = await snapshot();
    const api = t.client(portalB.token).appointments;
    for (const call of [
      () => api.freeSlots.query({ clinicianId: carer.id, typeId: online.id, from: '2027-01-28', to: '2027-01-28' }),
      () => api.book.mutate({ clinicianId: carer.id, patientId: patientB.id, typeId: online.id, startsAt: day(28, '10:00') }),
      () => api.book.mutate({ clinicianId: carer.id, patientId: patient.id, typeId: online.id, startsAt: day(28, '10:00') }),
      () => api.cancel.mutate({ id: visit.id, reason: 'x' }),
      () => api.reschedule.mutate({ id: visit.id, startsAt: day(28, '10:00') }),
      () => t.client(adminB.token).appointments.cancel.mutate({ id: visit.id, reason: 'x' }),
    ]) {
      expect((await rejection(call())).code).toBe('NOT_FOUND');
    }
    expect(await t.client(portalB.token).appointmentTypes.list.query({})).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});
