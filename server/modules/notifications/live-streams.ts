import { tracked, type TrackedEnvelope } from '@trpc/server';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { NotificationOutput, PracticeEventOutput, PracticeStreamInput } from '../../../shared/schemas/notifications.ts';
import type { Actor, AuthedCtx } from '../../context.ts';
import { databaseFault } from '../../database-errors.ts';
import { reconnectDelayMs, type ConnectionLimits } from '../../database.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Logger } from '../../logger.ts';
import { pgArray } from '../../pg-array.ts';
import { auditRead } from '../audit/audit.service.ts';
import { readForStream, readPracticeEvents, STREAM_PAGE, type StreamSelection } from './notifications.service.ts';

/** The channels the migration's triggers NOTIFY: `user:notification` pairs, and `s:session` / `t:token` keys of credentials that ended. */
export const NOTIFICATIONS_CHANNEL = 'pams_notifications';
export const CREDENTIALS_ENDED_CHANNEL = 'pams_credentials_ended';

export type LiveStreamsOptions = { url: string; log: Logger; limits: ConnectionLimits; streamsPerUser: number; retentionMs: number };

type Stream = {
  actor: Actor;
  credential: string | null;
  /** Ids announced for this user and not yet read. */
  pending: Set<string>;
  /** Read everything after the last delivered id: on resume, and after the LISTEN connection was lost. */
  catchUp: boolean;
  ended: 'credential' | 'shutdown' | null;
  wake: () => void;
};

/** How long a stream waits to read again after the database could not answer. */
const READ_RETRY_MS = 1_000;

/** How many delivered ids a stream remembers, so a row both announced and caught up is sent once. */
const REMEMBERED_IDS = 1_000;

export type LiveStreams = ReturnType<typeof createLiveStreams>;

/**
 * This process's open notification streams and its one LISTEN connection. A NOTIFY names recipients
 * and rows; a recipient with a stream here has the rows read (with their access checked again) and
 * pushed, and so has an admin here watching the rows' practice. The connection lives through database
 * restarts: it reconnects with backoff, and since a NOTIFY sent meanwhile is lost, every stream then
 * catches up from its last delivered id and every credential is checked again. Nothing is held beyond the database: any number of processes can serve streams.
 */
