import type { JobDeps } from '../../jobs.ts';
import { enqueueExtraction } from './extraction-queue.ts';

/** How long past its due time a pending extraction may sit before its job counts as lost. */
const GRACE_MS = 60_000;

/**
 * The note table, not the queue, says what is left to extract: a note still pending well past its due
 * time, with no live lease, lost its job (a crash between commit and enqueue, a worker killed mid-call).
 * Its due time moves on, so the next sweep does not enqueue it twice; a duplicate job would be harmless.
 */
export async function requeueLostExtractions({ orm, clock, config, agenda, log }: Pick<JobDeps, 'orm' | 'clock' | 'config' | 'agenda' | 'log'>): Promise<number> {
  const now = clock.now();
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ id: string; practice_id: string }[]>(
      `update note set extraction_due_at = ? where id in (
       select id from note where extraction_state = 'pending' and extraction_due_at < ?
         and (extraction_lease_until is null or extraction_lease_until < ?)
       order by extraction_due_at limit 500 for update skip locked)
     returning id, practice_id`,
      [new Date(now.getTime() + config.llm.timeoutMs + GRACE_MS), new Date(now.getTime() - GRACE_MS), now],
    );
  for (const row of rows) await enqueueExtraction(agenda, { noteId: row.id, practiceId: row.practice_id });
  if (rows.length) log.info({ job: 'notes.requeue-extractions', count: rows.length }, 'requeued lost extractions');
  return rows.length;
}
