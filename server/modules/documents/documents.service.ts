import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CreateDocumentInput, DeleteDocumentInput, ListDocumentsInput } from '../../../shared/schemas/documents.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { claimFile } from '../files/file-claim.ts';
import { findVisiblePatient } from '../patients/patient-access.ts';
import { findVisibleDocument, isStaff, visibleDocuments } from './document-access.ts';
import { toDocumentDto } from './document.dto.ts';
import { Document } from './document.entity.ts';
import { User } from '../users/user.entity.ts';

const sort = newestFirst('createdAt');

/**
 * A document for a patient, from the caller's own upload: staff who may see the patient, the patient for
 * their own record, or a guardian for a dependent's (patient-access.ts). Only staff may mark it staff-only.
 */
export async function createDocument(ctx: AuthedCtx, { patientId, fileId, title, category, staffOnly = false }: CreateDocumentInput) {
  if (staffOnly && !isStaff(ctx.actor)) throw new AppError('BAD_REQUEST', 'Only staff may mark a document staff-only', null, { staffOnly: ['only staff may set it'] });
  const patient = await findVisiblePatient(ctx.em, ctx.actor, patientId);
  if (patient.status === 'merged') throw new AppError('CONFLICT', 'This record was merged into another: use that one', 'patient-merged');
  const file = await claimFile(ctx.em, ctx.actor, ctx.clock.now(), { fileId, field: 'fileId', purpose: 'document' });
  const document = ctx.em.create(Document, {
    practice: ctx.actor.practiceId,
    patient,
    file,
    title,
    category,
    staffOnly,
    uploadedBy: ctx.actor.userId,
    deletedAt: null,
    deletedBy: null,
    deletionReason: null,
  });
  recordAudit(ctx, { action: 'document.created', entityType: 'patient', entityId: patientId, detail: { documentId: document.id, fileId, staffOnly } });
  await ctx.em.flush();
  return toDocumentDto(document);
}

/** A patient's documents, newest first; staff may ask for the deleted ones too. */
export async function listDocuments(ctx: AuthedCtx, { patientId, category, includeDeleted, cursor, limit }: ListDocumentsInput) {
  if (includeDeleted && !isStaff(ctx.actor)) throw new AppError('BAD_REQUEST', 'Only staff may list deleted documents', null, { includeDeleted: ['only staff may set it'] });
  await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const { where, orderBy } = keyset(cursor, sort);
  const rows = await ctx.em.find(
    Document,
    { $and: [where, visibleDocuments(ctx.actor), { patient: patientId, ...(category && { category }), ...(!includeDeleted && { deletedAt: null }) }] },
    { orderBy, limit: limit + 1, populate: ['file'] },
  );
  const page = toPage(rows, limit, sort, toDocumentDto);
  await auditRead(ctx, { action: 'document.listed', entityType: 'patient', entityId: patientId, detail: { results: page.items.length } });
  return page;
}

export async function getDocument(ctx: AuthedCtx, { id }: IdInput) {
  const document = await findVisibleDocument(ctx.em, ctx.actor, { id });
  await auditRead(ctx, { action: 'document.read', entityType: 'patient', entityId: document.patient.id, detail: { documentId: id } });
  return toDocumentDto(document);
}

/** Soft: the document leaves every list but the staff's deleted view; its row and bytes stay, with who deleted it and why. */
export async function deleteDocument(ctx: AuthedCtx, { id, reason }: DeleteDocumentInput) {
  const document = await findVisibleDocument(ctx.em, ctx.actor, { id });
  if (!document.deletedAt) {
    document.deletedAt = ctx.clock.now();
    document.deletedBy = ctx.em.getReference(User, ctx.actor.userId);
    document.deletionReason = reason;
  }
  recordAudit(ctx, { action: 'document.deleted', entityType: 'patient', entityId: document.patient.id, detail: { documentId: id } });
  await ctx.em.flush();
  return toDocumentDto(document);
}
