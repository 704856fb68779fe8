import type { PatientFields } from './patient.dto.ts';

/** The columns of a patient DTO, selected under their property names, from the patient table aliased `p`. */
export const PATIENT_COLUMNS = `p.id, p.mrn, p.external_id as "externalId", p.given_name as "givenName", p.middle_names as "middleNames", p.family_name as "familyName",
  p.birth_date as "birthDate", p.gender, p.email, p.phone, p.address, p.preferred_language as "preferredLanguage",
  p.time_zone as "timeZone", p.emergency_contact as "emergencyContact", p.status, p.portal_user_id as "portalUser",
  p.created_at as "createdAt", p.updated_at as "updatedAt"`;

/** A row of `PATIENT_COLUMNS` as the driver returns it: timestamps as strings. */
export type PatientColumnsRow = Omit<PatientFields, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

export const patientFromRow = <R extends PatientColumnsRow>({ createdAt, updatedAt, ...row }: R) => ({ ...row, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt) });
