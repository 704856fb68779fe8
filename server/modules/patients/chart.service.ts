import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { auditRead } from '../audit/audit.service.ts';
import { recordsByKind, type RecordFields } from '../records/records.service.ts';
import { toUserDto } from '../users/user.dto.ts';
import { visiblePatientsSql } from './patient-access.ts';
import { PATIENT_COLUMNS, patientFromRow, type PatientColumnsRow } from './patient-columns.ts';
import { toPatientDto } from './patient.dto.ts';
import { toRelatedPersonDto } from './related-persons.service.ts';

type Dated<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };
type RecordRow = Dated<Omit<RecordFields, 'patient'>, 'occurredAt' | 'createdAt' | 'updatedAt'> & { patientId: string };
type RelatedPersonRow = { id: string; patientId: string; relationship: string; name: string; phone: string | null; email: string | null; createdAt: string };
type ClinicianRow = Dated<Parameters<typeof toUserDto>[0], 'createdAt'>;

/**
 * Everything a chart screen shows, in four plain queries sent together whatever the record's size: the
 * patient (which decides access), every record entry (one query across kinds), related persons, and the
 * care team. Plain rows, not entities: a chart is read far more often than it is written, and hydrating
 * entities cost most of its time. When the patient is not visible the other three are discarded unread.
 */
export async function getChart(ctx: AuthedCtx, { id }: IdInput) {
  const practiceId = ctx.actor.practiceId;
  const visible = visiblePatientsSql(ctx.actor);
  const [[patient], records, relatedPersons, careTeam] = await Promise.all([
    ctx.em.execute<PatientColumnsRow[]>(`select ${PATIENT_COLUMNS} from patient p where p.practice_id = ? and p.id = ? and ${visible.sql}`, [practiceId, id, ...visible.params]),
    ctx.em.execute<RecordRow[]>(
      `select id, patient_id as "patientId", kind, status, data, version, occurred_at as "occurredAt", created_at as "createdAt", created_by as "createdBy",
              updated_at as "updatedAt", updated_by as "updatedBy"
         from clinical_record where practice_id = ? and patient_id = ? order by occurred_at desc, id desc`,
      [practiceId, id],
    ),
    ctx.em.execute<RelatedPersonRow[]>(
      `select id, patient_id as "patientId", relationship, name, phone, email, created_at as "createdAt" from related_person where practice_id = ? and patient_id = ? order by created_at, id`,
      [practiceId, id],
    ),
    ctx.em.execute<ClinicianRow[]>(
      `select u.id, u.email, u.name, u.role, u.status, u.mfa_enabled as "mfaEnabled", u.created_at as "createdAt"
         from care_team_member c join users u on u.id = c.clinician_id where c.practice_id = ? and c.patient_id = ? order by c.created_at, c.id`,
      [practiceId, id],
    ),
  ]);
  if (!patient) throw notFound('Patient');
  await auditRead(ctx, { action: 'patient.chart-read', entityType: 'patient', entityId: id });
  return {
    patient: toPatientDto(patientFromRow(patient)),
    ...recordsByKind(
      records.map(({ patientId, occurredAt, createdAt, updatedAt, ...r }) => ({
        ...r,
        patient: { id: patientId },
        occurredAt: new Date(occurredAt),
        createdAt: new Date(createdAt),
        updatedAt: new Date(updatedAt),
      })),
    ),
    relatedPersons: relatedPersons.map(({ patientId, createdAt, ...r }) => toRelatedPersonDto({ ...r, patient: { id: patientId }, createdAt: new Date(createdAt) })),
    careTeam: careTeam.map(({ createdAt, ...u }) => toUserDto({ ...u, createdAt: new Date(createdAt) })),
  };
}
