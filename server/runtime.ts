import { loadConfig, type Config } from './config.ts';
import { connectionOptions, createPgPool, endPool, openDatabase, type Database } from './database.ts';
import { withDevSecrets } from './dev-secrets.ts';
import { createLogger, type Logger } from './logger.ts';
import type { FileStore } from './modules/files/file-store.ts';
import { fileStoreFor } from './modules/files/file-stores.ts';
import { initOrm, closeOrm, type Orm } from './orm.ts';

/** What every long-running PAMS process starts with: config, logger, database, ORM, a side pool, and the store of uploaded files. */
export type Runtime = { config: Config; log: Logger; db: Database; orm: Orm; pool: ReturnType<typeof createPgPool>; files: FileStore };

/** `createCluster`: whether an embedded cluster may be created when there is none (only `serve`, and `--init`). */
export async function initRuntime({ createCluster = false, env = process.env }: { createCluster?: boolean; env?: Record<string, string | undefined> } = {}): Promise<Runtime> {
  const config = loadConfig(withDevSecrets(env));
  const log = createLogger(config);
  const db = await openDatabase(config, { createCluster });
  try {
    const orm = await initOrm(db.url, { driverOptions: connectionOptions(config.database) });
    const pool = createPgPool(db.url, config.database, (err) => log.warn({ err: { name: err.name, code: (err as { code?: string }).code } }, 'database connection lost'));
    return { config, log, db, orm, pool, files: fileStoreFor(config) };
  } catch (e) {
    await db.close();
    throw e;
  }
}

export async function closeRuntime({ orm, pool, db, files }: Runtime): Promise<void> {
  files.close();
  // Every connection closed before the embedded PostgreSQL stops, so none is cut off under a query.
  await closeOrm(orm);
  await endPool(pool);
  await db.close();
}

/** For one-shot local commands (migrate, bootstrap): open, run, always close. */
export async function withRuntime<T>(fn: (runtime: Runtime) => Promise<T>, { createCluster = false } = {}): Promise<T> {
  const runtime = await initRuntime({ createCluster });
  try {
    return await fn(runtime);
  } finally {
    await closeRuntime(runtime);
  }
}
