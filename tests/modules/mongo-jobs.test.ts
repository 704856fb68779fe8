import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_REMINDERS } from '../../server/modules/reminders/reminders.jobs.ts';
import { extracted, patientWithPortal, startCareLoop } from '../care-loop-setup.ts';
import { runJobNow, startWorker } from '../workers.ts';

/**
 * The same loop with Agenda on `@agendajs/mongo-backend`. It needs a MongoDB server (a replica set is
 * not required), so it runs only where MONGODB_URL is set, e.g. MONGODB_URL=mongodb://127.0.0.1:27017/pams_test.
 */
const mongodbUrl = process.env.MONGODB_URL;
if (!mongodbUrl) console.info('tests/modules/mongo-jobs.test.ts: skipped, MONGODB_URL is not set (set it to test Agenda on MongoDB)');

describe.skipIf(!mongodbUrl)(mongodbUrl ? 'Agenda on MongoDB' : 'Agenda on MongoDB (skipped: MONGODB_URL is not set)', () => {
  let world: Awaited<ReturnType<typeof startCareLoop>>;
  beforeAll(async () => {
    world = await startCareLoop({ start: new Date().toISOString(), env: { MONGODB_URL: mongodbUrl! } });
    await startWorker(world.t);
  });
  afterAll(() => world?.close());

  it('extracts a note and sends its reminder with the jobs queued in MongoDB', async () => {
    const { t, clinician, admin } = world;
    const { patient, portal } = await patientWithPortal(t, clinician, 'UTC');
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk every day at 00:00' });
    expect((await extracted(t, clinician.token, note.id)).extraction).toMatchObject({ state: 'done', stepsCreated: 1 });
    const jobs = await t.client(admin.token).jobs.list.query({});
    expect(jobs.find((j) => j.data.noteId === note.id)?.id).toMatch(/^[0-9a-f]{24}$/);
    await runJobNow(t, SWEEP_REMINDERS);
    await t.smtp.waitForMail(portal.email, /Walk every day/);
  });

  it('a UUID names no job on MongoDB: NOT_FOUND, not a 500', async () => {
    const { t, admin } = world;
    await expect(t.client(admin.token).jobs.cancel.mutate({ id: '0190a000-0000-7000-8000-000000000000' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });
});
