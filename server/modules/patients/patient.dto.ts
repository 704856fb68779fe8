import type { Patient } from './patient.entity.ts';

export type PatientDto = ReturnType<typeof toPatientDto>;

export function toPatientDto(p: Patient) {
  return {
    id: p.id,
    mrn: p.mrn,
    givenName: p.givenName,
    familyName: p.familyName,
    birthDate: p.birthDate,
    gender: p.gender,
    email: p.email,
    phone: p.phone,
    address: p.address,
    preferredLanguage: p.preferredLanguage,
    timeZone: p.timeZone,
    emergencyContact: p.emergencyContact,
    status: p.status,
    hasPortalAccount: !!p.portalUser,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
