import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AuthedCtx } from '../../context.ts';
import { auditRead } from '../audit/audit.service.ts';
import { ClinicalRecord } from '../records/clinical-record.entity.ts';
import { recordsByKind } from '../records/records.service.ts';
import { assertRole } from '../users/roles.ts';
import { toUserDto } from '../users/user.dto.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { findVisiblePatient } from './patient-access.ts';
import { toPatientDto } from './patient.dto.ts';
import { RelatedPerson } from './related-person.entity.ts';
import { toRelatedPersonDto } from './related-persons.service.ts';

/**
 * Everything a chart screen shows, in four queries whatever the record's size, sent together: the patient
 * (which decides access), every record entry (one query across kinds), related persons, and the care team
 * with its clinicians. When the patient is not visible the other three are discarded unread.
 */
export async function getChart(ctx: AuthedCtx, { id }: IdInput) {
  assertRole(ctx.actor, 'admin', 'clinician');
  const [patient, records, relatedPersons, careTeam] = await Promise.all([
    findVisiblePatient(ctx.em, ctx.actor, id),
    ctx.em.find(ClinicalRecord, { patient: id }, { orderBy: { occurredAt: 'desc', id: 'desc' } }),
    ctx.em.find(RelatedPerson, { patient: id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    ctx.em.find(CareTeamMember, { patient: id }, { populate: ['clinician'], orderBy: { createdAt: 'asc' } }),
  ]);
  await auditRead(ctx, { action: 'patient.chart-read', entityType: 'patient', entityId: id });
  return {
    patient: toPatientDto(patient),
    ...recordsByKind(records),
    relatedPersons: relatedPersons.map(toRelatedPersonDto),
    careTeam: careTeam.map((m) => toUserDto(m.clinician)),
  };
}
