import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { AddendumInput, CreateNoteInput, ListNotesInput } from '../../../shared/schemas/notes.ts';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { Actor, AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { findVisiblePatient, findWritablePatient, visiblePatients } from '../patients/patient-access.ts';
import { cancelPendingSteps } from '../steps/step-lifecycle.ts';
import { openNoteBody, sealNote } from './note-crypto.ts';
import { toNoteDto } from './note.dto.ts';
import { Note } from './note.entity.ts';
import { enqueueExtraction } from './extraction-queue.ts';

const sort = newestFirst('createdAt');

/** Readers of a note: its author, and whoever may see the patient (care team, the practice's admins, the patient in the portal). */
const visibleNotes = (actor: Actor): FilterQuery<Note> => (actor.role === 'admin' ? {} : { $or: [{ authorId: actor.userId }, { patient: visiblePatients(actor) }] });

const audit = (ctx: AuthedCtx, action: string, note: Note, detail: Record<string, string | number> = {}) =>
  recordAudit(ctx, { action: `note.${action}`, entityType: 'note', entityId: note.id, detail: { patientId: note.patient.id, ...detail } });

/** After the commit: a failed enqueue loses nothing, the requeue sweep finds the pending note. */
async function enqueueAfterCommit(ctx: AuthedCtx, note: Note) {
  try {
    await enqueueExtraction(ctx.agenda, { noteId: note.id, practiceId: ctx.actor.practiceId, requestId: ctx.meta.requestId });
  } catch (err) {
    ctx.log.warn({ noteId: note.id, err: { name: (err as Error).name } }, 'extraction not enqueued; the requeue sweep will pick it up');
  }
}

/**
 * A clinician's note. In one transaction: the body is sealed, every pending step of the patient's earlier
 * notes is cancelled (with its unsent reminders), and the note is marked pending extraction. The patient
 * row is locked, so notes for one patient and their extractions are serialised.
 */
export async function createNote(ctx: AuthedCtx, { patientId, body }: CreateNoteInput) {
  const note = await ctx.em.transactional(async (em) => {
    await findWritablePatient(em, ctx.actor, patientId, LockMode.PESSIMISTIC_WRITE);
    const id = newId();
    const { dataKey: _, ...sealed } = sealNote(ctx.config.encryptionKeys, id, body);
    const created = em.create(Note, {
      id,
      practice: ctx.actor.practiceId,
      patient: patientId,
      authorId: ctx.actor.userId,
      ...sealed,
      extractionState: 'pending',
      extractionDueAt: ctx.clock.now(),
      createdAt: ctx.clock.now(),
    });
    const cancelled = await cancelPendingSteps(em, { patientId, by: ctx.actor.userId, reason: 'superseded by a newer note', now: ctx.clock.now() });
    audit({ ...ctx, em }, 'created', created, { cancelledSteps: cancelled });
    return created;
  });
  await enqueueAfterCommit(ctx, note);
  return toNoteDto(note, body);
}

/** An addendum: a new note linked to the original. It is not extracted and leaves the steps as they are. */
export async function addAddendum(ctx: AuthedCtx, { id, body }: AddendumInput) {
  const original = await ctx.em.findOne(Note, { $and: [{ id, addendumTo: null }, visibleNotes(ctx.actor)] });
  if (!original) throw notFound('Note');
  const addendumId = newId();
  const { dataKey: _, ...sealed } = sealNote(ctx.config.encryptionKeys, addendumId, body);
  const addendum = ctx.em.create(Note, {
    id: addendumId,
    practice: ctx.actor.practiceId,
    patient: original.patient,
    authorId: ctx.actor.userId,
    addendumTo: original,
    ...sealed,
    createdAt: ctx.clock.now(),
  });
  audit(ctx, 'addendum-created', addendum, { addendumTo: original.id });
  await ctx.em.flush();
  return toNoteDto(addendum, body);
}

/** One note with its addenda, oldest addendum first. Audited. */
export async function getNote(ctx: AuthedCtx, { id }: IdInput) {
  const note = await ctx.em.findOne(Note, { $and: [{ id }, visibleNotes(ctx.actor)] });
  if (!note) throw notFound('Note');
  const addenda = await ctx.em.find(Note, { addendumTo: note }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const keys = ctx.config.encryptionKeys;
  await auditRead(ctx, { action: 'note.read', entityType: 'note', entityId: note.id, detail: { patientId: note.patient.id } });
  return { ...toNoteDto(note, openNoteBody(keys, note)), addenda: addenda.map((a) => toNoteDto(a, openNoteBody(keys, a))) };
}

/** A patient's notes and addenda, newest first, with their bodies. Audited as one read. */
export async function listNotes(ctx: AuthedCtx, input: ListNotesInput) {
  await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(Note, { $and: [where, { patient: input.patientId }] }, { orderBy, limit: input.limit + 1 });
  const keys = ctx.config.encryptionKeys;
  const page = toPage(rows, input.limit, sort, (n) => toNoteDto(n, openNoteBody(keys, n)));
  await auditRead(ctx, { action: 'note.listed', entityType: 'patient', entityId: input.patientId, detail: { results: page.items.length } });
  return page;
}

/** A failed extraction starts again from the first attempt. For the note's author and the practice's admins. */
export async function retryExtraction(ctx: AuthedCtx, { id }: IdInput) {
  const note = await ctx.em.findOne(Note, { $and: [{ id }, visibleNotes(ctx.actor)] });
  if (!note) throw notFound('Note');
  if (ctx.actor.role !== 'admin' && note.authorId !== ctx.actor.userId) throw new AppError('FORBIDDEN', 'Only the author or an admin may retry an extraction');
  if (note.extractionState !== 'failed') throw new AppError('CONFLICT', 'Only a failed extraction can be retried', 'invalid-transition');
  Object.assign(note, { extractionState: 'pending', extractionReason: null, extractionAttempts: 0, extractionDueAt: ctx.clock.now(), extractionLeaseUntil: null });
  audit(ctx, 'extraction-retried', note);
  await ctx.em.flush();
  await enqueueAfterCommit(ctx, note);
  return toNoteDto(note, openNoteBody(ctx.config.encryptionKeys, note));
}
