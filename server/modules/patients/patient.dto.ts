import type { Patient } from './patient.entity.ts';

export type PatientDto = ReturnType<typeof toPatientDto>;

/** Optional fields are null when unset, also on an entity just created without them (they are undefined there). */
export function toPatientDto(p: Patient) {
  return {
    id: p.id,
    mrn: p.mrn,
    externalId: p.externalId ?? null,
    givenName: p.givenName,
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
    hasPortalAccount: !!p.portalUser,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
