import type { AssessmentsReportInput } from '../../../shared/schemas/reports.ts';
import type { AuthedCtx } from '../../context.ts';
import { assertReportClinician } from './report-clinician.ts';
import { reportPeriod } from './report-period.ts';

type Row = {
  questionnaire_key: string;
  questionnaire_title: string;
  clinician_id: string | null;
  clinician_name: string | null;
  count: number;
  mean_total: string | null;
  severity: Record<string, number>;
};

/**
 * Submitted assessments in the period, by questionnaire and by the clinician who started them, with a
 * row per questionnaire across all clinicians (clinicianId null): count, mean total and the number in
 * each severity band ("none" when unbanded). One aggregate query; no assessment row reaches Node.
 */
export async function assessmentsReport(ctx: AuthedCtx, input: AssessmentsReportInput) {
  const { from, to } = reportPeriod(input, ctx.clock.now());
  await assertReportClinician(ctx.em, input.clinicianId);
  const rows = await ctx.em.getConnection().execute<Row[]>(
    `with bands as (
       select q.key, q.title, a.started_by, grouping(a.started_by) = 1 as all_clinicians, coalesce(a.severity, 'none') as severity,
              count(*)::int as n, sum(a.total) as total_sum, count(a.total)::int as scored
         from assessment a join questionnaire q on q.id = a.questionnaire_id
        where a.practice_id = ? and a.status = 'submitted' and a.submitted_at >= ? and a.submitted_at < ?
          and (?::text is null or q.key = ?) and (?::uuid is null or a.started_by = ?)
        group by grouping sets ((q.key, q.title, a.started_by, coalesce(a.severity, 'none')), (q.key, q.title, coalesce(a.severity, 'none')))
     )
     select b.key as questionnaire_key, b.title as questionnaire_title, b.started_by as clinician_id, u.name as clinician_name,
            sum(b.n)::int as count, round((sum(b.total_sum) / nullif(sum(b.scored), 0))::numeric, 2)::text as mean_total,
            jsonb_object_agg(b.severity, b.n) as severity
       from bands b left join users u on u.id = b.started_by
      group by b.key, b.title, b.all_clinicians, b.started_by, u.name
      order by b.key, b.all_clinicians desc, u.name nulls last, b.started_by`,
    [ctx.actor.practiceId, from, to, input.questionnaireKey ?? null, input.questionnaireKey ?? null, input.clinicianId ?? null, input.clinicianId ?? null],
  );
  return {
    from,
    to,
    rows: rows.map((r) => ({
      questionnaireKey: r.questionnaire_key,
      questionnaireTitle: r.questionnaire_title,
      clinicianId: r.clinician_id,
      clinicianName: r.clinician_name,
      count: r.count,
      meanTotal: r.mean_total === null ? null : Number(r.mean_total),
      severity: r.severity,
    })),
  };
}
