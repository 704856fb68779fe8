import { hostname } from 'node:os';
import { systemClock } from './clock.ts';
import { closeJobs, createAgenda, startJobs } from './jobs.ts';
import { createMailer } from './mailer.ts';
import { closeRuntime, initRuntime } from './runtime.ts';

/** `pams worker`: runs due jobs until SIGINT or SIGTERM, then lets running jobs finish. */
export async function runWorker({ print }: { print: (line: string) => void }): Promise<void> {
  const runtime = await initRuntime();
  const { orm, log, pool, config } = runtime;
  const agenda = await createAgenda({ pool, config, name: `worker-${hostname()}-${process.pid}` });
  const mailer = createMailer(config, print);
  await startJobs({ orm, log, config, mailer, clock: systemClock, agenda });
  print(`PAMS worker started (jobs on ${config.mongodbUrl ? 'MongoDB' : 'PostgreSQL'})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await closeJobs(agenda, { started: true });
  mailer.close();
  await closeRuntime(runtime);
  log.info('worker stopped');
}
