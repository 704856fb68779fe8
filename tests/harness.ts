import { serve } from '@hono/node-server';
import { DefaultLogger } from '@mikro-orm/core';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createPamsClient } from '../shared/client.ts';
import { createApp } from '../server/app.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { connectionOptions, createPgPool } from '../server/database.ts';
import { createLogger } from '../server/logger.ts';
import { createMailer } from '../server/mailer.ts';
import { createLoginLimiter } from '../server/modules/auth/login-limiter.ts';
import { fileStoreFor } from '../server/modules/files/file-stores.ts';
import { closeOrm, initOrm, type Orm } from '../server/orm.ts';
import { startSmtpCapture } from './smtp-capture.ts';
import { systemClock, type Clock } from '../server/clock.ts';
import { createAgenda } from '../server/jobs.ts';
import { createLiveStreams } from '../server/modules/notifications/live-streams.ts';
import { processMetrics } from '../server/observability/metrics-gauges.ts';

export const TEST_ENCRYPTION_KEY = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

/** A fresh database cloned from the migrated template (~50 ms), private to one test file. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `pams_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}" template "${inject('pgTemplate')}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

/** The ORM on a fresh test database, for a file's tests that read its metadata or run SQL without a server: opened before them, closed and dropped after. */
export function useTestOrm(): () => Orm {
  let orm: Orm;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    orm = await initOrm(db.url);
  });
  afterAll(async () => {
    await closeOrm(orm);
    await drop();
  });
  return () => orm;
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

export type TestServerOptions = {
  /** Called with every SQL statement the app's ORM sends, to count the queries a call makes. */
  onQuery?: (sql: string) => void;
  /** The clock the app and the test's workers read (tests/workers.ts): a manual one lets a test move time. */
  clock?: Clock;
};

/**
 * The real app on a real port, on its own database, with mail going to a local SMTP capture.
 * It also watches what a careless change could leak: every response body is checked for stack
 * traces, and every log line for the secrets the tests used (passwords, tokens).
 */
export async function startTestServer(env: Record<string, string> = {}, { onQuery, clock = systemClock }: TestServerOptions = {}) {
  const db = await createTestDatabase();
  const smtp = await startSmtpCapture();
  const dataDir = await mkdtemp(join(tmpdir(), 'pams-test-'));
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    SMTP_URL: smtp.url,
    LOG_LEVEL: 'info',
    APP_URL: 'http://pams.test',
    // Files such as hostile-input send thousands of requests a minute from 127.0.0.1, past the general
    // limit's defaults; tests/modules/limits.test.ts sets small limits of its own to test it.
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_PER_CALLER: '1000000',
    // Uploaded files go to a folder of this server's own, removed with it.
    PAMS_DATA_DIR: dataDir,
    ...env,
  });
  const logLines: string[] = [];
  const log = createLogger(config, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }));
  const orm: Orm = await initOrm(db.url, {
    pool: { min: 0, max: 5 },
    driverOptions: connectionOptions(config.database),
    // The ORM reports every statement to its logger, whether debug output is on or not: count them there.
    ...(onQuery && {
      loggerFactory: (options) => {
        const logger = DefaultLogger.create(options);
        const logQuery = logger.logQuery.bind(logger);
        logger.logQuery = (context) => {
          if (context.query) onQuery(context.query);
          logQuery(context);
        };
        return logger;
      },
    }),
  });
  const pool = createPgPool(db.url, config.database, () => {});
  const mailer = createMailer(config, () => {});
  // A producer only: jobs run where a test starts workers (tests/workers.ts).
  const agenda = await createAgenda({ pool, config, log, name: 'test-server' });
  await agenda.ready;
  const files = fileStoreFor(config);
  const live = createLiveStreams({ url: db.url, log, limits: config.database, ...config.notifications });
  await live.start();
  const metrics = processMetrics({ orm, pool, config, log, live });
  const app = createApp({ orm, pool, config, log, mailer, loginLimiter: createLoginLimiter(pool, config.loginLimits), agenda, clock, files, live, metrics });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const secrets = new Set<string>();
  const leaks: string[] = [];
  const checkedFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = await response.clone().text();
    if (/"stack"|\bat [\w.<>]+ \(|node_modules|\.ts:\d+/.test(body)) leaks.push(`stack trace in response to ${String(input)}: ${body.slice(0, 300)}`);
    return response;
  };

  return {
    url,
    config,
    orm,
    dbUrl: db.url,
    log,
    clock,
    agenda,
    /** Where uploaded files' (sealed) bytes are. */
    files,
    /** This server's notification streams (their LISTEN connection and registry). */
    live,
    /** What this server's GET /metrics shows (tests/observability/metrics.test.ts serves it on a listener too). */
    metrics,
    /** Set by tests/workers.ts: stops the workers a test started, before the database goes. */
    stopWorkers: async () => {},
    smtp,
    logLines,
    /** Real HTTP through the typed client; pass a session or API token to act as someone. */
    client: (token?: string | null) => createPamsClient({ url, token, fetch: checkedFetch, EventSource }),
    /** Plain fetch with the same body check, for raw HTTP cases. */
    fetch: checkedFetch,
    /** Remember a secret that must never show up in a log line. */
    secret: <T extends string>(value: T): T => (secrets.add(value), value),
    /** A new EntityManager for asserting on rows directly. */
    em: () => orm.em.fork(),
    async close() {
      await this.stopWorkers();
      await live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await orm.close(true);
      await pool.end();
      files.close();
      await smtp.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
      const logged = logLines.join('');
      for (const s of secrets) if (logged.includes(s)) leaks.push(`a secret appeared in the log: ${s.slice(0, 4)}…`);
      if (leaks.length) throw new Error(`Leaks found:\n${leaks.join('\n')}`);
    },
  };
}
