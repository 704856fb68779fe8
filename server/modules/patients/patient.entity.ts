import { defineEntity, p } from '@mikro-orm/core';
import { administrativeGenders, patientStatuses } from '../../../shared/enums.ts';
import type { z } from 'zod';
import type { address, emergencyContact } from '../../../shared/schemas/patients.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { StoredFile } from '../files/stored-file.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { Guardianship } from './guardianship.entity.ts';

export const PatientSchema = defineEntity({
  name: 'Patient',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    mrn: p.string().length(32),
    /** The patient's id in the system they were imported from (CSV `externalId`): re-imports match on it. */
    externalId: p.string().length(100).nullable(),
    givenName: p.string().length(100),
    /** The second and further given names, in order. */
    middleNames: p.json<string[]>().default([]),
    familyName: p.string().length(100),
    birthDate: p.date(),
    gender: p.enum(administrativeGenders),
    email: p.string().length(320).nullable(),
    /** E.164. */
    phone: p.string().length(20).nullable(),
    address: p.json<z.infer<typeof address>>().nullable(),
    preferredLanguage: p.string().length(35).nullable(),
    timeZone: p.string().length(64),
    emergencyContact: p.json<z.infer<typeof emergencyContact>>().nullable(),
    status: p.enum(patientStatuses).default('active'),
    /** When the patient opted out of reminder emails (a mail's unsubscribe link); in-app reminders go on. Staff may clear it. */
    reminderEmailOptOutAt: p.datetime().nullable(),
    /** Created by the patient signing up (`auth.signUp`), not by staff: a record to check, and maybe merge into an existing one. */
    selfRegistered: p.boolean().default(false),
    /**
     * Set with status `merged`: the patient `patients.merge` moved this record's data and account into. A
     * plain id, like a revision's patient: patients are never deleted, and the id only points the way.
     */
    mergedIntoId: p.uuid().nullable().index(),
    /** The patient's own portal account, once invited and accepted (or signed up and verified). */
    portalUser: () => p.manyToOne(User).nullable().unique(),
    /** The profile photo (an image the patient's staff or portal uploaded). */
    photoFile: () => p.manyToOne(StoredFile).nullable(),
    /** Folded "given family" (see search-text.ts), trigram-indexed for partial, accent-free search. */
    searchName: p.text(),
    /** Folded "family given": the stable, accent-free sort order of lists. */
    sortName: p.text(),
    /** The phone's digits, trigram-indexed. */
    phoneDigits: p.string().length(20).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    careTeam: () => p.oneToMany(CareTeamMember).mappedBy('patient'),
    guardians: () => p.oneToMany(Guardianship).mappedBy('dependent'),
  },
  uniques: [{ properties: ['practice', 'mrn'] }, { properties: ['practice', 'externalId'] }],
  indexes: [
    /**
     * The practice's patients in name order, with what a name term tests: an admin's search walks it
     * without reading the table (patient-search.ts), as a clinician's walks `care_team_member_search_walk`.
     */
    {
      name: 'patient_search_walk',
      expression: 'create index "patient_search_walk" on "patient" ("practice_id", "status", "sort_name", "id") include ("search_name", "mrn")',
    },
    { properties: ['practice', 'birthDate'] },
    { properties: ['practice', 'email'] },
    { name: 'patient_search_name_trgm', expression: 'create index "patient_search_name_trgm" on "patient" using gin ("search_name" gin_trgm_ops)' },
    { name: 'patient_phone_digits_trgm', expression: 'create index "patient_phone_digits_trgm" on "patient" using gin ("phone_digits" gin_trgm_ops)' },
  ],
  filters: practiceFilter(),
});
export class Patient extends PatientSchema.class {}
PatientSchema.setClass(Patient);
