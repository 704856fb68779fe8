import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Patient } from './patient.entity.ts';

/** Family and other contacts of a patient (FHIR RelatedPerson). */
export const RelatedPersonSchema = defineEntity({
  name: 'RelatedPerson',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient).index().deleteRule('cascade'),
    relationship: p.string().length(100),
    name: p.string().length(200),
    phone: p.string().length(20).nullable(),
    email: p.string().length(320).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  filters: practiceFilter(),
});
export class RelatedPerson extends RelatedPersonSchema.class {}
RelatedPersonSchema.setClass(RelatedPerson);
