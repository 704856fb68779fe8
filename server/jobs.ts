import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda } from 'agenda';
import type pg from 'pg';
import type { Logger } from './logger.ts';
import type { Orm } from './orm.ts';

export type JobDeps = { orm: Orm; log: Logger };

/**
 * Agenda on the same PostgreSQL, with our own pool. Job definitions come from each module's
 * `define<Domain>Jobs(agenda, deps)`, listed here by hand; none exist yet.
 */
export function createAgenda(pool: pg.Pool, name: string): Agenda {
  return new Agenda({ name, backend: new PostgresBackend({ pool }), processEvery: '2 seconds', maxConcurrency: 10 });
}

export function defineJobs(_agenda: Agenda, _deps: JobDeps): void {}
