import type { CarePlan, CarePlanActivityDetail } from '@medplum/fhirtypes';
import type { Cadence, StepKind, StepState } from '../../../../shared/schemas/steps.ts';
import { practitionerSql } from '../../clinicians/practitioner-sql.ts';
import { compact, type Exported, type FhirSource, instant, patientRef, practitionerRef } from '../fhir-source.ts';

type StepRow = {
  kind: StepKind;
  state: StepState;
  title: string;
  cadence: Cadence | null;
  start_date: string | null;
  end_date: string | null;
  count: number | null;
  time_of_day: string | null;
  done_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
};
type Row = { id: string; patient_id: string; author_id: string; author_is_practitioner: boolean; author_name: string | null; created_at: string; updated_at: string; steps: StepRow[] };

/** A note's steps, oldest first, as one JSON array; found through the patient's index (a note's steps share its patient). */
const stepsOfNote = `(select json_agg(json_build_object('kind', s.kind, 'state', s.state, 'title', s.title, 'cadence', s.cadence, 'start_date', s.start_date,
    'end_date', s.end_date, 'count', s.count, 'time_of_day', s.time_of_day, 'done_at', s.done_at, 'cancelled_at', s.cancelled_at, 'cancel_reason', s.cancel_reason)
    order by s.created_at, s.id) from step s where s.patient_id = t.patient_id and s.note_id = t.id)`;

/** The plan changes when its note or any of its steps does. */
const changedAt = 'greatest(t.updated_at, (select max(s.updated_at) from step s where s.patient_id = t.patient_id and s.note_id = t.id))';

/** The plan as a whole: in force while a step is; a draft while steps wait for review; done when a step was done; else withdrawn. */
function planStatus(steps: StepRow[]): CarePlan['status'] {
  const has = (state: StepState) => steps.some((s) => s.state === state);
  if (has('active')) return 'active';
  if (has('proposed')) return 'draft';
  return has('done') ? 'completed' : 'revoked';
}

/** A step's state as the activity's progress; an active checklist item, having no schedule, is not started until ticked. */
const activityStatuses: Record<StepState, CarePlanActivityDetail['status']> = { proposed: 'not-started', active: 'scheduled', done: 'completed', cancelled: 'cancelled', rejected: 'cancelled' };

const periodUnits: Record<Cadence, 'd' | 'wk'> = { daily: 'd', weekly: 'wk' };

function activityDetail(s: StepRow): CarePlanActivityDetail {
  const reason = s.state === 'rejected' ? 'Proposal rejected by a clinician' : s.state === 'cancelled' ? s.cancel_reason : null;
  return compact({
    kind: 'Task' as const,
    status: s.state === 'active' && s.kind === 'checklist' ? 'not-started' : activityStatuses[s.state],
    statusReason: reason ? { text: reason } : undefined,
    description: s.title,
    // Reminders come once a day at the time of day, in the patient's time zone.
    scheduledTiming:
      s.kind === 'plan' && s.cadence && s.start_date
        ? {
            repeat: compact({
              boundsPeriod: compact({ start: s.start_date, end: s.end_date ?? undefined }),
              count: s.count ?? undefined,
              frequency: 1,
              period: 1,
              periodUnit: periodUnits[s.cadence],
              timeOfDay: s.time_of_day ? [`${s.time_of_day}:00`] : undefined,
            }),
          }
        : undefined,
  });
}

/**
 * The steps extracted from one note as one CarePlan: a checklist item or plan item is an activity. Only
 * what the API shows in plain text is exported (titles, schedules, states); the provenance passages are
 * note text, encrypted with the note, and stay out like the note itself.
 */
export const carePlanSource: FhirSource<Row> = {
  resourceType: 'CarePlan',
  columns: `t.id, t.patient_id, t.author_id, ${practitionerSql('u', 'cp')} as author_is_practitioner, coalesce(cp.display_name, u.name) as author_name, t.created_at, ${changedAt} as updated_at, ${stepsOfNote} as steps`,
  from: 'note t join users u on u.id = t.author_id left join clinician_profile cp on cp.user_id = u.id where t.practice_id = ? and exists (select 1 from step s where s.patient_id = t.patient_id and s.note_id = t.id)',
  ofPatient: 't.patient_id = ?',
  changedAt,
  toResource: (r): Exported<CarePlan> => {
    const status = planStatus(r.steps);
    const ends = r.steps
      .map((s) => s.done_at ?? s.cancelled_at)
      .filter((at): at is string => !!at)
      .map(instant)
      .sort();
    return compact({
      resourceType: 'CarePlan',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      status,
      intent: 'plan' as const,
      title: 'Care steps from a clinical note',
      subject: patientRef(r.patient_id),
      period: compact({ start: instant(r.created_at), end: status === 'completed' || status === 'revoked' ? ends.at(-1) : undefined }),
      created: instant(r.created_at),
      // An admin without a profile is no Practitioner of the export: named, not referenced.
      author: r.author_is_practitioner ? practitionerRef(r.author_id, r.author_name) : r.author_name ? { display: r.author_name } : undefined,
      activity: r.steps.map((s) =>
        compact({
          detail: activityDetail(s),
          progress: s.done_at ? [{ time: instant(s.done_at), text: s.kind === 'plan' ? 'Checked in' : 'Done' }] : undefined,
        }),
      ),
    });
  },
};
