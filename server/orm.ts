import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { connectionOptions, endPool, type ConnectionLimits } from './database.ts';
import { coreEntities, manifests } from './modules.ts';

export const migrationsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities: [...coreEntities, ...manifests.flatMap((m) => m.entities)],
    extensions: [Migrator],
    migrations: { path: migrationsPath, pathTs: migrationsPath, emit: 'ts', snapshot: true, snapshotName: 'schema-snapshot', transactional: true, allOrNothing: true },
    // Agenda owns its tables; the audit trigger and its function are written by hand in a migration.
    schemaGenerator: { skipTables: ['agenda_jobs', 'agenda_logs'], ignoreTriggers: true, ignoreRoutines: true },
    // Every tenant-owned entity carries its own practice filter, so joining a relation only to apply the
    // related entity's filter again is wasted work (a fifth of a chart's CPU, bench/results.md).
    autoJoinRefsForFilters: false,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    pool: { min: 0, max: 10 },
    debug: false,
    ...overrides,
  });
}

export type Orm = MikroORM;

const pools = new WeakMap<Orm, pg.Pool>();

export async function initOrm(clientUrl: string, overrides: Partial<Options> = {}): Promise<Orm> {
  let orm: Orm | undefined;
  let pool: pg.Pool | undefined;
  // The ORM's own pg pool, so that closeOrm can wait for its connections to close. MikroORM creates it
  // on the first query, after init has returned (so remembered then), or during init should it connect there.
  const onPoolCreated = (p: pg.Pool) => void (orm ? pools.set(orm, p) : (pool = p));
  const driverOptions = { ...(overrides.driverOptions as object | undefined), onPoolCreated };
  orm = await MikroORM.init(ormConfig(clientUrl, { ...overrides, driverOptions }));
  if (pool) pools.set(orm, pool);
  return orm;
}

/** The ORM's pg pool (its connection counts, for the metrics). */
export const ormPool = (orm: Orm): pg.Pool | undefined => pools.get(orm);

export async function closeOrm(orm: Orm): Promise<void> {
  const pool = pools.get(orm);
  await (pool ? endPool(pool, () => orm.close(true)) : orm.close(true));
}

/**
 * Applies pending migrations on a connection of their own. They run at deploy time and may rewrite whole
 * tables, so no statement or idle-transaction limit applies; the lock wait stays bounded, so a migration
 * queued behind a running server's locks fails (run it again) instead of stalling every request behind it.
 */
export async function migrateDatabase(clientUrl: string, limits: ConnectionLimits) {
  const orm = await initOrm(clientUrl, { pool: { min: 0, max: 1 }, driverOptions: connectionOptions({ ...limits, statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 }) });
  try {
    return await orm.migrator.up();
  } finally {
    await closeOrm(orm);
  }
}
