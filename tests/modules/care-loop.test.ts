import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRACT_NOTE } from '../../server/modules/notes/extraction-queue.ts';
import { REQUEUE_EXTRACTIONS } from '../../server/modules/notes/notes.jobs.ts';
import { SWEEP_REMINDERS } from '../../server/modules/reminders/reminders.jobs.ts';
import { newId } from '../../server/ids.ts';
import type { NotificationOutput } from '../../shared/schemas/notifications.ts';
import { deliveries, extracted, NOTE, patientWithPortal, startCareLoop } from '../care-loop-setup.ts';
import { sql } from '../fixtures.ts';
import { rejection } from '../rejection.ts';
import { runJobNow, startWorker, waitFor } from '../workers.ts';

let world: Awaited<ReturnType<typeof startCareLoop>>;

beforeAll(async () => {
  world = await startCareLoop();
  await startWorker(world.t);
});
afterAll(() => world.close());

describe('from note to reminder to check-in', () => {
  it('encrypts the note, extracts steps with provenance, reminds daily at the time in the patient zone, and stops at check-in', async () => {
    const { t, clock, clinician, llm } = world;
    clock.set('2026-03-02T13:00:00Z'); // 08:00 in New York
    const { patient, portal } = await patientWithPortal(t, clinician);
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: NOTE });
    expect(note.extraction).toMatchObject({ state: 'pending' });

    // The database holds no plaintext of the note.
    const [row] = await sql(t, 'select * from note where id = ?', [note.id]);
    expect(JSON.stringify(row)).not.toMatch(/amlodipine|blood|salt/i);

    const done = await extracted(t, clinician.token, note.id);
    expect(done.extraction).toMatchObject({ state: 'done', stepsCreated: 3, stepsRejected: 0, attempts: 1 });
    expect(llm.requests.at(-1)!.authorization).toBe('Bearer test-llm-key');
    expect(llm.requests.at(-1)!.body.response_format.type).toBe('json_schema');

    const steps = (await t.client(clinician.token).steps.list.query({ patientId: patient.id })).items;
    const byTitle = Object.fromEntries(steps.map((s) => [s.title.split(' ')[0], s]));
    expect(byTitle.Book).toMatchObject({ kind: 'checklist', state: 'active', provenance: 'Book a blood test at the lab next week' });
    expect(byTitle.Take).toMatchObject({ kind: 'plan', state: 'active', schedule: { cadence: 'daily', startDate: '2026-03-02', timeOfDay: '08:30', endDate: null } });
    expect(byTitle.Walk).toMatchObject({ kind: 'plan', schedule: { timeOfDay: '09:00' } });
    const [stepRow] = await sql(t, 'select provenance_ciphertext from step where id = ?', [byTitle.Take!.id]);
    expect(stepRow!.provenance_ciphertext).not.toMatch(/amlodipine/);

    // 08:00 in New York: nothing due yet.
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await deliveries(t, byTitle.Take!.id)).toEqual([]);

    // 09:45 in New York: both plan items, in the portal and by email.
    clock.set('2026-03-02T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    await t.smtp.waitForMail(portal.email, /amlodipine/);
    await t.smtp.waitForMail(portal.email, /Walk 30 minutes/);
    const inApp = (await t.client(portal.token).reminders.list.query({})).items;
    expect(inApp.map((r) => [r.title.split(' ')[0], r.localDay, r.channel, r.status]).sort()).toEqual([
      ['Take', '2026-03-02', 'in-app', 'sent'],
      ['Walk', '2026-03-02', 'in-app', 'sent'],
    ]);
    await waitFor(async () => (await deliveries(t, byTitle.Walk!.id)).every((d) => d.status === 'sent'), { what: 'email marked sent' });

    // The patient checks in for the medicine and ticks the checklist item; a clinician checks in a walk for them.
    const checkedIn = await t.client(portal.token).steps.checkIn.mutate({ id: byTitle.Take!.id });
    expect(checkedIn).toMatchObject({ state: 'done', doneBy: portal.id });
    expect(await rejection(t.client(portal.token).steps.checkIn.mutate({ id: byTitle.Take!.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect(await rejection(t.client(portal.token).steps.checkIn.mutate({ id: byTitle.Book!.id }))).toMatchObject({ code: 'NOT_FOUND' });
    await t.client(portal.token).steps.tick.mutate({ id: byTitle.Book!.id });

    // Next day: only the walk is reminded.
    clock.set('2026-03-03T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    await t.smtp.waitForMail(portal.email, /Walk 30 minutes/);
    expect((await deliveries(t, byTitle.Take!.id)).map((d) => d.local_day)).toEqual(['2026-03-02', '2026-03-02']);
    expect((await deliveries(t, byTitle.Walk!.id)).map((d) => `${d.local_day} ${d.channel}`)).toEqual(['2026-03-02 email', '2026-03-02 in-app', '2026-03-03 email', '2026-03-03 in-app']);
    expect(t.smtp.mails.filter((m) => m.to === portal.email && /amlodipine/.test(m.raw))).toEqual([]);

    // Every read of the note was audited.
    const [audited] = await sql<{ n: number }>(t, `select count(*)::int as n from audit_event where action = 'note.read' and entity_id = ?`, [note.id]);
    expect(audited!.n).toBeGreaterThan(0);
  });

  it('a new note cancels the pending steps of earlier notes and their unsent reminders, in the same transaction', async () => {
    const { t, clock, clinician } = world;
    clock.set('2026-03-10T14:45:00Z');
    const { patient } = await patientWithPortal(t, clinician);
    const first = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk 20 minutes every day\n- Book a follow-up visit' });
    await extracted(t, clinician.token, first.id);
    const second = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Swim every day at 18:00' });
    const old = (await t.client(clinician.token).steps.list.query({ patientId: patient.id })).items.filter((s) => s.noteId === first.id);
    expect(old.map((s) => s.state)).toEqual(['cancelled', 'cancelled']);
    expect(old[0]!.cancelReason).toBe('superseded by a newer note');
    await extracted(t, clinician.token, second.id);
    const active = (await t.client(clinician.token).steps.list.query({ patientId: patient.id, state: 'active' })).items;
    expect(active.map((s) => s.title)).toEqual(['Swim every day at 18:00']);
  });

  it('an extraction that finishes after a newer note was written creates no steps', async () => {
    const { t, clinician, llm } = world;
    const { patient } = await patientWithPortal(t, clinician);
    llm.queue({ kind: 'slow', ms: 600 });
    const older = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk every day' });
    await waitFor(async () => llm.requests.some((r) => JSON.stringify(r.body).includes('- Walk every day')), { what: 'LLM call for the older note' });
    const newer = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Cycle every day' });
    const olderDone = await extracted(t, clinician.token, older.id);
    expect(olderDone.extraction).toMatchObject({ state: 'done', stepsCreated: 0, reason: expect.stringMatching(/newer note/) });
    await extracted(t, clinician.token, newer.id);
    const steps = (await t.client(clinician.token).steps.list.query({ patientId: patient.id })).items;
    expect(steps.map((s) => [s.title, s.state])).toEqual([['Cycle every day', 'active']]);
  });

  it('rejects items whose passage is not in the note, and holds items as proposed when the practice asks', async () => {
    const { t, clinician, admin, llm, clock } = world;
    clock.set('2026-03-02T14:00:00Z');
    await t.client(admin.token).practices.update.mutate({ reviewExtractedSteps: true });
    const { patient, portal } = await patientWithPortal(t, clinician);
    llm.queue({
      kind: 'answer',
      answer: () => ({
        checklist: [{ title: 'Stop all medicines', passage: 'stop every medicine at once' }],
        plan: [{ title: 'Stretch', passage: 'Stretch every  morning', cadence: 'daily', startDate: null, endDate: null, count: 10, timeOfDay: '07:00' }],
      }),
    });
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: 'Back pain.\nStretch every morning for ten days.' });
    expect((await extracted(t, clinician.token, note.id)).extraction).toMatchObject({ state: 'done', stepsCreated: 1, stepsRejected: 1 });
    const [proposed] = (await t.client(clinician.token).steps.list.query({ patientId: patient.id })).items;
    expect(proposed).toMatchObject({ title: 'Stretch', state: 'proposed', schedule: { count: 10, endDate: '2026-03-11' } });
    expect(await rejection(t.client(portal.token).steps.checkIn.mutate({ id: proposed!.id }))).toMatchObject({ code: 'CONFLICT' });
    const edited = await t
      .client(clinician.token)
      .steps.update.mutate({ id: proposed!.id, title: 'Stretch for 10 minutes', schedule: { cadence: 'daily', startDate: '2026-03-02', count: 5, timeOfDay: '07:30' } });
    expect(edited).toMatchObject({ state: 'proposed', title: 'Stretch for 10 minutes', schedule: { endDate: '2026-03-06', timeOfDay: '07:30' } });
    expect(await t.client(clinician.token).steps.accept.mutate({ id: proposed!.id })).toMatchObject({ state: 'active' });
    expect(await t.client(clinician.token).steps.cancel.mutate({ id: proposed!.id, reason: 'pain gone' })).toMatchObject({ state: 'cancelled', cancelReason: 'pain gone' });
    await t.client(admin.token).practices.update.mutate({ reviewExtractedSteps: false });
  });

  it('a schedule past the bounds (year 9990 with 1,000 occurrences, year 0000) is a field error from the API, and a dropped item from the model', async () => {
    const { t, clinician, llm, clock } = world;
    clock.set('2026-03-02T14:00:00Z');
    const { patient } = await patientWithPortal(t, clinician);
    const item = { passage: 'Stretch every morning', cadence: 'weekly' as const, endDate: null, count: 1000, timeOfDay: '07:00' };
    llm.queue({
      kind: 'answer',
      answer: () => ({
        checklist: [{ title: 'Bring\u0000 the scans', passage: 'Stretch every morning' }],
        plan: [
          { ...item, title: 'Stretch', startDate: '9990-01-01' },
          { ...item, title: 'Stretch', startDate: '0000-01-01' },
          { ...item, title: 'Stretch', startDate: null },
        ],
      }),
    });
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: 'Back pain.\nStretch every morning.' });
    expect((await extracted(t, clinician.token, note.id)).extraction).toMatchObject({ state: 'done', stepsCreated: 1, stepsRejected: 3 });
    const [step] = (await t.client(clinician.token).steps.list.query({ patientId: patient.id })).items;
    for (const startDate of ['9990-01-01', '0000-01-01', '2201-01-01']) {
      const e = await rejection(t.client(clinician.token).steps.update.mutate({ id: step!.id, schedule: { ...item, startDate } }));
      expect(e, startDate).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'schedule.startDate': ['must be in the years 1850 to 2200'] } });
    }
    // At the far edge the last of 1,000 weekly occurrences still falls where every part of the stack agrees.
    expect(await t.client(clinician.token).steps.update.mutate({ id: step!.id, schedule: { ...item, startDate: '2200-12-31' } })).toMatchObject({ schedule: { endDate: '2220-02-23' } });
  });

  it('a patient of practice A can neither read nor check in practice B’s steps', async () => {
    const { t, clinician } = world;
    const { patient: mine, portal } = await patientWithPortal(t, clinician);
    const { createPractice, inviteUser } = await import('../fixtures.ts');
    const b = await createPractice(t);
    const bClinician = await inviteUser(t, b.admin);
    const { patient: theirs } = await patientWithPortal(t, bClinician);
    const note = await t.client(bClinician.token).notes.create.mutate({ patientId: theirs.id, body: '- Walk every day' });
    await extracted(t, bClinician.token, note.id);
    const [theirStep] = (await t.client(bClinician.token).steps.list.query({ patientId: theirs.id })).items;
    expect(await rejection(t.client(portal.token).steps.checkIn.mutate({ id: theirStep!.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(portal.token).notes.byId.query({ id: note.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.client(portal.token).steps.list.query({})).items.every((s) => s.patientId === mine.id)).toBe(true);
    expect((await t.client(portal.token).steps.list.query({ patientId: theirs.id })).items).toEqual([]);
    const [row] = await sql(t, 'select state from step where id = ?', [theirStep!.id]);
    expect(row!.state).toBe('active');
  });

  it('the requeue sweep is a no-op when nothing is lost', async () => {
    const { t } = world;
    const notes = () => sql(t, 'select id, extraction_state, extraction_due_at, extraction_lease_until, extraction_attempts from note order by id');
    const extractJobs = async () => (await t.agenda.queryJobs({ name: EXTRACT_NOTE })).total;
    const [before, jobsBefore] = [await notes(), await extractJobs()];
    expect(before.length).toBeGreaterThan(0);
    await runJobNow(t, REQUEUE_EXTRACTIONS);
    expect(await notes()).toEqual(before);
    expect(await extractJobs()).toBe(jobsBefore);
  });
});

describe('reminders on the live stream', () => {
  it("brings each due reminder to the patient's notification stream, once", async () => {
    const { t, clock, clinician } = world;
    clock.set('2026-03-02T13:00:00Z'); // 08:00 in New York
    const { patient, portal } = await patientWithPortal(t, clinician);
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: NOTE });
    await extracted(t, clinician.token, note.id);
    const plan = (await t.client(clinician.token).steps.list.query({ patientId: patient.id })).items.filter((s) => s.kind === 'plan');
    expect(plan).toHaveLength(2);
    // Resumed from an id made now: what is committed from here on reaches it, registered yet or not.
    const events: NotificationOutput[] = [];
    const sub = t.client(portal.token).notifications.stream.subscribe({ lastEventId: newId() }, { onData: (e) => events.push(e.data) });
    try {
      clock.set('2026-03-02T14:45:00Z'); // 09:45: both plan items due
      await runJobNow(t, SWEEP_REMINDERS);
      await waitFor(async () => events.length >= 2, { what: 'the reminders on the stream' });
      await runJobNow(t, SWEEP_REMINDERS); // nothing new is due: nothing more is sent
      await new Promise((r) => setTimeout(r, 300));
      const byStep = (a: { stepId: string }, b: { stepId: string }) => a.stepId.localeCompare(b.stepId);
      expect(events.map((e) => ({ kind: e.kind, patientId: e.patientId, ...(e.data as { stepId: string; day: string }) })).sort(byStep)).toEqual(
        plan.map((s) => ({ kind: 'reminder.due', patientId: patient.id, stepId: s.id, day: '2026-03-02' })).sort(byStep),
      );
    } finally {
      sub.unsubscribe();
    }
  });
});
