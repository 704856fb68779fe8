import { setTimeout as sleep } from 'node:timers/promises';
import { parseExposition, type Sample } from '../tests/prometheus-text.ts';
import { cpuBetween, cpuMsOf, machineBusyMs, postgresBackendsCpu } from './proc.ts';

/**
 * What the server, the worker and PostgreSQL were doing, second by second, while the day ran: scraped
 * from the two processes' metrics listeners (as Prometheus would) and read from /proc. When a run
 * stalls, these say where it waited: for the event loop, for the database pool, for a job backlog.
 */
export type ProbeSample = {
  /** Seconds since the probe started. */
  t: number;
  inFlight: number;
  poolWaiting: number;
  /** The event loop's p99 delay over the second, in ms. */
  loopLagMs: number;
  /** Jobs due and not running, all names. */
  jobsDue: number;
  /** CPU used over the second, in cores: 1 is one core busy all second. */
  serverCpu: number;
  workerCpu: number;
  postgresCpu: number;
  /** The whole machine's busy CPU, in cores. */
  machineBusy: number;
};

type Target = { metricsUrl: string; pid: number };

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(900) }).catch(() => null);
  return response?.ok ? parseExposition(await response.text()).samples : [];
}

export function startProbe({ server, worker, database }: { server: Target; worker: Target; database: string }) {
  const samples: ProbeSample[] = [];
  let running = true;
  const loop = (async () => {
    const startedAt = performance.now();
    let last = { at: startedAt, server: cpuMsOf(server.pid) ?? 0, worker: cpuMsOf(worker.pid) ?? 0, postgres: postgresBackendsCpu(database), machine: machineBusyMs() };
    while (running) {
      await sleep(1000 - ((performance.now() - startedAt) % 1000));
      const [fromServer, fromWorker] = await Promise.all([scrape(server.metricsUrl), scrape(worker.metricsUrl)]);
      const now = { at: performance.now(), server: cpuMsOf(server.pid) ?? 0, worker: cpuMsOf(worker.pid) ?? 0, postgres: postgresBackendsCpu(database), machine: machineBusyMs() };
      const ms = now.at - last.at;
      samples.push({
        t: Math.round((now.at - startedAt) / 1000),
        inFlight: value(fromServer, 'pams_http_requests_in_flight'),
        poolWaiting: value(fromServer, 'pams_db_pool_connections', { pool: 'orm', state: 'waiting' }),
        loopLagMs: value(fromServer, 'pams_nodejs_eventloop_lag_p99_seconds') * 1000,
        jobsDue: value(fromWorker, 'pams_job_queue_depth'),
        serverCpu: (now.server - last.server) / ms,
        workerCpu: (now.worker - last.worker) / ms,
        postgresCpu: cpuBetween(last.postgres, now.postgres) / ms,
        machineBusy: (now.machine - last.machine) / ms,
      });
      last = now;
    }
  })();
  return {
    samples,
    /** Samples from `from` to `to` seconds of the probe. */
    between: (from: number, to: number) => samples.filter((s) => s.t > from && s.t <= to),
    async stop() {
      running = false;
      await loop;
    },
  };
}
