import { PostgresBackend } from '@agendajs/postgres-backend';
import type pg from 'pg';
import { reconnectDelayMs } from './database.ts';
import type { Logger } from './logger.ts';

/** Any fixed number: the advisory lock under which processes create Agenda's tables one at a time. */
const SCHEMA_LOCK = 7_303_011;

/**
 * Agenda's PostgreSQL backend, connecting so that a process survives its start. Agenda calls `connect()`
 * once, from its constructor, with no `catch`: a rejection there is an unhandled one that ends the
 * process, and Agenda is never ready. So this one never rejects: it retries with a backoff (0.1 s doubling
 * to 5 s) while the database is away. And it creates Agenda's tables (CREATE … IF NOT EXISTS, CREATE OR
 * REPLACE FUNCTION) under an advisory lock: two processes doing it at once on a new database fail with
 * "tuple concurrently updated".
 */
export class StartupSafePostgresBackend extends PostgresBackend {
  readonly #pool: pg.Pool;
  readonly #log: Logger;

  constructor(pool: pg.Pool, log: Logger) {
    super({ pool, disableNotifications: true });
    this.#pool = pool;
    this.#log = log;
  }

  override async connect(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const lock = await this.#pool.connect();
        try {
          await lock.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
          await super.connect();
        } finally {
          // Ending the session releases its lock too, should the unlock itself fail.
          await lock.query('select pg_advisory_unlock($1)', [SCHEMA_LOCK]).then(
            () => lock.release(),
            (e: Error) => lock.release(e),
          );
        }
        return;
      } catch (e) {
        const delay = reconnectDelayMs(attempt);
        this.#log.warn({ err: { name: (e as Error).name, code: (e as { code?: string }).code }, retryInMs: delay }, 'jobs: could not connect the job queue');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
