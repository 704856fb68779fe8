import { codeSystems } from '../../../shared/schemas/records.ts';
import { toPhotoDto } from '../files/file.dto.ts';
import type { ClinicianColleagueOutput, ClinicianPublicOutput } from '../../../shared/schemas/clinicians.ts';

/** One directory entry as the directory's query reads it: the user, and their profile's columns (null without one). */
export type DirectoryRow = {
  id: string;
  email: string;
  name: string | null;
  role: 'admin' | 'clinician';
  displayName: string | null;
  title: string | null;
  specialtyName: string | null;
  specialtyCode: string | null;
  languages: string[];
  registrationSystem: string | null;
  registrationValue: string | null;
  registrationIssuer: string | null;
  bio: string | null;
  acceptsNewPatients: boolean;
  phone: string | null;
  photoFileId: string | null;
  sortName: string;
};

export function toClinicianPublicDto(r: DirectoryRow): ClinicianPublicOutput {
  return {
    id: r.id,
    displayName: r.displayName ?? r.name ?? '',
    title: r.title,
    specialty: r.specialtyName ? { name: r.specialtyName, ...(r.specialtyCode && { code: { system: codeSystems.snomed, code: r.specialtyCode } }) } : null,
    languages: r.languages,
    registration: r.registrationSystem && r.registrationValue ? { system: r.registrationSystem, value: r.registrationValue, ...(r.registrationIssuer && { issuer: r.registrationIssuer }) } : null,
    bio: r.bio,
    acceptsNewPatients: r.acceptsNewPatients,
    photo: toPhotoDto(r.photoFileId),
  };
}

export function toClinicianColleagueDto(r: DirectoryRow): ClinicianColleagueOutput {
  return { ...toClinicianPublicDto(r), role: r.role, contact: { email: r.email, phone: r.phone } };
}
