import { hostname } from 'node:os';
import { systemClock } from './clock.ts';
import { closeJobs, createAgenda, startJobs } from './jobs.ts';
import { createMailer } from './mailer.ts';
import { closeRuntime, initRuntime } from './runtime.ts';
import { shutdownSignal } from './shutdown.ts';

/** `pams worker`: runs due jobs until SIGINT or SIGTERM, then lets running jobs finish (up to SHUTDOWN_TIMEOUT_MS) before closing its connections. */
export async function runWorker({ print }: { print: (line: string) => void }): Promise<void> {
  const stopping = shutdownSignal();
  const runtime = await initRuntime();
  const { orm, log, pool, config, files } = runtime;
  const agenda = await createAgenda({ pool, config, log, name: `worker-${hostname()}-${process.pid}` });
  const mailer = createMailer(config, print);
  await startJobs({ orm, log, config, mailer, clock: systemClock, agenda, files });
  print(`PAMS worker started (jobs on ${config.mongodbUrl ? 'MongoDB' : 'PostgreSQL'})`);
  log.info({ signal: await stopping }, 'shutting down');
  await closeJobs(agenda, { started: true, timeoutMs: config.shutdownTimeoutMs });
  mailer.close();
  await closeRuntime(runtime);
  log.info('worker stopped');
}
