import { defineEntity, p } from '@mikro-orm/core';
import { documentCategories } from '../../../shared/enums.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { StoredFile } from '../files/stored-file.entity.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/**
 * A document of a patient's (a referral letter, a scanned result, a consent form): its file, what it is,
 * and whether patients may see it. Deleting is soft: the row and the bytes stay, with who deleted it and why.
 */
export const DocumentSchema = defineEntity({
  name: 'Document',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    file: () => p.manyToOne(StoredFile).unique(),
    title: p.string().length(200),
    category: p.enum(documentCategories),
    /** Seen by staff only: not by the patient or their guardians. */
    staffOnly: p.boolean().default(false),
    uploadedBy: () => p.manyToOne(User),
    createdAt: p.datetime().onCreate(() => new Date()),
    deletedAt: p.datetime().nullable(),
    deletedBy: () => p.manyToOne(User).nullable(),
    deletionReason: p.string().length(500).nullable(),
  },
  indexes: [{ properties: ['patient', 'createdAt', 'id'] }],
  filters: practiceFilter(),
});
export class Document extends DocumentSchema.class {}
DocumentSchema.setClass(Document);
