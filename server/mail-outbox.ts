import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import { pgArray } from './pg-array.ts';

/**
 * A table of emails waiting to be sent, by its name, the alias its claim uses and its column names (each row
 * has a `lease_until` too), and the job that sends them and the kind of email, for the log.
 */
export type MailOutbox = {
  table: string;
  alias: string;
  status: string;
  sentAt: string;
  nextAttemptAt: string;
  attempts: string;
  lastError: string;
  job: string;
  kind: string;
};

/**
 * What a claim reads beside the outbox's row to write the email: the tables it joins (`from`, with aliases),
 * how they join the row (`on`, an SQL condition), and the columns it returns besides the row's id and attempts.
 */
export type MailClaim = { from: string; on: string; returning: string };

type Connection = ReturnType<EntityManager['getConnection']>;

/** The rows due at the second parameter whose lease (if any) ended before the third. */
const dueSql = (o: MailOutbox) => `${o.status} = 'pending' and ${o.nextAttemptAt} <= ? and (lease_until is null or lease_until < ?)`;

/**
 * Takes a batch of due rows with SKIP LOCKED, so workers side by side never take the same row, leases them
 * and counts the attempt, and returns each with what the claim reads beside it.
 */
function claimSql(o: MailOutbox, claim: MailClaim) {
  return `update ${o.table} ${o.alias} set lease_until = ?, ${o.attempts} = ${o.alias}.${o.attempts} + 1
     from ${claim.from}
     where ${o.alias}.id in (select id from ${o.table} where ${dueSql(o)} order by ${o.nextAttemptAt} limit ? for update skip locked)
       and ${claim.on}
     returning ${o.alias}.id, ${o.alias}.${o.attempts} as attempts, ${claim.returning}`;
}

/** How many emails of the outbox are due now and not leased. */
export async function dueMailCount(conn: Connection, clock: Clock, outbox: MailOutbox): Promise<number> {
  const now = clock.now();
  const [row] = await conn.execute<{ n: string }[]>(`select count(*) as n from ${outbox.table} where ${dueSql(outbox)}`, [now, now]);
  return Number(row?.n ?? 0);
}

/** How long a worker may hold a claimed email before another may take it over (it died, say). */
const LEASE_MS = 2 * 60_000;
const BATCH = 50;

/** Waits after a failed send: 30 s, 1 min, 2 min … capped at an hour. Never given up. */
const sendRetryDelay = (attempt: number) => Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);

/**
 * Sends a batch the caller claimed (SKIP LOCKED, with a lease) and settles each row: the outcome `send` gave
 * (`sent`, or another status such as `cancelled` for one that no longer needs sending), or, for a send that
 * failed, back to pending with a later attempt time and the error's name and SMTP code (never its text: it may
 * quote the address). `failed` above zero means the mail server is struggling: the caller leaves the rest for later.
 */
async function sendClaimedMails<Row extends { id: string; attempts: number }>(
  conn: Connection,
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

/**
 * Sends an outbox's due emails until none is left: each batch claimed (claimSql), then `send` mails one row
 * and says its outcome. A failed send is put back with a later attempt time, and the first batch with a
 * failure ends the run: the mail server is struggling, the rest waits for the next sweep.
 */
export async function drainMailOutbox<Row extends { id: string; attempts: number }>(
  { conn, clock, log }: { conn: Connection; clock: Clock; log: Logger },
  outbox: MailOutbox,
  claim: MailClaim,
  send: (row: Row, now: Date) => Promise<string>,
): Promise<{ sent: number; failed: number }> {
  const sql = claimSql(outbox, claim);
  let sent = 0;
  let failed = 0;
  for (;;) {
    const now = clock.now();
    const claimed = await conn.execute<Row[]>(sql, [new Date(now.getTime() + LEASE_MS), now, now, BATCH]);
    if (!claimed.length) return { sent, failed };
    const batch = await sendClaimedMails(conn, clock, outbox, claimed, (row) => send(row, now));
    sent += batch.sent;
    failed += batch.failed;
    if (batch.failed) {
      log.warn({ job: outbox.job, failed: batch.failed }, `${outbox.kind} emails failed; they will be retried`);
      return { sent, failed };
    }
  }
}
