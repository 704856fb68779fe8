import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config.ts';
import { decryptString, encryptString, type EncryptionKeys } from '../../encryption.ts';
import { rewrapDataKey } from '../../envelope.ts';
import type { Orm } from '../../orm.ts';
import { pgArray } from '../../pg-array.ts';

export type RotationProgress = { done: number; total: number };

/** One kind of value sealed directly under a key of PAMS_ENCRYPTION_KEYS: how many are under an older key, and how to re-wrap a batch. */
type KeySealed = {
  stale: (em: EntityManager, newest: string) => Promise<number>;
  rewrap: (tx: EntityManager, keys: EncryptionKeys, batchSize: number) => Promise<number>;
};

const countOf = async (em: EntityManager, query: string, newest: string) => Number((await em.getConnection().execute<{ n: string }[]>(query, [newest]))[0]!.n);

/**
 * The data keys of a table's rows (`kek_id`, `wrapped_key`), each wrapped with its row's id as AAD; what
 * they seal (a note's body and passages, a file's bytes, a message's body, an SOS's detail) is not touched.
 */
function dataKeysOf(table: 'note' | 'stored_file' | 'message' | 'sos_request'): KeySealed {
  return {
    stale: (em, newest) => countOf(em, `select count(*) as n from ${table} where kek_id <> ?`, newest),
    async rewrap(tx, keys, batchSize) {
      const newest = keys[0]!.id;
      const rows = await tx.execute<{ id: string; kek_id: string; wrapped_key: string }[]>(
        `select id, kek_id, wrapped_key from ${table} where kek_id <> ? order by id limit ? for update skip locked`,
        [newest, batchSize],
      );
      if (!rows.length) return 0;
      const wrapped = rows.map((r) => rewrapDataKey(keys, { kekId: r.kek_id, wrappedKey: r.wrapped_key }, r.id).wrappedKey);
      await tx.execute(`update ${table} set kek_id = ?, wrapped_key = v.wrapped_key from unnest(?::uuid[], ?::text[]) as v(id, wrapped_key) where ${table}.id = v.id`, [
        newest,
        pgArray(rows.map((r) => r.id)),
        pgArray(wrapped),
      ]);
      return rows.length;
    },
  };
}

/** TOTP secrets (server/encryption.ts: `keyId:…`), a few bytes each: re-encrypted whole under the newest key. */
const totpSecrets: KeySealed = {
  stale: (em, newest) => countOf(em, `select count(*) as n from users where mfa_secret is not null and split_part(mfa_secret, ':', 1) <> ?`, newest),
  async rewrap(tx, keys, batchSize) {
    const rows = await tx.execute<{ id: string; mfa_secret: string }[]>(
      `select id, mfa_secret from users where mfa_secret is not null and split_part(mfa_secret, ':', 1) <> ? order by id limit ? for update skip locked`,
      [keys[0]!.id, batchSize],
    );
    if (!rows.length) return 0;
    await tx.execute('update users set mfa_secret = v.secret from unnest(?::uuid[], ?::text[]) as v(id, secret) where users.id = v.id', [
      pgArray(rows.map((r) => r.id)),
      pgArray(rows.map((r) => encryptString(keys, decryptString(keys, r.mfa_secret)))),
    ]);
    return rows.length;
  },
};

/** Everything rotation re-wraps: every value sealed directly under a key (tests/key-rotation.test.ts finds any other). */
const keySealed = [dataKeysOf('note'), dataKeysOf('stored_file'), dataKeysOf('message'), dataKeysOf('sos_request'), totpSecrets];

/**
 * Re-wraps every value sealed directly under a key of PAMS_ENCRYPTION_KEYS (notes', files' and messages' data keys,
 * TOTP secrets) under the newest key (the first), in short transactions of `batchSize` rows. Note bodies
 * and files' bytes are not touched. Safe while the server runs: rows another transaction holds are skipped and taken by a later
 * batch. The older keys must still be listed until this has finished.
 */
export async function rotateEncryptionKeys({ orm, config }: { orm: Orm; config: Config }, { batchSize = 500, onProgress }: { batchSize?: number; onProgress?: (p: RotationProgress) => void } = {}) {
  const keys = config.encryptionKeys;
  const newest = keys[0]!.id;
  const em = orm.em.fork();
  const count = async () => {
    let n = 0;
    for (const kind of keySealed) n += await kind.stale(em, newest);
    return n;
  };
  const progress = { done: 0, total: await count() };
  onProgress?.(progress);
  for (const kind of keySealed) {
    for (;;) {
      const rotated = await em.transactional((tx) => kind.rewrap(tx, keys, batchSize));
      if (!rotated) break;
      progress.done += rotated;
      onProgress?.({ ...progress, total: Math.max(progress.total, progress.done) });
    }
  }
  return { keyId: newest, rotated: progress.done, remaining: await count() };
}
