import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { newId } from '../../server/ids.ts';
import type { NotificationOutput, PracticeEventOutput } from '../../shared/schemas/notifications.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, loginAs, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { SWEEP_NOTIFICATIONS } from '../../server/modules/notifications/notifications.jobs.ts';
import { runJobNow, startWorker } from '../workers.ts';

/** A winter Monday's mornings, Dublin time (UTC then); the clock is the Friday before. */
const clock = manualClock('2027-01-01T00:00:00Z');
const hours = [{ weekday: 1, start: '09:00', end: '17:00' }];
let slot = 0;
/** Each booking (30 minutes) its own half-hour on Monday 4 January 2027, from 09:00. */
const nextSlot = () => new Date(Date.parse('2027-01-04T09:00:00Z') + slot++ * 1_800_000).toISOString();

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let outsider: TestUser;
let ana: TestUser;
let anaId: string;
let bob: TestUser;
let bobId: string;
let otherAdmin: TestUser;
let typeId: string;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Listener = { events: { id: string; data: NotificationOutput }[]; error: () => { data?: { code?: string; reason?: string } } | null; ended: () => boolean; stop: () => Promise<void> };

/** A real SSE stream through the typed client (httpSubscriptionLink + the eventsource package), registered once it returns. */
async function listen(user: TestUser, { token = user.token, lastEventId }: { token?: string; lastEventId?: string } = {}): Promise<Listener> {
  const before = t.live.count(user.id);
  const events: Listener['events'] = [];
  let error: ReturnType<Listener['error']> = null;
  let ended = false;
  const sub = t.client(token).notifications.stream.subscribe(lastEventId ? { lastEventId } : {}, {
    onData: (e) => events.push(e),
    onError: (e) => ((error = e as ReturnType<Listener['error']>), (ended = true)),
    onComplete: () => (ended = true),
  });
  await until(() => t.live.count(user.id) > before || ended, `the stream to register (${before} open)`).catch((e) => {
    throw new Error(`${e.message} now ${t.live.count(user.id)}: ${t.logLines.slice(-6).join('')}`);
  });
  const stop = async () => {
    const open = t.live.count(user.id);
    sub.unsubscribe();
    if (!ended) await until(() => t.live.count(user.id) < open, 'the stream to close');
  };
  return { events, error: () => error, ended: () => ended, stop };
}

const book = (patientId: string, token = carer.token) => t.client(token).appointments.book.mutate({ clinicianId: carer.id, patientId, typeId, startsAt: nextSlot() });

beforeAll(async () => {
  t = await startTestServer({ STREAMS_PER_USER: '3' }, { clock });
  ({ admin } = await createPractice(t));
  await t.client(admin.token).practices.update.mutate({ timeZone: 'Europe/Dublin' });
  typeId = (await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30 })).id;
  carer = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  await t.client(carer.token).availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours });
  anaId = (await createPatient(t, carer.token, { givenName: 'Ana', familyName: 'Moran', email: 'ana.moran@example.test' })).id;
  bobId = (await createPatient(t, carer.token, { givenName: 'Bob', familyName: 'Hayes', email: 'bob.hayes@example.test' })).id;
  ana = await invitePatientToPortal(t, carer.token, anaId);
  bob = await invitePatientToPortal(t, carer.token, bobId);
  ({ admin: otherAdmin } = await createPractice(t));
});
afterAll(() => t?.close());

