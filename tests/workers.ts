import { loadConfig } from '../server/config.ts';
import type { Clock } from '../server/clock.ts';
import { createPgPool } from '../server/database.ts';
import { closeJobs, createAgenda, startJobs } from '../server/jobs.ts';
import { createMailer } from '../server/mailer.ts';
import type { TestServer } from './harness.ts';

export type TestWorker = Awaited<ReturnType<typeof startWorker>>;

/**
 * A real Agenda worker on the test server's database, as `pams worker` runs one: its own pool, the
 * real job definitions. `env` overrides settings (another SMTP_URL, say); the clock is the server's
 * unless given. Stopped by the server's close, or earlier with `stop()`.
 */
export async function startWorker(
  t: TestServer,
  { name = `worker-${Math.random().toString(36).slice(2, 8)}`, env = {}, clock = t.clock }: { name?: string; env?: Record<string, string>; clock?: Clock } = {},
) {
  const config = Object.keys(env).length ? loadConfig({ ...configEnv(t), ...env }) : t.config;
  const pool = createPgPool(t.dbUrl, config.database, () => {});
  const mailer = createMailer(config, () => {});
  const agenda = await createAgenda({ pool, config, log: t.log, name, processEvery: 300 });
  await startJobs({ orm: t.orm, log: t.log, config, mailer, clock, agenda, files: t.files });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await closeJobs(agenda, { started: true, timeoutMs: config.shutdownTimeoutMs });
    mailer.close();
    await pool.end();
  };
  const previous = t.stopWorkers;
  t.stopWorkers = async () => {
    await stop();
    await previous();
  };
  return { agenda, stop };
}

/** The environment the test server was configured from, for a worker that changes one setting. */
function configEnv(t: TestServer): Record<string, string> {
  const c = t.config;
  return {
    NODE_ENV: 'test',
    DATABASE_URL: t.dbUrl,
    PAMS_ENCRYPTION_KEYS: c.encryptionKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(','),
    ...(c.smtpUrl && { SMTP_URL: c.smtpUrl }),
    APP_URL: c.appUrl,
    LOG_LEVEL: c.logLevel,
    ...(c.llm.baseUrl && { LLM_BASE_URL: c.llm.baseUrl }),
    ...(c.llm.apiKey && { LLM_API_KEY: c.llm.apiKey }),
    LLM_MODEL: c.llm.model,
    LLM_TIMEOUT_MS: String(c.llm.timeoutMs),
    LLM_MAX_ATTEMPTS: String(c.llm.maxAttempts),
    LLM_RETRY_DELAY_MS: String(c.llm.retryDelayMs),
  };
}

/** Polls until `check` returns a truthy value (real time: for jobs running on real workers). */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, { timeoutMs = 10_000, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Enqueues a job now, as a due job would be, and waits until a worker has finished it. A job that failed
 * throws with Agenda's reason: a test that runs a job must not pass on a handler that threw. A one-off job
 * with `removeOnComplete` is gone once it succeeded (Agenda removes only succeeded jobs).
 */
export async function runJobNow(t: TestServer, name: string, data: Record<string, unknown> = {}) {
  const job = await t.agenda.now(name, data);
  const id = String(job.attrs._id);
  const finished = await waitFor(
    async () => {
      const { jobs } = await t.agenda.queryJobs({ id });
      const state = jobs[0]?.state ?? 'completed';
      return (state === 'completed' || state === 'failed') && { state, reason: jobs[0]?.failReason };
    },
    { what: `job ${name}` },
  );
  if (finished.state === 'failed') throw new Error(`job ${name} failed: ${finished.reason}`);
}
