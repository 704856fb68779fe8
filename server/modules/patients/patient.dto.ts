import type { PatientOutput } from '../../../shared/schemas/patients.ts';
import { toPhotoDto } from '../files/file.dto.ts';
import type { Patient } from './patient.entity.ts';

/** The properties a patient DTO is made from: hand-written queries select these columns (patient-columns.ts). */
export const patientDtoProperties = [
  'id',
  'mrn',
  'externalId',
  'givenName',
  'middleNames',
  'familyName',
  'birthDate',
  'gender',
  'email',
  'phone',
  'address',
  'preferredLanguage',
  'timeZone',
  'emergencyContact',
  'status',
  'selfRegistered',
  'mergedIntoId',
  'reminderEmailOptOutAt',
  'portalUser',
  'photoFile',
  'createdAt',
  'updatedAt',
] as const;

/** What a patient DTO is made from: an entity, or a row a hand-written query selected under the same names. */
export type PatientFields = Pick<Patient, Exclude<(typeof patientDtoProperties)[number], 'portalUser' | 'photoFile'>> & { portalUser?: unknown; photoFile?: { id: string } | string | null };

/** Optional fields are null when unset, also on an entity just created without them (they are undefined there). */
export function toPatientDto(p: PatientFields): PatientOutput {
  return {
    id: p.id,
    mrn: p.mrn,
    externalId: p.externalId ?? null,
    givenName: p.givenName,
    middleNames: p.middleNames ?? [],
    familyName: p.familyName,
    birthDate: p.birthDate,
    gender: p.gender,
    email: p.email ?? null,
    phone: p.phone ?? null,
    address: p.address ?? null,
    preferredLanguage: p.preferredLanguage ?? null,
    timeZone: p.timeZone,
    emergencyContact: p.emergencyContact ?? null,
    status: p.status,
    selfRegistered: Boolean(p.selfRegistered),
    mergedIntoId: p.mergedIntoId ?? null,
    reminderEmailOptOutAt: p.reminderEmailOptOutAt?.toISOString() ?? null,
    hasPortalAccount: !!p.portalUser,
    photo: toPhotoDto(p.photoFile),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
