import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AddRelatedPersonInput, PatientIdInput, RelatedPersonOutput, UpdateRelatedPersonInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { findVisiblePatient, findWritablePatient, visiblePatients } from './patient-access.ts';
import { RelatedPerson } from './related-person.entity.ts';

/** Takes an entity or a row of the same shape (the chart selects plain rows). */
export function toRelatedPersonDto(r: Pick<RelatedPerson, 'id' | 'relationship' | 'name' | 'phone' | 'email' | 'createdAt'> & { patient: { id: string } }): RelatedPersonOutput {
  return { id: r.id, patientId: r.patient.id, relationship: r.relationship, name: r.name, phone: r.phone ?? null, email: r.email ?? null, createdAt: r.createdAt.toISOString() };
}

export async function listRelatedPersons(ctx: AuthedCtx, { patientId }: PatientIdInput) {
  await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const people = await ctx.em.find(RelatedPerson, { patient: patientId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  await auditRead(ctx, { action: 'related-person.listed', entityType: 'patient', entityId: patientId });
  return people.map(toRelatedPersonDto);
}

export async function addRelatedPerson(ctx: AuthedCtx, { patientId, ...fields }: AddRelatedPersonInput) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, patientId);
  const person = ctx.em.create(RelatedPerson, { ...fields, practice: ctx.actor.practiceId, patient });
  recordAudit(ctx, { action: 'related-person.created', entityType: 'related-person', entityId: person.id, detail: { patientId } });
  await ctx.em.flush();
  return toRelatedPersonDto(person);
}

async function findVisibleRelatedPerson(ctx: AuthedCtx, id: string) {
  const person = await ctx.em.findOne(RelatedPerson, { id, patient: visiblePatients(ctx.actor) });
  if (!person) throw notFound('Related person');
  return person;
}

export async function updateRelatedPerson(ctx: AuthedCtx, { id, ...changes }: UpdateRelatedPersonInput) {
  const person = await findVisibleRelatedPerson(ctx, id);
  ctx.em.assign(person, changes);
  recordAudit(ctx, { action: 'related-person.updated', entityType: 'related-person', entityId: id });
  await ctx.em.flush();
  return toRelatedPersonDto(person);
}

export async function removeRelatedPerson(ctx: AuthedCtx, { id }: IdInput) {
  const person = await findVisibleRelatedPerson(ctx, id);
  ctx.em.remove(person);
  recordAudit(ctx, { action: 'related-person.removed', entityType: 'related-person', entityId: id });
  await ctx.em.flush();
  return { ok: true as const };
}
