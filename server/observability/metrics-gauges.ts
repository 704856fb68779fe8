import type pg from 'pg';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { LiveStreams } from '../modules/notifications/live-streams.ts';
import { ormPool, type Orm } from '../orm.ts';
import { instruments } from './metrics.ts';

export type MetricSources = {
  orm: Orm;
  /** The side pool (credential lookups, Agenda, the login limiter). */
  pool: pg.Pool;
  config: Pick<Config, 'mongodbUrl'>;
  log: Logger;
  /** The notification streams, in a process that serves them (not the worker). */
  live?: LiveStreams;
};

type QueueRow = { name: string; due: number; oldest: number };

/**
 * Agenda's due jobs per name: due now (next run time passed), not locked by a worker, not disabled. One
 * grouped query on Agenda's table (its `next_run_at` index); the side pool's statement timeout bounds it.
 */
const QUEUE_SQL = `select name, count(*)::int as due, extract(epoch from now() - min(next_run_at))::float8 as oldest
  from agenda_jobs where next_run_at <= now() and locked_at is null and disabled is not true group by name`;

/**
 * What `/metrics` shows for this process: the instruments (metrics.ts), prom-client's default process
 * metrics, and gauges read from this process's parts at scrape time. A registry of its own per call, so
 * each process (and each test server) reads its own pools and streams.
 */
export function processMetrics({ orm, pool, config, log, live }: MetricSources): Registry {
  const own = new Registry();
  collectDefaultMetrics({ register: own, prefix: 'pams_' });

  new Gauge({
    name: 'pams_db_pool_connections',
    help: "Connections of the ORM's pool and of the side pool, by state (in_use, idle, waiting: callers queued for one)",
    labelNames: ['pool', 'state'] as const,
    registers: [own],
    collect() {
      for (const [name, p] of [['orm', ormPool(orm)] as const, ['side', pool] as const]) {
        if (!p) continue;
        this.set({ pool: name, state: 'in_use' }, p.totalCount - p.idleCount);
        this.set({ pool: name, state: 'idle' }, p.idleCount);
        this.set({ pool: name, state: 'waiting' }, p.waitingCount);
      }
    },
  });

  // On MongoDB there is no such query: Agenda's own API (getJobsOverview, queryJobs by state) reads every
  // job into memory and counts a due repeating job as "repeating", not queued. Both gauges are left out there.
  if (!config.mongodbUrl) {
    // One query per scrape for both gauges: prom-client collects them at once, and the second shares the first's.
    let reading: Promise<QueueRow[] | null> | null = null;
    const readQueue = () =>
      (reading ??= pool
        .query<QueueRow>(QUEUE_SQL)
        .then(
          ({ rows }) => rows,
          (err: Error & { code?: string }) => {
            log.warn({ err: { name: err.name, code: err.code } }, 'metrics: could not read the job queue');
            return null; // the scrape answers without these series
          },
        )
        .finally(() => (reading = null)));
    new Gauge({
      name: 'pams_job_queue_depth',
      help: 'Jobs due now and not running, by job name',
      labelNames: ['job_name'] as const,
      registers: [own],
      async collect() {
        const rows = await readQueue();
        this.reset();
        for (const row of rows ?? []) this.set({ job_name: row.name }, row.due);
      },
    });
    new Gauge({
      name: 'pams_job_oldest_due_age_seconds',
      help: 'Seconds since the next run time of the oldest due job not running, by job name',
      labelNames: ['job_name'] as const,
      registers: [own],
      async collect() {
        const rows = await readQueue();
        this.reset();
        for (const row of rows ?? []) this.set({ job_name: row.name }, row.oldest);
      },
    });
  }

  if (live) {
    new Gauge({
      name: 'pams_live_streams_open',
      help: 'Notification streams (SSE) open on this process',
      registers: [own],
      collect() {
        this.set(live.count());
      },
    });
  }

  return Registry.merge([instruments, own]);
}
