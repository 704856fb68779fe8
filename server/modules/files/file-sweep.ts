import type { JobDeps } from '../../jobs.ts';
import { pgArray } from '../../pg-array.ts';
import { UNCLAIMED_TTL_MS } from './file-claim.ts';
import { previewKey } from './file-names.ts';

/** Stored bytes without a row are left this long: an upload writes its bytes first and its row just after. */
const ORPHAN_AGE_MS = 3600 * 1000;
const BATCH = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Across every practice (the system's own work, so plain SQL): removes uploads unclaimed for a day and
 * photos that were replaced, row first and bytes after, so no row ever points at missing bytes; then any
 * stored bytes whose row does not exist (a crash between writing them and the row, or a sweep cut short).
 */
export async function sweepFiles({ orm, files, clock, log }: Pick<JobDeps, 'orm' | 'files' | 'clock' | 'log'>) {
  const now = clock.now();
  const connection = orm.em.getConnection();
  const removed = await connection.execute<{ id: string }[]>(`delete from stored_file where (purpose is null and created_at < ?) or released_at is not null returning id`, [
    new Date(now.getTime() - UNCLAIMED_TTL_MS),
  ]);
  for (const { id } of removed) await Promise.all([files.delete(id), files.delete(previewKey(id))]);

  let orphans = 0;
  const olderThan = now.getTime() - ORPHAN_AGE_MS;
  let batch: string[] = [];
  const settle = async () => {
    const ids = [...new Set(batch.map((key) => key.split('.', 1)[0]!).filter((id) => UUID.test(id)))];
    const rows = ids.length ? await connection.execute<{ id: string }[]>('select id from stored_file where id = any(?::uuid[])', [pgArray(ids)]) : [];
    const known = new Set(rows.flatMap((r) => [r.id, previewKey(r.id)]));
    for (const key of batch) {
      if (known.has(key)) continue;
      await files.delete(key);
      orphans++;
    }
    batch = [];
  };
  for await (const { key, writtenAt } of files.list()) {
    if (writtenAt.getTime() >= olderThan) continue;
    batch.push(key);
    if (batch.length >= BATCH) await settle();
  }
  await settle();
  if (removed.length || orphans) log.info({ removed: removed.length, orphans }, 'files swept');
  return { removed: removed.length, orphans };
}
