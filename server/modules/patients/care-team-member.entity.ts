import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { Patient } from './patient.entity.ts';

/** A clinician on a patient's care team: the clinician may see and change that patient. */
export const CareTeamMemberSchema = defineEntity({
  name: 'CareTeamMember',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient).deleteRule('cascade'),
    clinician: () => p.manyToOne(User),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['patient', 'clinician'] }],
  /** A clinician's patients, read from the index alone (search's care-team check). */
  indexes: [{ properties: ['clinician', 'patient'] }],
  filters: practiceFilter(),
});
export class CareTeamMember extends CareTeamMemberSchema.class {}
CareTeamMemberSchema.setClass(CareTeamMember);