describe('notifications.stream', () => {
  it("brings a booking made through the API to the patient's stream, and to no one else's", async () => {
    const [anaStream, bobStream, outsiderStream, otherPractice] = await Promise.all([listen(ana), listen(bob), listen(outsider), listen(otherAdmin)]);
    const appointment = await book(anaId);
    await until(() => anaStream.events.length === 1, "Ana's event").catch((e) => {
      throw new Error(
        `${e.message}: ${JSON.stringify(anaStream.error())} ${t.logLines
          .filter((l) => /warn|error|notification/.test(l))
          .join('\n')
          .slice(0, 3000)}`,
      );
    });
    expect(anaStream.events[0]!.data).toMatchObject({ kind: 'appointment.booked', patientId: anaId, data: { appointmentId: appointment.id }, readAt: null });
    expect(anaStream.events[0]!.id).toBe(anaStream.events[0]!.data.id);
    // The clinician booked it, so is not told of it; Bob, a clinician off Ana's care team and another practice hear nothing.
    await new Promise((r) => setTimeout(r, 300));
    for (const other of [bobStream, outsiderStream, otherPractice]) expect(other.events).toEqual([]);
    await Promise.all([anaStream, bobStream, outsiderStream, otherPractice].map((s) => s.stop()));
  });

  it('tells the clinician when the patient books, moves or cancels, in order', async () => {
    const carerStream = await listen(carer);
    const a = await book(anaId, admin.token);
    await t.client(admin.token).appointments.reschedule.mutate({ id: a.id, startsAt: nextSlot() });
    await t.client(admin.token).appointments.cancel.mutate({ id: a.id, reason: 'Unwell' });
    await until(() => carerStream.events.length === 3, "the clinician's three events");
    expect(carerStream.events.map((e) => e.data.kind)).toEqual(['appointment.booked', 'appointment.rescheduled', 'appointment.cancelled']);
    await carerStream.stop();
  });

  it('checks access again on delivery: a clinician who left the care team receives nothing more of that patient', async () => {
    const patientId = (await createPatient(t, carer.token, { givenName: 'Cara', familyName: 'Lynch' })).id;
    await t.client(admin.token).careTeams.add.mutate({ patientId, clinicianId: outsider.id });
    // A row addressed to the outsider while on the team, delivered only after they left it.
    const s = await listen(outsider);
    await t.client(admin.token).careTeams.remove.mutate({ patientId, clinicianId: outsider.id });
    const [practice] = await sql(t, 'select practice_id from users where id = ?', [outsider.id]);
    await sql(
      t,
      `insert into notification (id, practice_id, user_id, kind, patient_id, subject_type, subject_id, data, created_at) values (?, ?, ?, 'alert.raised', ?, 'alert', gen_random_uuid(), '{"alertId":"x","assessmentId":"y"}', now())`,
      // A UUID v7 as the server makes (ids are in order: a random one could sort after later events).
      [newId(), practice!.practice_id, outsider.id, patientId],
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(s.events).toEqual([]);
    expect((await t.client(outsider.token).notifications.list.query({})).items.filter((n) => n.patientId === patientId)).toEqual([]);
    await s.stop();
  });

  it('resumes after the last event id with exactly what was missed', async () => {
    const first = await listen(ana);
    await book(anaId);
    await until(() => first.events.length === 1, 'the first event');
    await first.stop();
    const missed = [await book(anaId), await book(anaId)];
    const resumed = await listen(ana, { lastEventId: first.events[0]!.id });
    await until(() => resumed.events.length >= 2, 'the missed events');
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.events.map((e) => (e.data.data as { appointmentId: string }).appointmentId)).toEqual(missed.map((m) => m.id));
    const live = await book(anaId);
    await until(() => resumed.events.length === 3, 'the live event after the replay');
    expect((resumed.events[2]!.data.data as { appointmentId: string }).appointmentId).toBe(live.id);
    await resumed.stop();
  });

  it('stays open when the database cannot answer a read, and delivers the event once it can', async () => {
    const s = await listen(carer);
    // A lock the stream's read must wait for (its care-team check reads care_team_member), past lock_timeout (5 s).
    const blocker = new pg.Client({ connectionString: t.dbUrl });
    blocker.on('error', () => {});
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table care_team_member in access exclusive mode');
    const [practice] = await sql(t, 'select practice_id from users where id = ?', [carer.id]);
    const id = newId();
    await sql(
      t,
      `insert into notification (id, practice_id, user_id, kind, patient_id, subject_type, subject_id, data, created_at) values (?, ?, ?, 'alert.raised', ?, 'alert', gen_random_uuid(), '{"alertId":"x","assessmentId":"y"}', now())`,
      [id, practice!.practice_id, carer.id, anaId],
    );
    await new Promise((r) => setTimeout(r, 5_500)); // the read timed out meanwhile
    expect(s.ended()).toBe(false);
    expect(s.events).toEqual([]);
    await blocker.query('rollback');
    await blocker.end();
    await until(() => s.events.length === 1, 'the event after the database answered');
    expect(s.events[0]!.id).toBe(id);
    expect(s.ended()).toBe(false);
    await s.stop();
  }, 15_000);

  it('refuses a stream beyond the per-user bound with TOO_MANY_REQUESTS', async () => {
    const open = [await listen(bob), await listen(bob), await listen(bob)];
    const extra = await listen(bob);
    await until(() => extra.ended(), 'the refusal');
    expect(extra.error()?.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'too-many-streams' });
    await Promise.all(open.map((s) => s.stop()));
  });

  it('closes the stream within seconds on logout and on session revocation, on the session ended only', async () => {
    const other = await loginAs(t, bob.email, bob.password);
    const session = await loginAs(t, bob.email, bob.password);
    const [kept, loggedOut] = [await listen(bob, { token: other }), await listen(bob, { token: session })];
    await t.client(session).auth.logout.mutate();
    await until(() => loggedOut.ended(), 'the logged-out stream to close', 3_000);
    expect(loggedOut.error()?.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'session-ended' });

    const revoked = await listen(bob, { token: await loginAs(t, bob.email, bob.password) });
    const sessions = await t.client(other).sessions.list.query();
    for (const s of sessions.filter((s) => !s.current)) await t.client(other).sessions.revoke.mutate({ id: s.id });
    await until(() => revoked.ended(), 'the revoked stream to close', 3_000);
    expect(kept.ended()).toBe(false);
    await kept.stop();
  });

  it("closes every stream of a user who is deactivated, and no one else's", async () => {
    const leaving = await inviteUser(t, admin);
    const streams = [await listen(leaving), await listen(leaving, { token: await loginAs(t, leaving.email, leaving.password) })];
    const bystander = await listen(carer);
    await t.client(admin.token).users.deactivate.mutate({ id: leaving.id });
    await until(() => streams.every((s) => s.ended()), "the deactivated user's streams to close", 3_000);
    for (const s of streams) expect(s.error()?.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'session-ended' });
    expect(t.live.count(leaving.id)).toBe(0);
    expect(bystander.ended()).toBe(false);
    await bystander.stop();
  });
});

