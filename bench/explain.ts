import pg from 'pg';
import { localActor } from '../server/auth/session.ts';
import { systemClock } from '../server/clock.ts';
import { loadConfig } from '../server/config.ts';
import { createContextInner, type AuthedCtx } from '../server/context.ts';
import { createPgPool, endPool } from '../server/database.ts';
import { createAgenda } from '../server/jobs.ts';
import { createLogger } from '../server/logger.ts';
import { createMailer } from '../server/mailer.ts';
import { createLoginLimiter } from '../server/modules/auth/login-limiter.ts';
import { createLiveStreams } from '../server/modules/notifications/live-streams.ts';
import { getChart } from '../server/modules/patients/chart.service.ts';
import { searchPatients } from '../server/modules/patients/patients.service.ts';
import { closeOrm, initOrm } from '../server/orm.ts';
import { searchPatientsInput } from '../shared/schemas/patients.ts';

/**
 * PAMS's services run in this process as the bench's user would run them through the API (a Ctx built
 * with no request, acting as that user), on an ORM whose query log `sql` collects, beside a plain client
 * for the EXPLAINs. `env` is the server's own, so the settings are the server's.
 */
async function asUser<T>(env: Record<string, string>, userId: string, run: (ctx: AuthedCtx, sql: string[], client: pg.Client) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const url = config.databaseUrl;
  if (!url) throw new Error("the server's environment has no DATABASE_URL");
  const sql: string[] = [];
  const orm = await initOrm(url, { debug: ['query', 'query-params'], logger: (line: string) => sql.push(line), colors: false });
  const pool = createPgPool(url, config.database, () => {});
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const log = createLogger(config);
    const agenda = await createAgenda({ pool, config, log, name: 'bench-explain' }); // a producer only, never started
    await agenda.ready;
    const deps = {
      orm,
      config,
      log,
      mailer: createMailer(config, () => {}),
      loginLimiter: createLoginLimiter(pool, config.loginLimits),
      agenda,
      clock: systemClock,
      // Never started: these runs open no stream.
      live: createLiveStreams({ url, log, limits: config.database, ...config.notifications }),
    };
    const actor = await localActor(orm.em.fork(), userId);
    const ctx = createContextInner(deps, { actor, meta: { requestId: 'bench-explain', ip: null, userAgent: null } }) as AuthedCtx;
    return await run(ctx, sql, client);
  } finally {
    await client.end();
    await endPool(pool);
    await closeOrm(orm);
  }
}

/**
 * The SQL `patients.search` really sends, taken from MikroORM's query log while PAMS's own
 * `searchPatients` runs in this process for the given user, then `EXPLAIN (ANALYZE, BUFFERS)` of it,
 * warm (the second of two runs), with nothing else running.
 */
export type SearchPlan = { query: string; sql: string; plan: string[]; executionMs: number; results: number };

export async function explainSearches(env: Record<string, string>, userId: string, queries: string[]): Promise<SearchPlan[]> {
  return asUser(env, userId, async (base, log, client) => {
    const plans: SearchPlan[] = [];
    for (const query of queries) {
      log.length = 0;
      const ctx = { ...base, em: base.em.fork() }; // a fresh unit of work per search, as each API call gets
      const page = await searchPatients(ctx, searchPatientsInput.parse({ query }));
      // The statements of the search itself (a clinician's one; an admin's sorted matches, then a walk of the name index when there are many).
      const statements = log.filter((l) => /^\[query\] (with m as materialized|select p\.id)/.test(l)).map((l) => l.replace(/^\[query\] /, '').replace(/ \[took [^\]]*\]$/s, ''));
      if (!statements.length) throw new Error(`no patient query in MikroORM's log for "${query}"`);
      const plan: string[] = [];
      let executionMs = 0;
      for (const sql of statements) {
        let one: string[] = [];
        for (let run = 0; run < 2; run++) {
          one = (await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`)).rows.map((r) => r['QUERY PLAN']);
        }
        plan.push(...one);
        executionMs += Number(one.find((l) => l.startsWith('Execution Time'))?.match(/[\d.]+/)?.[0] ?? NaN);
      }
      const sql = statements.join(';\n');
      plans.push({ query, sql, plan, executionMs, results: page.items.length });
    }
    return plans;
  });
}

/** How the plan finds the patients (the patient table, or a clinician's care-team rows): the one line a reader needs. */
export function patientAccess(plan: string[]): string {
  const strip = (l: string) =>
    l
      .trim()
      .replace(/^->\s*/, '')
      .replace(/\s+\(cost.*$/, '');
  const reads = plan.filter((l) => /(Seq Scan|Index Scan using \S+|Bitmap Heap Scan|Index Only Scan using \S+) on (patient|care_team_member)\b/.test(l) && !/patient_pkey/.test(l));
  const bitmaps = plan.filter((l) => /Bitmap Index Scan on (patient|care_team_member)_/.test(l));
  return [...reads, ...bitmaps].map(strip).join('; ');
}

/**
 * What one `patients.chart` call sends, from MikroORM's query log while PAMS's `getChart` runs in this
 * process (the credential lookup before it, one more statement, is not included), and the summed
 * `EXPLAIN ANALYZE` execution time of its SELECTs, warm.
 */
export type ChartStatements = { statements: string[]; selectMs: number };

export async function explainChart(env: Record<string, string>, userId: string, patientId: string): Promise<ChartStatements> {
  return asUser(env, userId, async (ctx, log, client) => {
    await getChart(ctx, { id: patientId }); // the first call also connects and warms up
    log.length = 0;
    await getChart(ctx, { id: patientId });
    const statements = log.filter((l) => l.startsWith('[query] ')).map((l) => l.replace(/^\[query\] /, '').replace(/ \[took [^\]]*\]$/, ''));
    let selectMs = 0;
    for (const sql of statements.filter((s) => s.startsWith('select '))) {
      await client.query(`explain analyze ${sql}`);
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`explain analyze ${sql}`)).rows.map((r) => r['QUERY PLAN']);
      selectMs += Number(plan.find((l) => l.startsWith('Execution Time'))?.match(/[\d.]+/)?.[0] ?? 0);
    }
    return { statements, selectMs };
  });
}
