import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import { Document } from './document.entity.ts';

export const isStaff = (actor: Actor) => actor.role !== 'patient';

/**
 * Which documents the actor may see: those of the patients they may see (patient-access.ts); a patient or
 * guardian only those neither staff-only nor deleted.
 */
export function visibleDocuments(actor: Actor): FilterQuery<Document> {
  const ofVisiblePatients = { patient: visiblePatients(actor) } as FilterQuery<Document>;
  return isStaff(actor) ? ofVisiblePatients : { $and: [ofVisiblePatients, { staffOnly: false, deletedAt: null }] };
}

/** The document, if the actor may see it; otherwise NOT_FOUND, whether it exists or not. */
export async function findVisibleDocument(em: EntityManager, actor: Actor, where: FilterQuery<Document>): Promise<Document> {
  const document = await em.findOne(Document, { $and: [where, visibleDocuments(actor)] }, { populate: ['file'] });
  if (!document) throw notFound('Document');
  return document;
}
