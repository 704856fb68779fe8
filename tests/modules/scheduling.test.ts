import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { tokenFromMail } from '../smtp-capture.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { allPages, auditTrail, createPractice, inviteUser, loginAs, newEmail, newPassword, sql, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
let admin: TestUser;
let consultation: { id: string };
let review: { id: string };

/** Mondays and Sundays 09:00-12:00, Dublin time. */
const mornings = [
  { weekday: 1, start: '09:00', end: '12:00' },
  { weekday: 7, start: '09:00', end: '12:00' },
];
/** A winter Monday: Dublin is on UTC, so 09:00 local is 09:00Z. */
const monday = '2027-01-04';
/** The server's clock, the Friday before: visits are marked only once their day has come, so tests move it. */
const clock = manualClock('2027-01-01T00:00:00Z');

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  await t.client(admin.token).practices.update.mutate({ timeZone: 'Europe/Dublin' });
  consultation = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 60 });
  review = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Review', durationMinutes: 30 });
});
afterAll(() => t.close());

async function clinicianWithHours(hours = mornings, practiceAdmin = admin): Promise<TestUser> {
  const clinician = await inviteUser(t, practiceAdmin);
  await t.client(clinician.token).availability.setWeeklyHours.mutate({ clinicianId: clinician.id, hours });
  return clinician;
}

let patients = 0;
/** A patient registered by `token`'s holder, who thereby joins the care team. */
const newPatient = (token: string, email?: string) => t.client(token).patients.create.mutate({ givenName: 'Pat', familyName: `Test ${++patients}`, birthDate: '1980-02-03', gender: 'female', email });

const freeStarts = async (token: string, clinicianId: string, from: string, to = from, typeId = consultation.id) =>
  (await t.client(token).appointments.freeSlots.query({ clinicianId, typeId, from, to })).slots.map((s) => s.startsAt);

const book = (token: string, clinicianId: string, patientId: string, startsAt: string, typeId = consultation.id) =>
  t.client(token).appointments.book.mutate({ clinicianId, patientId, typeId, startsAt });

const auditActions = async (entityId: string) => (await sql<{ action: string }>(t, 'select action from audit_event where entity_id = ? order by at, id', [entityId])).map((r) => r.action);

