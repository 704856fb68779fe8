import { hostname } from 'node:os';
import { createAgenda, defineJobs } from './jobs.ts';
import { closeRuntime, initRuntime } from './runtime.ts';

/** `pams worker`: runs due jobs until SIGINT or SIGTERM, then lets running jobs finish. */
export async function runWorker({ print }: { print: (line: string) => void }): Promise<void> {
  const runtime = await initRuntime();
  const { orm, log, pool } = runtime;
  const agenda = createAgenda(pool, `worker-${hostname()}-${process.pid}`);
  agenda.on('error', (err: Error) => log.error({ err: { name: err.name } }, 'agenda error'));
  defineJobs(agenda, { orm, log });
  await agenda.start();
  print('PAMS worker started');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await agenda.drain(10_000);
  await closeRuntime(runtime);
  log.info('worker stopped');
}
