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
      const line = log.find((l) => /^\[query\] select .* from "patient" as "p0"/.test(l));
      if (!line) throw new Error(`no patient query in MikroORM's log for "${query}"`);
      const sql = line.replace(/^\[query\] /, '').replace(/ \[took [^\]]*\]$/, '');
      let plan: string[] = [];
      for (let run = 0; run < 2; run++) {
        plan = (await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`)).rows.map((r) => r['QUERY PLAN']);
      }
      const executionMs = Number(plan.find((l) => l.startsWith('Execution Time'))?.match(/[\d.]+/)?.[0] ?? NaN);
      plans.push({ query, sql, plan, executionMs, results: page.items.length });
    }
    return plans;
  } finally {
    await client.end();
    await closeOrm(orm);
  }
}

/** How the plan reads the patient table: the one line a reader needs. */
export function patientAccess(plan: string[]): string {
  const line = plan.find((l) => /(Seq Scan|Index Scan using \S+|Bitmap Heap Scan|Index Only Scan using \S+) on patient p0\b/.test(l)) ?? '';
  const bitmap = plan.find((l) => /Bitmap Index Scan on patient_/.test(l));
  const access = line.trim().replace(/^->\s*/, '').replace(/\s+\(cost.*$/, '');
  return bitmap ? `${access} (${bitmap.trim().replace(/^->\s*/, '').replace(/\s+\(cost.*$/, '')})` : access;
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