describe('weekly hours and time off', () => {
  it('a clinician replaces their own week as a whole, kept in the practice time zone', async () => {
    const clinician = await clinicianWithHours();
    const api = t.client(clinician.token).availability;
    await api.setWeeklyHours.mutate({
      clinicianId: clinician.id,
      hours: [
        { weekday: 3, start: '14:00', end: '17:30' },
        { weekday: 2, start: '08:00', end: '12:00' },
        { weekday: 2, start: '13:00', end: '24:00' },
      ],
    });
    expect(await api.list.query({ clinicianId: clinician.id })).toEqual({
      clinicianId: clinician.id,
      timeZone: 'Europe/Dublin',
      weeklyHours: [
        { weekday: 2, start: '08:00', end: '12:00' },
        { weekday: 2, start: '13:00', end: '24:00' },
        { weekday: 3, start: '14:00', end: '17:30' },
      ],
      exceptions: [],
    });
  });

  it('refuses overlapping hours on one day and hours that end before they start', async () => {
    const clinician = await clinicianWithHours();
    const overlap = await rejection(
      t.client(clinician.token).availability.setWeeklyHours.mutate({
        clinicianId: clinician.id,
        hours: [
          { weekday: 1, start: '09:00', end: '12:00' },
          { weekday: 1, start: '11:00', end: '13:00' },
        ],
      }),
    );
    expect(overlap).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'hours.1.start': ['overlaps other hours on the same day'] } });
    const inside = await rejection(
      t.client(clinician.token).availability.setWeeklyHours.mutate({
        clinicianId: clinician.id,
        hours: [
          { weekday: 2, start: '12:00', end: '13:00' },
          { weekday: 2, start: '09:00', end: '17:00' },
          { weekday: 2, start: '10:00', end: '11:00' },
        ],
      }),
    );
    expect(Object.keys(inside.fieldErrors ?? {}).sort()).toEqual(['hours.0.start', 'hours.2.start']);
    const backwards = await rejection(t.client(clinician.token).availability.setWeeklyHours.mutate({ clinicianId: clinician.id, hours: [{ weekday: 1, start: '12:00', end: '09:00' }] }));
    expect(backwards.fieldErrors).toEqual({ 'hours.0.end': ['must be after the start'] });
    expect((await t.client(clinician.token).availability.list.query({ clinicianId: clinician.id })).weeklyHours).toEqual(mornings);
  });

  it("lets an admin manage anyone's availability, a clinician only their own", async () => {
    const [a, b] = [await clinicianWithHours(), await clinicianWithHours()];
    const theirs = await rejection(t.client(a.token).availability.setWeeklyHours.mutate({ clinicianId: b.id, hours: [] }));
    expect(theirs.code).toBe('FORBIDDEN');
    const timeOff = { clinicianId: b.id, startsAt: '2027-02-01T00:00:00Z', endsAt: '2027-02-02T00:00:00Z', reason: 'Leave' };
    expect((await rejection(t.client(a.token).availability.addException.mutate(timeOff))).code).toBe('FORBIDDEN');
    const added = await t.client(admin.token).availability.addException.mutate(timeOff);
    expect((await rejection(t.client(a.token).availability.removeException.mutate({ id: added.id }))).code).toBe('FORBIDDEN');
    await t.client(admin.token).availability.setWeeklyHours.mutate({ clinicianId: b.id, hours: [] });
    expect((await t.client(a.token).availability.list.query({ clinicianId: b.id })).weeklyHours).toEqual([]);
  });

  it('shows a colleague that time is blocked, but the reason only to the clinician and admins', async () => {
    const [owner, colleague] = [await clinicianWithHours(), await clinicianWithHours()];
    const leave = await t
      .client(owner.token)
      .availability.addException.mutate({ clinicianId: owner.id, startsAt: `${monday}T09:00:00Z`, endsAt: `${monday}T10:00:00Z`, reason: 'Oncology appointment' });
    const period = { id: leave.id, clinicianId: owner.id, startsAt: leave.startsAt, endsAt: leave.endsAt };
    expect((await t.client(colleague.token).availability.list.query({ clinicianId: owner.id })).exceptions).toEqual([{ ...period, reason: null, createdAt: leave.createdAt }]);
    for (const reader of [owner, admin]) {
      expect((await t.client(reader.token).availability.list.query({ clinicianId: owner.id })).exceptions).toEqual([{ ...period, reason: 'Oncology appointment', createdAt: leave.createdAt }]);
    }
    // What booking needs, the colleague still has: the blocked hour is not a free slot.
    expect(await freeStarts(colleague.token, owner.id, monday)).toEqual([`${monday}T10:00:00.000Z`, `${monday}T11:00:00.000Z`]);
  });

  it('lists time off until it is over, and removes it', async () => {
    const clinician = await clinicianWithHours();
    const api = t.client(clinician.token).availability;
    const past = await api.addException.mutate({ clinicianId: clinician.id, startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-01-02T00:00:00Z', reason: 'Long ago' });
    const leave = await api.addException.mutate({ clinicianId: clinician.id, startsAt: '2027-03-01T00:00:00+01:00', endsAt: '2027-03-08T00:00:00+01:00', reason: 'Annual leave' });
    expect(leave).toMatchObject({ clinicianId: clinician.id, startsAt: '2027-02-28T23:00:00.000Z', endsAt: '2027-03-07T23:00:00.000Z', reason: 'Annual leave' });
    expect((await api.list.query({ clinicianId: clinician.id })).exceptions.map((e) => e.id)).toEqual([leave.id]);

    await api.removeException.mutate({ id: leave.id });
    await api.removeException.mutate({ id: past.id });
    expect((await api.list.query({ clinicianId: clinician.id })).exceptions).toEqual([]);
    expect((await rejection(api.removeException.mutate({ id: leave.id }))).code).toBe('NOT_FOUND');
    const backwards = await rejection(api.addException.mutate({ clinicianId: clinician.id, startsAt: '2027-03-02T00:00:00Z', endsAt: '2027-03-01T00:00:00Z', reason: 'x' }));
    expect(backwards.fieldErrors).toEqual({ endsAt: ['must be after the start'] });
  });
});

