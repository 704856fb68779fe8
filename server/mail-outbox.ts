import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from './clock.ts';
import { pgArray } from './pg-array.ts';

/** A table of emails waiting to be sent, by its column names: each row is claimed by lease, then settled here. */
export type MailOutbox = { table: string; status: string; sentAt: string; nextAttemptAt: string; lastError: string };

/** Waits after a failed send: 30 s, 1 min, 2 min … capped at an hour. Never given up. */
const sendRetryDelay = (attempt: number) => Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);

/**
 * Sends a batch the caller claimed (SKIP LOCKED, with a lease) and settles each row: the outcome `send` gave
 * (`sent`, or another status such as `cancelled` for one that no longer needs sending), or, for a send that
 * failed, back to pending with a later attempt time and the error's name and SMTP code (never its text: it may
 * quote the address). `failed` above zero means the mail server is struggling: the caller leaves the rest for later.
 */
export async function sendClaimedMails<Row extends { id: string; attempts: number }>(
  conn: ReturnType<EntityManager['getConnection']>,
  clock: Clock,
  outbox: MailOutbox,
  claimed: Row[],
  send: (row: Row) => Promise<string>,
): Promise<{ sent: number; failed: number }> {
  const results = await Promise.allSettled(claimed.map(send));
  const done = clock.now();
  const byOutcome = new Map<string, string[]>();
  let failed = 0;
  for (const [i, result] of results.entries()) {
    const row = claimed[i]!;
    if (result.status === 'fulfilled') {
      byOutcome.set(result.value, [...(byOutcome.get(result.value) ?? []), row.id]);
      continue;
    }
    const err = result.reason as Error & { code?: string; responseCode?: number };
    await conn.execute(`update ${outbox.table} set ${outbox.nextAttemptAt} = ?, lease_until = null, ${outbox.lastError} = ? where id = ?`, [
      new Date(done.getTime() + sendRetryDelay(row.attempts)),
      [err.name, err.code, err.responseCode].filter(Boolean).join(' ').slice(0, 200),
      row.id,
    ]);
    failed++;
  }
  for (const [status, ids] of byOutcome) {
    await conn.execute(`update ${outbox.table} set ${outbox.status} = ?, ${outbox.sentAt} = ?, lease_until = null, ${outbox.lastError} = null where id = any(?::uuid[])`, [
      status,
      status === 'sent' ? done : null,
      pgArray(ids),
    ]);
  }
  return { sent: byOutcome.get('sent')?.length ?? 0, failed };
}
