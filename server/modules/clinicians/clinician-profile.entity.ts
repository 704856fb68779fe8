import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { StoredFile } from '../files/stored-file.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/**
 * What a clinician (or an admin who sees patients) tells patients and colleagues about themselves, in its
 * own table rather than on `users`: it is written only here, read only by the directory and the FHIR
 * export, and the sign-in path that reads `users` on every request never carries it. A clinician without
 * a row is still in the directory, with the defaults (the account's name, not taking new patients); an
 * admin is in it once they have one. Its id is the FHIR PractitionerRole's; the user's is the Practitioner's.
 */
export const ClinicianProfileSchema = defineEntity({
  name: 'ClinicianProfile',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    user: () => p.manyToOne(User).unique(),
    /** Null: the account's name. */
    displayName: p.string().length(200).nullable(),
    title: p.string().length(40).nullable(),
    specialtyName: p.string().length(100).nullable(),
    /** A SNOMED CT concept id, when the specialty has one. */
    specialtyCode: p.string().length(18).nullable(),
    /** BCP 47 tags, most fluent first. */
    languages: p.json<string[]>().default([]),
    registrationSystem: p.string().length(200).nullable(),
    registrationValue: p.string().length(50).nullable(),
    registrationIssuer: p.string().length(200).nullable(),
    bio: p.text().nullable(),
    acceptsNewPatients: p.boolean().default(false),
    /** E.164, for colleagues only. */
    phone: p.string().length(20).nullable(),
    /** The profile photo, seen by everyone at the practice. */
    photoFile: () => p.manyToOne(StoredFile).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  filters: practiceFilter(),
});
export class ClinicianProfile extends ClinicianProfileSchema.class {}
ClinicianProfileSchema.setClass(ClinicianProfile);
