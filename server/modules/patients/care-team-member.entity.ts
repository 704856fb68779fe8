import { defineEntity, p } from '@mikro-orm/core';
import { patientStatuses } from '../../../shared/enums.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { Patient } from './patient.entity.ts';

/**
 * A clinician on a patient's care team: the clinician may see and change that patient.
 *
 * Each row also carries a copy of its patient's search keys, so a clinician's search reads their own
 * patients' index and never the practice's. PostgreSQL keeps the copy: a trigger fills it on insert
 * and another rewrites it when the patient's keys change (migration `care_team_search`). PAMS itself only
 * inserts the defaults, which the trigger replaces, and never loads the columns (they are lazy).
 */
export const CareTeamMemberSchema = defineEntity({
  name: 'CareTeamMember',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient).deleteRule('cascade'),
    clinician: () => p.manyToOne(User),
    createdAt: p.datetime().onCreate(() => new Date()),
    /** The patient's `searchName`. */
    searchName: p.text().default('').lazy(),
    /** The patient's `sortName`. */
    sortName: p.text().default('').lazy(),
    /** The patient's MRN. */
    mrn: p.string().length(32).default('').lazy(),
    /** The patient's status. */
    patientStatus: p.enum(patientStatuses).default('active').lazy(),
  },
  uniques: [{ properties: ['patient', 'clinician'] }],
  indexes: [
    /** A clinician's patients in name order, with what a name term tests: a search walks it without reading the table. */
    {
      name: 'care_team_member_search_walk',
      expression: 'create index "care_team_member_search_walk" on "care_team_member" ("clinician_id", "patient_status", "sort_name", "patient_id") include ("search_name", "mrn")',
    },
    /** A clinician's patients by a rare name fragment or by MRN (btree_gin for the clinician and the MRN, pg_trgm for the name). */
    {
      name: 'care_team_member_search_trgm',
      expression: 'create index "care_team_member_search_trgm" on "care_team_member" using gin ("clinician_id", "search_name" gin_trgm_ops, "mrn")',
    },
  ],
  filters: practiceFilter(),
});
export class CareTeamMember extends CareTeamMemberSchema.class {}
CareTeamMemberSchema.setClass(CareTeamMember);