describe('notifications.practiceStream', () => {
  /** The admin watching the practice, through the typed client, registered once it returns. */
  async function watch(input: { lastEventId?: string; kinds?: PracticeEventOutput['kind'][] } = {}) {
    const before = t.live.count(admin.id);
    const events: { id: string; data: PracticeEventOutput }[] = [];
    const sub = t.client(admin.token).notifications.practiceStream.subscribe(input, { onData: (e) => events.push(e) });
    await until(() => t.live.count(admin.id) > before, 'the watcher to register');
    const stop = async () => {
      sub.unsubscribe();
      await until(() => t.live.count(admin.id) === before, 'the watcher to close');
    };
    return { events, stop };
  }
  const appointmentOf = (e: { data: PracticeEventOutput }) => e.data.subject.id;

  it("gives an admin each of the practice's events once, with its recipients, and resumes after the last id with exactly what was missed", async () => {
    const first = await watch();
    const booked = await book(anaId, admin.token);
    await until(() => first.events.length === 1, 'the booking');
    await new Promise((r) => setTimeout(r, 300));
    // Two rows (the clinician's and Ana's), one event.
    expect(first.events).toHaveLength(1);
    expect(first.events[0]!.data).toMatchObject({ kind: 'appointment.booked', patientId: anaId, subject: { type: 'appointment', id: booked.id }, data: { appointmentId: booked.id } });
    expect(first.events[0]!.id).toBe(first.events[0]!.data.id);
    expect([...first.events[0]!.data.recipientIds].sort()).toEqual([carer.id, ana.id].sort());
    await first.stop();

    const missed = [await book(anaId, admin.token), await book(bobId)];
    const resumed = await watch({ lastEventId: first.events[0]!.id });
    await until(() => resumed.events.length >= 2, 'the missed events');
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.events.map(appointmentOf)).toEqual(missed.map((m) => m.id));
    await resumed.stop();
  });

  it('carries only the kinds asked for', async () => {
    const watching = await watch({ kinds: ['appointment.cancelled'] });
    const a = await book(anaId, admin.token);
    await t.client(admin.token).appointments.reschedule.mutate({ id: a.id, startsAt: nextSlot() });
    await t.client(admin.token).appointments.cancel.mutate({ id: a.id, reason: 'Unwell' });
    await until(() => watching.events.length === 1, 'the cancellation');
    await new Promise((r) => setTimeout(r, 300));
    expect(watching.events.map((e) => [e.data.kind, appointmentOf(e)])).toEqual([['appointment.cancelled', a.id]]);
    await watching.stop();
  });
});

