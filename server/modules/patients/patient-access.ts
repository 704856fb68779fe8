import { raw, type FilterQuery, type LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { Patient } from './patient.entity.ts';

/**
 * Who may see which patient, in one place. The practice is already fixed by the tenant filter; on top:
 * an admin sees every patient, a clinician those whose care team they are on, a patient their own record
 * and their dependents'. Everything that reads or writes PHI goes through here.
 */
export function visiblePatients(actor: Actor): FilterQuery<Patient> {
  switch (actor.role) {
    case 'admin':
      return {};
    case 'clinician':
      return { careTeam: { $some: { clinician: actor.userId } } };
    case 'patient':
      // Their own record and their dependents', gathered first by the two unique indexes: as an OR of the two
      // conditions PostgreSQL could use neither, and read the whole patient table for every portal request.
      return { id: raw('any(array(select id from patient where portal_user_id = ? union all select dependent_id from guardianship where guardian_id = ?))', [actor.userId, actor.userId]) };
  }
}

/** The patient, if the actor may see it; otherwise NOT_FOUND, whether it exists or not. */
export async function findVisiblePatient(em: EntityManager, actor: Actor, id: string, lockMode?: LockMode): Promise<Patient> {
  const patient = await em.findOne(Patient, { $and: [{ id }, visiblePatients(actor)] }, lockMode ? { lockMode } : {});
  if (!patient) throw notFound('Patient');
  return patient;
}

/**
 * The patient a write names, if the actor may see it. A record merged into another stays for its history
 * and is read-only: every write that names it is refused (CONFLICT `patient-merged`), so nothing new
 * gathers on it that the merge would have moved.
 */
export async function findWritablePatient(em: EntityManager, actor: Actor, id: string, lockMode?: LockMode): Promise<Patient> {
  const patient = await findVisiblePatient(em, actor, id, lockMode);
  if (patient.status === 'merged') throw new AppError('CONFLICT', 'This record was merged into another: use that one', 'patient-merged');
  return patient;
}

/** A SQL condition with its parameters. */
export type SqlCondition = { sql: string; params: unknown[] };

/**
 * `visiblePatients` as a SQL condition on the patient table aliased `p`, for the hand-written queries of
 * hot paths (the chart, an admin's search). The care-team and guardian checks are EXISTS probes of their
 * unique indexes.
 */
export function visiblePatientsSql(actor: Actor): SqlCondition {
  switch (actor.role) {
    case 'admin':
      return { sql: 'true', params: [] };
    case 'clinician':
      return { sql: 'exists (select 1 from care_team_member c where c.patient_id = p.id and c.clinician_id = ?)', params: [actor.userId] };
    case 'patient':
      return { sql: '(p.portal_user_id = ? or exists (select 1 from guardianship g where g.dependent_id = p.id and g.guardian_id = ?))', params: [actor.userId, actor.userId] };
  }
}
