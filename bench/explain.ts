import pg from 'pg';
import type { AuthedCtx } from '../server/context.ts';
import { getChart } from '../server/modules/patients/chart.service.ts';
import { searchPatients } from '../server/modules/patients/patients.service.ts';
import { closeOrm, initOrm } from '../server/orm.ts';
import { searchPatientsInput } from '../shared/schemas/patients.ts';

/**
 * The SQL `patients.search` really sends, taken from MikroORM's query log while PAMS's own
 * `searchPatients` runs in this process for the given user, then `EXPLAIN (ANALYZE, BUFFERS)` of it,
 * warm (the second of two runs), with nothing else running.
 */
export type SearchPlan = { query: string; sql: string; plan: string[]; executionMs: number; results: number };

export async function explainSearches(url: string, user: { id: string; practiceId: string; role: 'admin' | 'clinician' }, queries: string[]): Promise<SearchPlan[]> {
  const log: string[] = [];
  const orm = await initOrm(url, { debug: ['query', 'query-params'], logger: (line: string) => log.push(line), colors: false });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const plans: SearchPlan[] = [];
    for (const query of queries) {
      log.length = 0;
      const em = orm.em.fork({ clear: true });
      em.setFilterParams('practice', { practiceId: user.practiceId });
      const ctx = { em, actor: { userId: user.id, practiceId: user.practiceId, role: user.role }, meta: { requestId: 'bench-explain', ip: null, userAgent: null } } as unknown as AuthedCtx;
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
  } finally {
    await client.end();
    await closeOrm(orm);
  }
}

/** How the plan finds the patients (the patient table, or a clinician's care-team rows): the one line a reader needs. */
export function patientAccess(plan: string[]): string {
  const strip = (l: string) => l.trim().replace(/^->\s*/, '').replace(/\s+\(cost.*$/, '');
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

export async function explainChart(url: string, user: { id: string; practiceId: string; role: 'admin' | 'clinician' }, patientId: string): Promise<ChartStatements> {
  const log: string[] = [];
  const orm = await initOrm(url, { debug: ['query', 'query-params'], logger: (line: string) => log.push(line), colors: false });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const em = orm.em.fork({ clear: true });
    em.setFilterParams('practice', { practiceId: user.practiceId });
    const ctx = { em, actor: { userId: user.id, practiceId: user.practiceId, role: user.role }, meta: { requestId: 'bench-explain', ip: null, userAgent: null } } as unknown as AuthedCtx;
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
  } finally {
    await client.end();
    await closeOrm(orm);
  }
}
