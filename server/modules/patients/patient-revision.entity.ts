import { defineEntity, p } from '@mikro-orm/core';
import { patientRevisionSources } from '../../../shared/enums.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * Who changed a patient's details, when, from where: one row per change (staff's `patients.update`, the
 * patient's own `portal.updateProfile`, a CSV import, an HL7 ADT message), with the changed fields before and after. The audit row says that it
 * happened; this says what, since the audit trail holds no PHI. A plain id, like a record revision's.
 */
export const PatientRevisionSchema = defineEntity({
  name: 'PatientRevision',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patientId: p.uuid(),
    changedBy: p.uuid(),
    changedAt: p.datetime().onCreate(() => new Date()),
    source: p.enum(patientRevisionSources).default('staff'),
    /** The import's id, or the HL7 message's control id: which one made the change. */
    sourceRef: p.text().nullable(),
    /** The changed fields only, under the patient's property names (as the patient DTO has them). */
    before: p.json<Record<string, unknown>>(),
    after: p.json<Record<string, unknown>>(),
  },
  indexes: [{ properties: ['patientId', 'changedAt'] }],
  filters: practiceFilter(),
});
export class PatientRevision extends PatientRevisionSchema.class {}
PatientRevisionSchema.setClass(PatientRevision);
