import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_REMINDERS } from '../../server/modules/reminders/reminders.jobs.ts';
import { deliveries, extracted, patientWithPortal, startCareLoop } from '../care-loop-setup.ts';
import { sql } from '../fixtures.ts';
import { runJobNow, startWorker } from '../workers.ts';

/**
 * The sweep reads only the plan items whose bookmark (`step.next_reminder_at`) is due or unset, and moves
 * each bookmark on; whatever changes what the bookmark was worked out from clears it.
 */
let world: Awaited<ReturnType<typeof startCareLoop>>;

beforeAll(async () => {
  world = await startCareLoop();
  await startWorker(world.t);
});
afterAll(() => world.close());

const bookmark = async (stepId: string) => {
  const [row] = await sql<{ ms: number | null }>(world.t, 'select (extract(epoch from next_reminder_at) * 1000)::float8 as ms from step where id = ?', [stepId]);
  return row!.ms === null ? null : new Date(row!.ms).toISOString();
};

/** A patient (New York) with one daily plan item, "Walk 30 minutes every day" at 09:00 from the note's day. */
async function walker() {
  const { t, clinician } = world;
  const { patient, portal } = await patientWithPortal(t, clinician);
  const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk 30 minutes every day' });
  await extracted(t, clinician.token, note.id);
  const [walk] = (await t.client(clinician.token).steps.list.query({ patientId: patient.id })).items;
  return { patient, portal, walk: walk! };
}

const days = async (stepId: string) => [...new Set((await deliveries(world.t, stepId)).map((d) => d.local_day))];

describe('the reminders sweep keeps a bookmark per plan item', () => {
  it('moves the bookmark to the next reminder, and skips an item whose bookmark is not due', async () => {
    const { t, clock, clinician } = world;
    clock.set('2026-03-02T13:00:00Z'); // 08:00 in New York
    const { walk } = await walker();
    expect(await bookmark(walk.id)).toBeNull(); // new: the sweep works it out

    await runJobNow(t, SWEEP_REMINDERS);
    expect(await bookmark(walk.id)).toBe('2026-03-02T14:00:00.000Z'); // today 09:00 in New York

    clock.set('2026-03-02T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02']);
    expect(await bookmark(walk.id)).toBe('2026-03-03T14:00:00.000Z');

    // A bookmark in the future keeps the item out of the sweep, even when its day has come.
    await sql(t, `update step set next_reminder_at = '2026-03-05T14:00:00Z' where id = ?`, [walk.id]);
    clock.set('2026-03-03T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02']);

    // Moving the time of day clears it: the sweep looks again at once, and reminds today's 09:30.
    await t.client(clinician.token).steps.update.mutate({ id: walk.id, schedule: { cadence: 'daily', startDate: '2026-03-02', timeOfDay: '09:30' } });
    expect(await bookmark(walk.id)).toBeNull();
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02', '2026-03-03']);
    expect(await bookmark(walk.id)).toBe('2026-03-04T14:30:00.000Z');
  });

  it('reworks the bookmarks of a patient who moves to another time zone', async () => {
    const { t, clock, clinician } = world;
    clock.set('2026-03-02T13:00:00Z');
    const { patient, walk } = await walker();
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await bookmark(walk.id)).toBe('2026-03-02T14:00:00.000Z');

    // 09:00 in London is five hours before New York's: after the move it is already due at 10:00 UTC.
    await t.client(clinician.token).patients.update.mutate({ id: patient.id, timeZone: 'Europe/London' });
    expect(await bookmark(walk.id)).toBeNull();
    clock.set('2026-03-02T10:00:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02']);
    expect(await bookmark(walk.id)).toBe('2026-03-03T09:00:00.000Z');
  });

  it('reminds a weekly plan that starts later on its first day, not before', async () => {
    const { t, clock, clinician } = world;
    clock.set('2026-03-02T13:00:00Z');
    const { walk } = await walker();
    await t.client(clinician.token).steps.update.mutate({ id: walk.id, schedule: { cadence: 'weekly', startDate: '2026-03-05', timeOfDay: '09:00' } });
    clock.set('2026-03-02T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual([]);
    expect(await bookmark(walk.id)).toBe('2026-03-05T14:00:00.000Z');

    clock.set('2026-03-05T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-05']);
    expect(await bookmark(walk.id)).toBe('2026-03-12T13:00:00.000Z'); // 09:00 after New York's clocks went forward
  });

  it('parks an item past its end date, and wakes it when the schedule is extended', async () => {
    const { t, clock, clinician } = world;
    clock.set('2026-03-02T14:45:00Z');
    const { walk } = await walker();
    await t.client(clinician.token).steps.update.mutate({ id: walk.id, schedule: { cadence: 'daily', startDate: '2026-03-02', endDate: '2026-03-02', timeOfDay: '09:00' } });
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02']);
    expect(await bookmark(walk.id)).toBe('9999-12-31T00:00:00.000Z');

    clock.set('2026-03-04T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02']);

    await t.client(clinician.token).steps.update.mutate({ id: walk.id, schedule: { cadence: 'daily', startDate: '2026-03-02', endDate: '2026-03-10', timeOfDay: '09:00' } });
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02', '2026-03-04']);
  });

  it("skips a plan item whose row a call holds locked, instead of waiting for it (no deadlock with a note's cancellations), and reminds it once free", async () => {
    const { t, clock } = world;
    clock.set('2026-03-02T14:45:00Z');
    const { walk } = await walker();
    const holder = new pg.Client({ connectionString: t.dbUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from step where id = $1 for update', [walk.id]);
      await runJobNow(t, SWEEP_REMINDERS); // returns: it did not wait for the lock
      expect(await days(walk.id)).toEqual([]);
      await holder.query('rollback');
    } finally {
      await holder.end();
    }
    await runJobNow(t, SWEEP_REMINDERS);
    expect(await days(walk.id)).toEqual(['2026-03-02']);
  });
});
