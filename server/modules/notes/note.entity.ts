import { defineEntity, p } from '@mikro-orm/core';
import { extractionStates } from '../../../shared/schemas/notes.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * A clinician's note, immutable once written. The body is stored only as ciphertext under the note's own
 * data key (server/envelope.ts), which is stored wrapped by the key-encryption key `kekId`.
 * Extraction of care steps is tracked here, not in the job queue: this row is the source of truth.
 */
export const NoteSchema = defineEntity({
  name: 'Note',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    authorId: p.uuid(),
    /** An addendum points at the note it adds to; addenda are not extracted and cancel nothing. */
    addendumTo: () => p.manyToOne(Note).nullable(),
    kekId: p.string().length(64),
    wrappedKey: p.text(),
    bodyCiphertext: p.text(),
    /** Null for addenda. */
    extractionState: p.enum(extractionStates).nullable(),
    extractionReason: p.text().nullable(),
    extractionAttempts: p.integer().default(0),
    /** When the next attempt is due: a pending note past it with no live lease has lost its job. */
    extractionDueAt: p.datetime().nullable(),
    /** Set while a worker is calling the LLM for this note, so that a second worker leaves it alone. */
    extractionLeaseUntil: p.datetime().nullable(),
    stepsCreated: p.integer().default(0),
    stepsRejected: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['patient', 'createdAt', 'id'] }, { properties: ['extractionState', 'extractionDueAt'] }, { properties: ['kekId'] }],
  filters: practiceFilter(),
});
export class Note extends NoteSchema.class {}
NoteSchema.setClass(Note);
