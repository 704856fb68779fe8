import type { FilterQuery, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../context.ts';
import { notFound } from '../../errors.ts';
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
      return { $or: [{ portalUser: actor.userId }, { guardians: { $some: { guardian: actor.userId } } }] };
  }
}

/** The patient, if the actor may see it; otherwise NOT_FOUND, whether it exists or not. */
export async function findVisiblePatient(em: EntityManager, actor: Actor, id: string, lockMode?: LockMode): Promise<Patient> {
  const patient = await em.findOne(Patient, { $and: [{ id }, visiblePatients(actor)] }, lockMode ? { lockMode } : {});
  if (!patient) throw notFound('Patient');
  return patient;
}