export function createLiveStreams({ url, log, limits, streamsPerUser, retentionMs }: LiveStreamsOptions) {
  /** Users' own streams, by the user a NOTIFY names. */
  const byUser = new Map<string, Set<Stream>>();
  /** Admins watching their practice (practiceStream), by practice: found through the announced rows. */
  const byPractice = new Map<string, Set<Stream>>();
  const byCredential = new Map<string, Set<Stream>>();
  /** Both kinds, for the per-user bound. */
  const byOwner = new Map<string, Set<Stream>>();
  let client: pg.Client | null = null;
  let connectedBefore = false;
  let failures = 0;
  let closing = false;
  let retry: NodeJS.Timeout | undefined;

  const add = <K>(map: Map<K, Set<Stream>>, key: K, s: Stream) => map.set(key, (map.get(key) ?? new Set()).add(s));
  const drop = <K>(map: Map<K, Set<Stream>>, key: K, s: Stream) => {
    const set = map.get(key);
    if (set?.delete(s) && !set.size) map.delete(key);
  };
  const end = (s: Stream, why: 'credential' | 'shutdown') => {
    s.ended = why;
    s.wake();
  };

  const announce = (streams: Iterable<Stream>, id: string) => {
    for (const s of streams) {
      s.pending.add(id);
      s.wake();
    }
  };

  function onNotification({ channel, payload = '' }: pg.Notification) {
    const ids: string[] = [];
    for (const entry of payload.split(',')) {
      if (channel === NOTIFICATIONS_CHANNEL) {
        const [user, id] = entry.split(':');
        announce(byUser.get(user!) ?? [], id!);
        ids.push(id!);
      } else if (channel === CREDENTIALS_ENDED_CHANNEL) {
        for (const s of byCredential.get(entry) ?? []) end(s, 'credential');
      }
    }
    if (ids.length && byPractice.size) void toPracticeWatchers(ids);
  }

  /** The payload names users, not practices: one lookup of the rows' practices (on the LISTEN connection) routes them to the admins watching. */
  async function toPracticeWatchers(ids: string[]) {
    try {
      if (!client) throw new Error('not connected');
      const { rows } = await client.query<{ id: string; practice_id: string }>('select id, practice_id from notification where id = any($1::uuid[]) and practice_id = any($2::uuid[])', [
        pgArray(ids),
        pgArray([...byPractice.keys()]),
      ]);
      for (const row of rows) announce(byPractice.get(row.practice_id) ?? [], row.id);
    } catch {
      // Lost with the connection (or no connection): they read what they missed from their last id.
      for (const set of byPractice.values()) for (const s of set) (s.catchUp = true), s.wake();
    }
  }

  /** After a reconnect: NOTIFYs of the gap are lost, so streams read what they may have missed, and credentials that ended meanwhile end their streams. */
  async function recover(c: pg.Client) {
    for (const set of byOwner.values()) for (const s of set) (s.catchUp = true), s.wake();
    const keys = [...byCredential.keys()];
    if (!keys.length) return;
    const { rows } = await c.query<{ key: string }>(
      `select 's:' || id as key from session where 's:' || id = any($1::text[]) and expires_at > now()
       union all select 't:' || id from api_token where 't:' || id = any($1::text[]) and revoked_at is null and (expires_at is null or expires_at > now())`,
      [pgArray(keys)],
    );
    const valid = new Set(rows.map((r) => r.key));
    for (const key of keys) if (!valid.has(key)) for (const s of byCredential.get(key) ?? []) end(s, 'credential');
  }

  function reconnectLater() {
    if (closing) return;
    clearTimeout(retry);
    retry = setTimeout(connect, reconnectDelayMs(failures++));
  }

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: limits.connectTimeoutMs });
    // Without an 'error' listener a lost connection ends the process (stack notes §9); 'end' follows it.
    c.on('error', (err) => log.debug({ err: { name: err.name, code: (err as { code?: string }).code } }, 'notification stream connection error'));
    c.on('notification', onNotification);
    c.on('end', () => {
      if (client !== c) return;
      client = null;
      if (!closing) log.warn('notification streams: database connection lost, reconnecting');
      reconnectLater();
    });
    try {
      await c.connect();
      await c.query(`listen ${NOTIFICATIONS_CHANNEL}; listen ${CREDENTIALS_ENDED_CHANNEL}`);
      if (closing) return void c.end().catch(() => {});
      client = c;
      if (connectedBefore) {
        log.info({ attempts: failures }, 'notification streams: reconnected');
        await recover(c);
      }
      connectedBefore = true;
      failures = 0;
    } catch {
      if (client === c) return; // lost after connecting: 'end' reconnects
      c.end().catch(() => {});
      reconnectLater();
    }
  }

  /**
   * One stream: registered first (so nothing announced from now on is missed), then it catches up after
   * `lastEventId` within the retention window, then it delivers what is announced. Every row is read with
   * the caller's access checked (`read`), and each is sent once. It ends when the client goes (`signal`),
   * when the caller's session or token ends (an error event: the client does not retry), and on shutdown
   * (the connection just closes: the client reconnects, to another process, with its last id).
   */
  async function* run<T extends { id: string }>(
    ctx: AuthedCtx,
    routing: { map: Map<string, Set<Stream>>; key: string },
    lastEventId: string | null | undefined,
    signal: AbortSignal | undefined,
    read: (selection: StreamSelection) => Promise<T[]>,
  ): AsyncGenerator<TrackedEnvelope<T>> {
    if (closing) throw new DOMException('shutting down', 'AbortError');
    const { actor } = ctx;
    if ((byOwner.get(actor.userId)?.size ?? 0) >= streamsPerUser) {
      throw new AppError('TOO_MANY_REQUESTS', `At most ${streamsPerUser} live streams per user: close one first`, 'too-many-streams');
    }
    // Its events name the patients they concern, as the list does: a stream is audited once, when it opens.
    await auditRead(ctx, { action: 'notification.streamed', entityType: 'notification', detail: { resumed: Boolean(lastEventId), ...(routing.map === byPractice && { practice: true }) } });
    const credential = actor.sessionId ? `s:${actor.sessionId}` : actor.tokenId ? `t:${actor.tokenId}` : null;
    const stream: Stream = { actor, credential, pending: new Set(), catchUp: Boolean(lastEventId), ended: null, wake: () => {} };
    add(routing.map, routing.key, stream);
    add(byOwner, actor.userId, stream);
    if (credential) add(byCredential, credential, stream);
    // A new stream starts now: a later catch-up reads only what came after it.
    let cursor = lastEventId ?? newId();
    const delivered = new Set<string>();
    try {
      while (!signal?.aborted) {
        if (stream.ended === 'credential') throw new AppError('UNAUTHORIZED', 'Your session has ended', 'session-ended');
        if (stream.ended === 'shutdown') throw new DOMException('shutting down', 'AbortError');
        let batch: T[];
        let ids: string[] = [];
        try {
          if (stream.catchUp) {
            // Rows are stamped with the wall clock when published, so the window is read on it too.
            batch = await read({ after: cursor, since: new Date(Date.now() - retentionMs) });
            stream.catchUp = batch.length === STREAM_PAGE;
          } else if (stream.pending.size) {
            ids = [...stream.pending].slice(0, STREAM_PAGE);
            for (const id of ids) stream.pending.delete(id);
            batch = await read({ ids });
          } else {
            await new Promise<void>((resolve) => {
              const done = () => (signal?.removeEventListener('abort', done), resolve());
              stream.wake = done;
              signal?.addEventListener('abort', done);
            });
            continue;
          }
        } catch (e) {
          // The database could not answer now (overloaded, restarting): the stream stays open and, a moment
          // later, reads what it was reading again and everything after its cursor, so nothing is lost.
          if (!databaseFault(e)) throw e;
          for (const id of ids) stream.pending.add(id);
          stream.catchUp = true;
          await sleep(READ_RETRY_MS, undefined, { signal }).catch(() => {});
          continue;
        }
        for (const n of batch) {
          if (n.id > cursor) cursor = n.id;
          if (delivered.has(n.id)) continue;
          delivered.add(n.id);
          if (delivered.size > REMEMBERED_IDS) delivered.delete(delivered.values().next().value!);
          yield tracked(n.id, n);
        }
      }
    } finally {
      drop(routing.map, routing.key, stream);
      drop(byOwner, actor.userId, stream);
      if (credential) drop(byCredential, credential, stream);
    }
  }

  /** The caller's own stream (notifications.stream). */
  const open = (ctx: AuthedCtx, lastEventId: string | null | undefined, signal: AbortSignal | undefined): AsyncGenerator<TrackedEnvelope<NotificationOutput>> =>
    run(ctx, { map: byUser, key: ctx.actor.userId }, lastEventId, signal, (selection) => readForStream(ctx.em, ctx.actor, selection));

  /** An admin watching the practice (notifications.practiceStream): every event of the practice once, of `kinds` if given. */
  const openPractice = (ctx: AuthedCtx, { lastEventId, kinds }: PracticeStreamInput, signal: AbortSignal | undefined): AsyncGenerator<TrackedEnvelope<PracticeEventOutput>> =>
    run(ctx, { map: byPractice, key: ctx.actor.practiceId }, lastEventId, signal, (selection) => readPracticeEvents(ctx.em, ctx.actor, selection, kinds));

  return {
    open,
    openPractice,
    /** Opens the LISTEN connection; while the database is away it keeps trying, and streams catch up once it is back. */
    start: connect,
    /** Shutdown: every stream ends (its client reconnects elsewhere), then the LISTEN connection closes. */
    async close(timeoutMs = 2_000): Promise<void> {
      closing = true;
      clearTimeout(retry);
      for (const set of byOwner.values()) for (const s of set) end(s, 'shutdown');
      const deadline = Date.now() + timeoutMs;
      while (byOwner.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
    /** Open streams in this process, of both kinds (of one user, or all), for tests and metrics. */
    count: (userId?: string) => (userId ? (byOwner.get(userId)?.size ?? 0) : [...byOwner.values()].reduce((n, set) => n + set.size, 0)),
  };
}
