import { serve as serveHttp } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { closeJobs, createAgenda, startJobs } from './jobs.ts';
import { demoLogins, DEMO_PASSWORD, demoTour, seedDemo } from './demo-seed.ts';
import { createMailer } from './mailer.ts';
import { createLoginLimiter } from './modules/auth/login-limiter.ts';
import { createLiveStreams } from './modules/notifications/live-streams.ts';
import { syncBuiltinQuestionnaires } from './modules/questionnaires/seed.service.ts';
import { processMetrics } from './observability/metrics-gauges.ts';
import { openMetricsListener } from './observability/metrics-server.ts';
import { migrateDatabase } from './orm.ts';
import { closeRuntime, initRuntime } from './runtime.ts';
import { closeHttpServer, shutdownSignal } from './shutdown.ts';

export type ServeOptions = { migrate: boolean; demo: boolean; jobs: boolean; print: (line: string) => void };

/**
 * `pams serve` and `npm start`: the HTTP server (and with `jobs`, the worker too), until SIGINT or SIGTERM.
 * Then, in this order: end the notification streams, stop accepting and let requests in flight finish (up to SHUTDOWN_TIMEOUT_MS), let
 * running jobs finish and close Agenda's connections, close the metrics listener, close the pools, and only then stop the embedded
 * PostgreSQL, so nothing still running loses its database.
 */
export async function serve({ migrate, demo, jobs, print }: ServeOptions): Promise<void> {
  const stopping = shutdownSignal();
  const runtime = await initRuntime({ createCluster: true });
  const { config, log, orm, pool, db, files } = runtime;
  if (migrate) await migrateDatabase(db.url, config.database);
  if (!(await orm.migrator.getPending()).length) await syncBuiltinQuestionnaires(orm.em);
  const mailer = createMailer(config, print);
  // Always a producer (notes enqueue their extraction); with `jobs`, also a worker in this process.
  const agenda = await createAgenda({ pool, config, log, name: `server-${hostname()}-${process.pid}` });
  const loginLimiter = createLoginLimiter(pool, config.loginLimits);
  const live = createLiveStreams({ url: db.url, log, limits: config.database, ...config.notifications });
  await live.start();
  const seeded = demo && (await seedDemo({ orm, config, log, mailer, loginLimiter, agenda, clock: systemClock, live }));
  if (jobs) await startJobs({ orm, log, config, mailer, clock: systemClock, agenda, files });
  else await agenda.ready;
  const metrics = processMetrics({ orm, pool, config, log, live });
  const app = createApp({ orm, pool, config, log, mailer, loginLimiter, agenda, clock: systemClock, files, live, metrics });
  const server = serveHttp({ fetch: app.fetch, port: config.port, hostname: config.host }) as Server;
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const closeMetrics = await openMetricsListener(metrics, config.metrics, { print, log, timeoutMs: config.shutdownTimeoutMs });

  const url = `http://${config.host}:${port}`; // one spelling, in the banner and the login hint alike
  print(`PAMS is listening on ${url} (database: ${db.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}${jobs ? '; running jobs in this process' : ''})`);
  if (demo) {
    print(seeded ? 'Demo data created. Log in with any of:' : 'Demo logins (if unchanged):');
    for (const u of demoLogins) print(`  ${u.role.padEnd(9)} ${u.email}  password: ${DEMO_PASSWORD}`);
    print(`  e.g.  npx pams login --url ${url} --email ${demoLogins[0].email}`);
  }
  if (demo) for (const line of demoTour(url)) print(line);

  log.info({ signal: await stopping }, 'shutting down');
  // Open streams would hold the HTTP server open to its deadline: they end first, and their clients reconnect elsewhere.
  await live.close();
  await closeHttpServer(server, config.shutdownTimeoutMs, log);
  await closeJobs(agenda, { started: jobs, timeoutMs: config.shutdownTimeoutMs });
  // Scraped until the work is done; closed before the pools its gauges read.
  await closeMetrics();
  mailer.close();
  await closeRuntime(runtime);
  log.info('stopped');
}
