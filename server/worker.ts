import { hostname } from 'node:os';
import { systemClock } from './clock.ts';
import { closeJobs, createAgenda, startJobs } from './jobs.ts';
import { createMailer } from './mailer.ts';
import { closeRuntime, initRuntime } from './runtime.ts';
import { processMetrics } from './observability/metrics-gauges.ts';
import { openMetricsListener } from './observability/metrics-server.ts';
import { shutdownSignal } from './shutdown.ts';

/**
 * `pams worker`: runs due jobs until SIGINT or SIGTERM, then lets running jobs finish (up to SHUTDOWN_TIMEOUT_MS) before closing its connections.
 * With METRICS_PORT, its metrics listener (GET /metrics, GET /healthz) answers from when jobs have started until they are drained.
 */
export async function runWorker({ print }: { print: (line: string) => void }): Promise<void> {
  const stopping = shutdownSignal();
  const runtime = await initRuntime();
  const { orm, log, pool, config, files } = runtime;
  const agenda = await createAgenda({ pool, config, log, name: `worker-${hostname()}-${process.pid}` });
  const mailer = createMailer(config, print);
  await startJobs({ orm, log, config, mailer, clock: systemClock, agenda, files });
  print(`PAMS worker started (jobs on ${config.mongodbUrl ? 'MongoDB' : 'PostgreSQL'})`);
  const closeMetrics = await openMetricsListener(processMetrics({ orm, pool, config, log }), config.metrics, { print, log, timeoutMs: config.shutdownTimeoutMs });
  log.info({ signal: await stopping }, 'shutting down');
  await closeJobs(agenda, { started: true, timeoutMs: config.shutdownTimeoutMs });
  await closeMetrics();
  mailer.close();
  await closeRuntime(runtime);
  log.info('worker stopped');
}
