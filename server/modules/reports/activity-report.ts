import type { ActivityMetric, ActivityReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { reportPeriod } from './report-period.ts';

/**
 * The activity report's columns: each is one aggregate query over `period p` (practice_id, from_at,
 * to_at) giving `clinician_id, n`. A new column is one more line here, and one in activityReportOutput.
 */
const metrics = {
  notes: `select n.author_id as clinician_id, count(*) as n from note n, period p where n.practice_id = p.practice_id and n.created_at >= p.from_at and n.created_at < p.to_at group by 1`,
  assessments: `select a.started_by as clinician_id, count(*) as n from assessment a, period p where a.practice_id = p.practice_id and a.status = 'submitted' and a.submitted_at >= p.from_at and a.submitted_at < p.to_at group by 1`,
  patientsSeen: `select a.clinician_id, count(distinct a.patient_id) as n from appointment a, period p where a.practice_id = p.practice_id and a.status in ('arrived', 'completed') and a.starts_at >= p.from_at and a.starts_at < p.to_at group by 1`,
  appointmentsCompleted: `select a.clinician_id, count(*) as n from appointment a, period p where a.practice_id = p.practice_id and a.status = 'completed' and a.starts_at >= p.from_at and a.starts_at < p.to_at group by 1`,
} satisfies Record<ActivityMetric, string>;
const metricNames = Object.keys(metrics) as ActivityMetric[];

/** Per clinician (and admin) of the practice, what they did in the period. One query. */
export async function activityReport(ctx: AuthedCtx, input: ActivityReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  const rows = await ctx.em.getConnection().execute<({ clinician_id: string; clinician_name: string | null } & Record<ActivityMetric, number>)[]>(
    `with period as (select ?::uuid as practice_id, ?::timestamptz as from_at, ?::timestamptz as to_at)
     select u.id as clinician_id, u.name as clinician_name, ${metricNames.map((m) => `coalesce("${m}".n, 0)::int as "${m}"`).join(', ')}
       from users u
       ${metricNames.map((m) => `left join (${metrics[m]}) "${m}" on "${m}".clinician_id = u.id`).join('\n       ')}
      where u.practice_id = (select practice_id from period) and u.role in ('clinician', 'admin')
      order by u.name, u.id`,
    [ctx.actor.practiceId, from, to],
  );
  return { from, to, rows: rows.map(({ clinician_id, clinician_name, ...counts }) => ({ clinicianId: clinician_id, clinicianName: clinician_name, ...counts })) };
}
