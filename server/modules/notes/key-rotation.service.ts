import type { Config } from '../../config.ts';
import { rewrapDataKey } from '../../envelope.ts';
import type { Orm } from '../../orm.ts';
import { pgArray } from '../../pg-array.ts';

export type RotationProgress = { done: number; total: number };

/**
 * Re-wraps every note's data key under the newest key of PAMS_ENCRYPTION_KEYS (the first), in short
 * transactions of `batchSize` notes. Bodies are not touched. Safe while the server runs: notes never
 * change their keys otherwise, and rows another transaction holds are skipped and taken by a later batch.
 * The older keys must still be listed until this has finished, and afterwards while TOTP secrets written
 * under them exist: those are encrypted directly under a key (server/encryption.ts), not re-wrapped here.
 */
export async function rotateNoteKeys({ orm, config }: { orm: Orm; config: Config }, { batchSize = 500, onProgress }: { batchSize?: number; onProgress?: (p: RotationProgress) => void } = {}) {
  const newest = config.encryptionKeys[0]!.id;
  const em = orm.em.fork();
  const count = async () => Number((await em.getConnection().execute<{ n: string }[]>('select count(*) as n from note where kek_id <> ?', [newest]))[0]!.n);
  const progress = { done: 0, total: await count() };
  onProgress?.(progress);
  for (;;) {
    const rotated = await em.transactional(async (tx) => {
      const rows = await tx.execute<{ id: string; kek_id: string; wrapped_key: string }[]>(
        'select id, kek_id, wrapped_key from note where kek_id <> ? order by id limit ? for update skip locked',
        [newest, batchSize],
      );
      if (!rows.length) return 0;
      const wrapped = rows.map((r) => rewrapDataKey(config.encryptionKeys, { kekId: r.kek_id, wrappedKey: r.wrapped_key }, r.id).wrappedKey);
      await tx.execute(
        'update note set kek_id = ?, wrapped_key = v.wrapped_key from unnest(?::uuid[], ?::text[]) as v(id, wrapped_key) where note.id = v.id',
        [newest, pgArray(rows.map((r) => r.id)), pgArray(wrapped)],
      );
      return rows.length;
    });
    if (!rotated) break;
    progress.done += rotated;
    onProgress?.({ ...progress, total: Math.max(progress.total, progress.done) });
  }
  return { keyId: newest, rotated: progress.done, remaining: await count() };
}