describe('appointment types', () => {
  it('are managed by admins; inactive ones are listed on request only and cannot be booked', async () => {
    const api = t.client(admin.token).appointmentTypes;
    const type = await api.create.mutate({ name: 'Group session', durationMinutes: 90 });
    expect(type).toMatchObject({ name: 'Group session', durationMinutes: 90, active: true, bookableByPatients: false });
    expect(await api.update.mutate({ id: type.id, durationMinutes: 120, active: false })).toMatchObject({ durationMinutes: 120, active: false });
    expect((await api.list.query()).map((x) => x.name)).toEqual(['Consultation', 'Review']);
    expect((await api.list.query({ includeInactive: true })).map((x) => x.name)).toEqual(['Consultation', 'Group session', 'Review']);

    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    const retired = await rejection(book(clinician.token, clinician.id, patient.id, `${monday}T09:00:00Z`, type.id));
    expect(retired).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { typeId: ['is no longer offered'] } });
    expect((await rejection(t.client(clinician.token).appointmentTypes.create.mutate({ name: 'Mine', durationMinutes: 30 }))).code).toBe('FORBIDDEN');
  });

  it('last 5 to 480 minutes and have names unique in the practice', async () => {
    const api = t.client(admin.token).appointmentTypes;
    expect((await rejection(api.create.mutate({ name: 'Blink', durationMinutes: 4 }))).fieldErrors).toHaveProperty('durationMinutes');
    expect((await rejection(api.create.mutate({ name: 'Marathon', durationMinutes: 481 }))).fieldErrors).toHaveProperty('durationMinutes');
    expect((await rejection(api.create.mutate({ name: 'Consultation', durationMinutes: 45 }))).code).toBe('CONFLICT');
  });
});

describe('free slots', () => {
  it('start at 09:00 Dublin time on both clock-change Sundays: 08:00Z in summer time, 09:00Z in winter', async () => {
    const clinician = await clinicianWithHours();
    expect(await freeStarts(clinician.token, clinician.id, '2026-03-29')).toEqual(['2026-03-29T08:00:00.000Z', '2026-03-29T09:00:00.000Z', '2026-03-29T10:00:00.000Z']);
    expect(await freeStarts(clinician.token, clinician.id, '2026-10-25')).toEqual(['2026-10-25T09:00:00.000Z', '2026-10-25T10:00:00.000Z', '2026-10-25T11:00:00.000Z']);
    expect(await freeStarts(clinician.token, clinician.id, '2026-03-28', '2026-03-30', review.id)).toHaveLength(12);
  });

  it('leave out time off and booked visits, and come back when a visit is cancelled', async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    expect(await freeStarts(clinician.token, clinician.id, monday)).toEqual([`${monday}T09:00:00.000Z`, `${monday}T10:00:00.000Z`, `${monday}T11:00:00.000Z`]);

    await t.client(clinician.token).availability.addException.mutate({ clinicianId: clinician.id, startsAt: `${monday}T10:00:00Z`, endsAt: `${monday}T10:30:00Z`, reason: 'Meeting' });
    expect(await freeStarts(clinician.token, clinician.id, monday)).toEqual([`${monday}T09:00:00.000Z`, `${monday}T11:00:00.000Z`]);

    const visit = await book(clinician.token, clinician.id, patient.id, `${monday}T11:00:00Z`);
    expect(await freeStarts(clinician.token, clinician.id, monday)).toEqual([`${monday}T09:00:00.000Z`]);
    await t.client(clinician.token).appointments.cancel.mutate({ id: visit.id, reason: 'Patient unwell' });
    expect(await freeStarts(clinician.token, clinician.id, monday)).toEqual([`${monday}T09:00:00.000Z`, `${monday}T11:00:00.000Z`]);
  });

  it('search at most 31 days, to a type that exists', async () => {
    const clinician = await clinicianWithHours();
    expect(await freeStarts(clinician.token, clinician.id, '2027-01-01', '2027-01-31')).toHaveLength(3 * 9);
    const tooLong = await rejection(freeStarts(clinician.token, clinician.id, '2027-01-01', '2027-02-01'));
    expect(tooLong).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { to: ['the range may span at most 31 days'] } });
    expect((await rejection(freeStarts(clinician.token, clinician.id, monday, monday, clinician.id))).code).toBe('NOT_FOUND');
  });
});

