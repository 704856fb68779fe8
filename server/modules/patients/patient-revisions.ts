import { isDeepStrictEqual } from 'node:util';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { patientHistoryOutput, UpdatePatientInput } from '../../../shared/schemas/patients.ts';
import type { z } from 'zod';
import type { AuthedCtx } from '../../context.ts';
import { auditRead } from '../audit/audit.service.ts';
import { findVisiblePatient } from './patient-access.ts';
import { toPatientDto } from './patient.dto.ts';
import type { Patient } from './patient.entity.ts';
import { PatientRevision } from './patient-revision.entity.ts';
import { patientSearchKeys } from './search-text.ts';

/** The photo is not a detail with a revision: it is set apart (file-claim.ts's replacePhoto). */
type Changes = Omit<UpdatePatientInput, 'id' | 'photoFileId'>;

/**
 * Applies `changes` to the patient (null clears a field, an absent one is kept), derives the search keys
 * again, and keeps a revision of the fields whose value changed, before and after, as the patient DTO
 * has them. A change to nothing leaves no revision. The caller audits and flushes.
 */
export function revisePatient(ctx: AuthedCtx, patient: Patient, changes: Changes) {
  const before = toPatientDto(patient);
  ctx.em.assign(patient, changes);
  Object.assign(patient, patientSearchKeys(patient));
  const after = toPatientDto(patient);
  const changed = (Object.keys(changes) as (keyof Changes)[]).filter((k) => !isDeepStrictEqual(before[k], after[k]));
  if (!changed.length) return;
  const pick = (dto: typeof before) => Object.fromEntries(changed.map((k) => [k, dto[k]]));
  ctx.em.create(PatientRevision, { practice: ctx.actor.practiceId, patientId: patient.id, changedBy: ctx.actor.userId, before: pick(before), after: pick(after) });
}

/** Every change to a patient's details, oldest first. */
export async function patientHistory(ctx: AuthedCtx, { id }: IdInput): Promise<z.infer<typeof patientHistoryOutput>> {
  await findVisiblePatient(ctx.em, ctx.actor, id);
  const revisions = await ctx.em.find(PatientRevision, { patientId: id }, { orderBy: { changedAt: 'asc', id: 'asc' } });
  await auditRead(ctx, { action: 'patient.history-read', entityType: 'patient', entityId: id });
  return revisions.map((r) => ({ id: r.id, changedBy: r.changedBy, changedAt: r.changedAt.toISOString(), before: r.before, after: r.after }));
}
