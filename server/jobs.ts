import { Agenda, type Job } from 'agenda';
import type pg from 'pg';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { databaseFault } from './database-errors.ts';
import { StartupSafePostgresBackend } from './jobs-backend.ts';
import { ListenChannel } from './jobs-channel.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mailer.ts';
import type { FileStore } from './modules/files/file-store.ts';
import { manifests } from './modules.ts';
import type { Orm } from './orm.ts';

/**
 * What a job handler gets: the process's shared parts, the clock, and the queue to enqueue follow-ups.
 * A job acts as the system, never as a user: it has no actor and no role, so it calls functions that take
 * these parts rather than a Ctx, and one that works on a practice's rows takes `practiceEm(orm.em, practiceId)`.
 */
export type JobDeps = { orm: Orm; log: Logger; config: Config; mailer: Mailer; clock: Clock; agenda: Agenda; files: FileStore };

/**
 * Agenda on the same PostgreSQL with our own pool, or on MongoDB when MONGODB_URL is set. Either way
 * our own tables (a note's extraction state, a reminder's delivery row) say what work is left; the
 * queue only says when to look.
 */
export async function createAgenda({
  pool,
  config,
  log,
  name,
  processEvery = '2 seconds',
}: {
  pool: pg.Pool;
  config: Pick<Config, 'mongodbUrl'>;
  log: Logger;
  name: string;
  processEvery?: string | number;
}): Promise<Agenda> {
  if (config.mongodbUrl) {
    // The MongoDB driver is loaded only when used: it costs every other process some 30 MB.
    const backend = new (await import('@agendajs/mongo-backend')).MongoBackend({ address: config.mongodbUrl });
    return new Agenda({ name, backend, processEvery, maxConcurrency: 10 });
  }
  // Our own LISTEN channel instead of the backend's, which ends the process when the database restarts.
  return new Agenda({ name, backend: new StartupSafePostgresBackend(pool, log), notificationChannel: new ListenChannel(pool, log), processEvery, maxConcurrency: 10 });
}

/** Defines the jobs, starts processing, and makes sure the recurring sweeps exist (one row each, shared by all workers). */
export async function startJobs(deps: JobDeps): Promise<void> {
  const { agenda, log } = deps;
  // While the database is away every poll fails: that is expected, and polling goes on until it is back.
  agenda.on('error', (err: Error) =>
    databaseFault(err) ? log.warn({ err: { name: err.name, code: (err as { code?: string }).code } }, 'jobs: database unavailable') : log.error({ err: { name: err.name } }, 'agenda error'),
  );
  // Agenda also re-emits other processes' failures (from the state channel, with a third argument
  // `remote`, a string error and no Job): those are logged where they ran, and would crash this handler.
  agenda.on('fail', (err: Error, job: Job, remote?: boolean) => {
    if (remote) return;
    log.warn({ job: job.attrs.name, jobId: String(job.attrs._id), err: { name: err.name } }, 'job failed');
  });
  for (const module of manifests) module.defineJobs?.(agenda, deps);
  await agenda.start();
  for (const module of manifests) await module.scheduleJobs?.(agenda, deps);
}

/**
 * A worker stops taking jobs, lets its running ones finish (up to `timeoutMs`: one still running then is
 * picked up again once its lock expires), and closes its LISTEN connection; a producer holds nothing of its own.
 */
export async function closeJobs(agenda: Agenda, { started, timeoutMs }: { started: boolean; timeoutMs: number }): Promise<void> {
  if (started) await agenda.drain(timeoutMs);
}