describe('booking', () => {
  it("books a visit of the type's length inside the hours", async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    const visit = await book(clinician.token, clinician.id, patient.id, `${monday}T09:30:00+00:00`, review.id);
    expect(visit).toMatchObject({
      clinicianId: clinician.id,
      patientId: patient.id,
      typeId: review.id,
      startsAt: `${monday}T09:30:00.000Z`,
      endsAt: `${monday}T10:00:00.000Z`,
      status: 'booked',
      cancelReason: null,
      bookedBy: clinician.id,
      bookedVia: 'staff',
    });
    expect(await t.client(clinician.token).appointments.byId.query({ id: visit.id })).toEqual(visit);
  });

  it('refuses times outside the shared bounds (instants 1900 to 2200, dates 1850 to 2200), where JavaScript and PostgreSQL part ways', async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    expect((await rejection(book(clinician.token, clinician.id, patient.id, '0000-01-02T09:00:00Z'))).fieldErrors).toEqual({ startsAt: ['must be in the years 1900 to 2200 (UTC)'] });
    expect((await rejection(freeStarts(clinician.token, clinician.id, '9999-12-01'))).fieldErrors).toEqual({ from: ['must be in the years 1850 to 2200'], to: ['must be in the years 1850 to 2200'] });
  });

  it('refuses a visit outside the weekly hours or in time off', async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    await t.client(clinician.token).availability.addException.mutate({ clinicianId: clinician.id, startsAt: `${monday}T09:00:00Z`, endsAt: `${monday}T10:00:00Z`, reason: 'Training' });
    for (const startsAt of [`${monday}T11:30:00Z`, `${monday}T08:30:00Z`, '2027-01-05T09:00:00Z', `${monday}T09:30:00Z`]) {
      expect(await rejection(book(clinician.token, clinician.id, patient.id, startsAt)), startsAt).toMatchObject({ code: 'BAD_REQUEST', reason: 'outside-availability' });
    }
    expect((await book(clinician.token, clinician.id, patient.id, `${monday}T10:00:00Z`)).status).toBe('booked');
  });

  it('puts the booked clinician on the care team, audited, so they see their own visit', async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(admin.token);
    const visit = await book(admin.token, clinician.id, patient.id, `${monday}T09:00:00Z`);
    expect((await t.client(clinician.token).appointments.byId.query({ id: visit.id })).id).toBe(visit.id);
    expect((await t.client(admin.token).careTeams.list.query({ patientId: patient.id })).map((m) => m.id)).toEqual([clinician.id]);
    expect((await auditTrail(t, patient.id)).filter((e) => e.action === 'care-team.added')).toEqual([{ action: 'care-team.added', actor_id: admin.id }]);
  });

  it('50 bookings of one slot at once over HTTP: exactly one succeeds, 49 are slot-taken', async () => {
    const clinician = await clinicianWithHours();
    const many = await Promise.all(Array.from({ length: 50 }, () => newPatient(clinician.token)));
    const startsAt = `${monday}T10:00:00Z`;
    // One client per call: each is its own HTTP request, not one batch.
    const results = await Promise.allSettled(many.map((p) => book(clinician.token, clinician.id, p.id, startsAt)));
    const booked = results.filter((r) => r.status === 'fulfilled');
    const refused = await Promise.all(results.filter((r) => r.status === 'rejected').map((r) => rejection(Promise.reject(r.reason))));
    expect(booked).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const e of refused) expect(e).toMatchObject({ code: 'CONFLICT', reason: 'slot-taken', message: 'The clinician already has an appointment at that time' });
    const rows = await sql(t, `select id from appointment where clinician_id = ? and status <> 'cancelled'`, [clinician.id]);
    expect(rows).toHaveLength(1);
  });

  it('refuses the same patient with two clinicians at once', async () => {
    const [first, second] = [await clinicianWithHours(), await clinicianWithHours()];
    const patient = await newPatient(first.token);
    await book(first.token, first.id, patient.id, `${monday}T09:00:00Z`);
    const clash = await rejection(book(first.token, second.id, patient.id, `${monday}T09:30:00Z`, review.id));
    expect(clash).toMatchObject({ code: 'CONFLICT', reason: 'slot-taken', message: 'The patient already has an appointment at that time' });
    expect((await book(first.token, second.id, patient.id, `${monday}T10:00:00Z`, review.id)).status).toBe('booked');
  });
});