describe('notifications.list, markRead, unreadCount', () => {
  it('lists newest first with the unread count, and marks read by id or all', async () => {
    const api = t.client(ana.token).notifications;
    const { unreadCount } = await api.unreadCount.query();
    expect(unreadCount).toBeGreaterThan(0);
    const page = await api.list.query({ limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.unreadCount).toBe(unreadCount);
    expect(page.items[0]!.createdAt >= page.items[1]!.createdAt).toBe(true);
    expect((await api.markRead.mutate({ ids: [page.items[0]!.id] })).unreadCount).toBe(unreadCount - 1);
    expect((await api.list.query({ unreadOnly: true })).items.map((n) => n.id)).not.toContain(page.items[0]!.id);
    // Another user's ids are passed over.
    await t.client(outsider.token).notifications.markRead.mutate({ all: true });
    expect((await api.unreadCount.query()).unreadCount).toBe(unreadCount - 1);
    expect((await api.markRead.mutate({ all: true })).unreadCount).toBe(0);
  });
});

describe('the retention sweep', () => {
  it('deletes notifications older than the window (on the moved clock), read or not, and keeps the rest', async () => {
    await startWorker(t);
    const [practice] = await sql(t, 'select practice_id from users where id = ?', [ana.id]);
    const insert = (createdAt: Date, readAt: Date | null) =>
      sql<{ id: string }>(
        t,
        `insert into notification (id, practice_id, user_id, kind, patient_id, subject_type, subject_id, data, created_at, read_at)
         values (gen_random_uuid(), ?, ?, 'appointment.booked', ?, 'appointment', gen_random_uuid(), '{"appointmentId":"x"}', ?, ?) returning id`,
        [practice!.practice_id, ana.id, anaId, createdAt, readAt],
      ).then(([row]) => row!.id);
    const day = 86_400_000;
    const now = clock.now().getTime();
    const oldUnread = await insert(new Date(now - 8 * day), null);
    const oldRead = await insert(new Date(now - 7 * day - 60_000), new Date(now - 6 * day));
    const recent = await insert(new Date(now - 6 * day), null);
    await runJobNow(t, SWEEP_NOTIFICATIONS);
    const left = (await sql<{ id: string }>(t, 'select id from notification where id in (?, ?, ?)', [oldUnread, oldRead, recent])).map((r) => r.id);
    expect(left).toEqual([recent]);
    // Two days on, the one kept is past the window too.
    clock.advance(2 * day);
    await runJobNow(t, SWEEP_NOTIFICATIONS);
    expect(await sql(t, 'select id from notification where id = ?', [recent])).toEqual([]);
  });
});