describe('who sees what', () => {
  let clinician: TestUser;
  let patient: { id: string };
  let visit: { id: string };

  beforeAll(async () => {
    clinician = await clinicianWithHours();
    patient = await newPatient(clinician.token);
    visit = await book(clinician.token, clinician.id, patient.id, `${monday}T11:00:00Z`);
  });

  it('a clinician of another practice can neither see nor book the patient: NOT_FOUND', async () => {
    const { admin: adminB } = await createPractice(t);
    const clinicianB = await clinicianWithHours(mornings, adminB);
    const typeB = await t.client(adminB.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 60 });
    const ownPatient = await newPatient(clinicianB.token);
    const api = t.client(clinicianB.token).appointments;
    for (const call of [
      () => api.byId.query({ id: visit.id }),
      () => api.list.query({ patientId: patient.id }),
      () => api.book.mutate({ clinicianId: clinicianB.id, patientId: patient.id, typeId: typeB.id, startsAt: `${monday}T09:00:00Z` }),
      () => api.book.mutate({ clinicianId: clinician.id, patientId: ownPatient.id, typeId: typeB.id, startsAt: `${monday}T09:00:00Z` }),
      () => api.cancel.mutate({ id: visit.id, reason: 'x' }),
      () => api.freeSlots.query({ clinicianId: clinician.id, typeId: typeB.id, from: monday, to: monday }),
    ]) {
      expect((await rejection(call())).code).toBe('NOT_FOUND');
    }
    expect((await api.list.query({})).items).toEqual([]);
  });

  it('a clinician of the practice outside the care team cannot see or book the patient', async () => {
    const outsider = await clinicianWithHours();
    expect((await rejection(t.client(outsider.token).appointments.byId.query({ id: visit.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(book(outsider.token, outsider.id, patient.id, `${monday}T09:00:00Z`))).code).toBe('NOT_FOUND');
    expect((await t.client(outsider.token).appointments.list.query({ clinicianId: clinician.id })).items).toEqual([]);
  });

  it('a patient reads their own appointments and no one else’s, and cannot mark what happened', async () => {
    const email = newEmail('patient');
    const own = await newPatient(clinician.token, email);
    const ownVisit = await book(clinician.token, clinician.id, own.id, `${monday}T09:00:00Z`);
    await t.client(clinician.token).patients.invitePortal.mutate({ patientId: own.id });
    const password = newPassword(t);
    const accepted = await t.client().invites.accept.mutate({ token: t.secret(tokenFromMail(await t.smtp.waitForMail(email, /invited/))), name: 'Pat', password });
    t.secret(accepted.token);
    const portal = t.client(await loginAs(t, email, password)).appointments;

    expect((await portal.list.query({})).items.map((a) => a.id)).toEqual([ownVisit.id]);
    expect((await portal.byId.query({ id: ownVisit.id })).status).toBe('booked');
    expect((await rejection(portal.byId.query({ id: visit.id }))).code).toBe('NOT_FOUND');
    for (const call of [() => portal.markArrived.mutate({ id: ownVisit.id }), () => portal.complete.mutate({ id: ownVisit.id }), () => portal.markNoShow.mutate({ id: ownVisit.id })]) {
      expect((await rejection(call())).code).toBe('FORBIDDEN');
    }
    // Booking a staff-only type is the practice's (tests/modules/patient-booking.test.ts has the rest).
    expect(await rejection(portal.freeSlots.query({ clinicianId: clinician.id, typeId: consultation.id, from: monday, to: monday }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'not-bookable-by-patients',
    });
    expect((await portal.byId.query({ id: ownVisit.id })).status).toBe('booked');
  });
});

describe('an appointment through its life', () => {
  // Monday noon: the morning's visits have begun, so they may be marked.
  beforeAll(() => clock.set(`${monday}T12:00:00Z`));

  it('moves to another free time in the hours, keeping its length', async () => {
    const clinician = await clinicianWithHours();
    const [p1, p2] = [await newPatient(clinician.token), await newPatient(clinician.token)];
    await book(clinician.token, clinician.id, p1.id, `${monday}T09:00:00Z`);
    const visit = await book(clinician.token, clinician.id, p2.id, `${monday}T10:00:00Z`);
    const api = t.client(clinician.token).appointments;

    expect(await rejection(api.reschedule.mutate({ id: visit.id, startsAt: `${monday}T09:30:00Z` }))).toMatchObject({ code: 'CONFLICT', reason: 'slot-taken' });
    expect(await rejection(api.reschedule.mutate({ id: visit.id, startsAt: `${monday}T11:30:00Z` }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'outside-availability' });
    // Overlapping its own old time is fine: the constraint compares a visit with the others only.
    expect(await api.reschedule.mutate({ id: visit.id, startsAt: `${monday}T10:30:00Z` })).toMatchObject({ startsAt: `${monday}T10:30:00.000Z`, endsAt: `${monday}T11:30:00.000Z` });
    expect((await api.byId.query({ id: visit.id })).startsAt).toBe(`${monday}T10:30:00.000Z`);
  });

  it('is marked arrived then completed; a retried mark changes nothing', async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    const visit = await book(clinician.token, clinician.id, patient.id, `${monday}T09:00:00Z`);
    const api = t.client(clinician.token).appointments;
    expect((await api.markArrived.mutate({ id: visit.id })).status).toBe('arrived');
    expect((await api.markArrived.mutate({ id: visit.id })).status).toBe('arrived');
    expect(await rejection(api.cancel.mutate({ id: visit.id, reason: 'Too late' }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect((await api.complete.mutate({ id: visit.id })).status).toBe('completed');
    expect(await rejection(api.markNoShow.mutate({ id: visit.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect(await rejection(api.reschedule.mutate({ id: visit.id, startsAt: `${monday}T10:00:00Z` }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
  });

  it('is cancelled with a reason, after which it cannot be completed, marked or moved', async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    const visit = await book(clinician.token, clinician.id, patient.id, `${monday}T09:00:00Z`);
    const api = t.client(clinician.token).appointments;
    expect((await rejection(api.cancel.mutate({ id: visit.id, reason: ' ' }))).fieldErrors).toEqual({ reason: ['is required'] });
    expect(await api.cancel.mutate({ id: visit.id, reason: 'Patient asked' })).toMatchObject({ status: 'cancelled', cancelReason: 'Patient asked' });
    expect((await api.cancel.mutate({ id: visit.id, reason: 'Again' })).cancelReason).toBe('Patient asked');
    for (const call of [
      () => api.complete.mutate({ id: visit.id }),
      () => api.markArrived.mutate({ id: visit.id }),
      () => api.markNoShow.mutate({ id: visit.id }),
      () => api.reschedule.mutate({ id: visit.id, startsAt: `${monday}T10:00:00Z` }),
    ]) {
      expect(await rejection(call())).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    }
  });

  it('is marked a no-show from booked', async () => {
    const clinician = await clinicianWithHours();
    const visit = await book(clinician.token, clinician.id, (await newPatient(clinician.token)).id, `${monday}T09:00:00Z`);
    expect((await t.client(clinician.token).appointments.markNoShow.mutate({ id: visit.id })).status).toBe('no-show');
    expect(await rejection(t.client(clinician.token).appointments.markArrived.mutate({ id: visit.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
  });

  it('leaves an audit row for every read and write', async () => {
    const clinician = await clinicianWithHours();
    const patient = await newPatient(clinician.token);
    const api = t.client(clinician.token).appointments;
    const visit = await book(clinician.token, clinician.id, patient.id, `${monday}T09:00:00Z`);
    await api.byId.query({ id: visit.id });
    await api.reschedule.mutate({ id: visit.id, startsAt: `${monday}T10:00:00Z` });
    await api.markArrived.mutate({ id: visit.id });
    await api.complete.mutate({ id: visit.id });
    expect(await auditActions(visit.id)).toEqual(['appointment.booked', 'appointment.read', 'appointment.rescheduled', 'appointment.arrived', 'appointment.completed']);
    await api.list.query({ patientId: patient.id });
    const [listed] = await sql<{ detail: { ids: string } }>(t, `select detail from audit_event where action = 'appointment.listed' and actor_id = ?`, [clinician.id]);
    expect(listed!.detail.ids).toBe(visit.id);
  });
});

describe('marking what happened, never ahead of time', () => {
  it("marks arrived or completed from the start of the visit's local day, a no-show once it has started", async () => {
    const { admin: aucklandAdmin } = await createPractice(t);
    await t.client(aucklandAdmin.token).practices.update.mutate({ timeZone: 'Pacific/Auckland' });
    const type = await t.client(aucklandAdmin.token).appointmentTypes.create.mutate({ name: 'Visit', durationMinutes: 60 });
    const clinician = await clinicianWithHours(mornings, aucklandAdmin);
    const patient = await newPatient(clinician.token);
    // Monday 11 January, 09:00 and 10:00 in Auckland (summer time, UTC+13): Sunday 20:00Z and 21:00Z. Its day began at Sunday 11:00Z.
    const first = await book(clinician.token, clinician.id, patient.id, '2027-01-10T20:00:00Z', type.id);
    const second = await book(clinician.token, clinician.id, patient.id, '2027-01-10T21:00:00Z', type.id);
    const api = t.client(clinician.token).appointments;
    const beforeTheDay = { code: 'CONFLICT', reason: 'too-early' };

    clock.set('2027-01-10T10:59:59.999Z');
    expect(await rejection(api.markArrived.mutate({ id: first.id }))).toMatchObject({
      ...beforeTheDay,
      message: 'A visit can be marked arrived only on or after its day (2027-01-11, Pacific/Auckland)',
    });
    expect(await rejection(api.complete.mutate({ id: first.id }))).toMatchObject({
      ...beforeTheDay,
      message: 'A visit can be marked completed only on or after its day (2027-01-11, Pacific/Auckland)',
    });
    expect(await rejection(t.client(aucklandAdmin.token).appointments.complete.mutate({ id: first.id }))).toMatchObject(beforeTheDay);
    expect((await api.byId.query({ id: first.id })).status).toBe('booked');

    clock.set('2027-01-10T11:00:00Z');
    expect((await api.markArrived.mutate({ id: first.id })).status).toBe('arrived');
    expect((await api.complete.mutate({ id: first.id })).status).toBe('completed');
    const noShowTooEarly = { ...beforeTheDay, message: 'A visit can be marked a no-show only once it has started (2027-01-11 10:00, Pacific/Auckland)' };
    expect(await rejection(api.markNoShow.mutate({ id: second.id }))).toMatchObject(noShowTooEarly);
    clock.set('2027-01-10T20:59:59.999Z');
    expect(await rejection(api.markNoShow.mutate({ id: second.id }))).toMatchObject(noShowTooEarly);
    clock.set('2027-01-10T21:00:00Z');
    expect((await api.markNoShow.mutate({ id: second.id })).status).toBe('no-show');
    expect(await auditActions(second.id)).toEqual(['appointment.booked', 'appointment.no-show']);
  });

  it('still answers a finished visit by its state, whatever the time', async () => {
    const clinician = await clinicianWithHours();
    const visit = await book(clinician.token, clinician.id, (await newPatient(clinician.token)).id, '2027-01-18T09:00:00Z');
    await t.client(clinician.token).appointments.cancel.mutate({ id: visit.id, reason: 'Moved away' });
    expect(await rejection(t.client(clinician.token).appointments.markArrived.mutate({ id: visit.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
  });
});

describe('listing appointments', () => {
  it('filters by clinician, patient, status and time, sorted by start then id, page by page', async () => {
    const [c1, c2] = [await clinicianWithHours([{ weekday: 1, start: '08:00', end: '18:00' }]), await clinicianWithHours([{ weekday: 1, start: '08:00', end: '18:00' }])];
    const [p1, p2] = [await newPatient(admin.token), await newPatient(admin.token)];
    const at = (hour: number) => `2027-01-11T${String(hour).padStart(2, '0')}:00:00Z`;
    const made = [
      await book(admin.token, c1.id, p1.id, at(12)),
      await book(admin.token, c2.id, p2.id, at(12)),
      await book(admin.token, c1.id, p2.id, at(9)),
      await book(admin.token, c2.id, p1.id, at(15)),
      await book(admin.token, c1.id, p1.id, at(16)),
    ];
    await t.client(admin.token).appointments.cancel.mutate({ id: made[4]!.id, reason: 'Clash' });
    const list = async (filters: { clinicianId?: string; patientId?: string; status?: 'cancelled'; from?: string; to?: string }) => {
      const { items, pages } = await allPages((cursor) => t.client(admin.token).appointments.list.query({ ...filters, from: filters.from ?? at(0), to: filters.to ?? at(23), cursor, limit: 2 }));
      return { ids: items.map((a) => a.id), pages };
    };

    const sameNoon = [made[0]!.id, made[1]!.id].sort();
    expect(await list({})).toEqual({ ids: [made[2]!.id, ...sameNoon, made[3]!.id, made[4]!.id], pages: 3 });
    expect((await list({ clinicianId: c1.id })).ids).toEqual([made[2]!.id, made[0]!.id, made[4]!.id]);
    expect((await list({ patientId: p1.id })).ids).toEqual([made[0]!.id, made[3]!.id, made[4]!.id]);
    expect((await list({ status: 'cancelled' })).ids).toEqual([made[4]!.id]);
    expect((await list({ from: at(10), to: at(15) })).ids).toEqual(sameNoon);
    expect((await list({ clinicianId: c2.id, from: at(13) })).ids).toEqual([made[3]!.id]);
  });
});
