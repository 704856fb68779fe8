import type { Collection } from '@mikro-orm/core';
import { entityColumns, entityColumnTypes } from '../../entity-columns.ts';
import { patientDtoProperties, type PatientFields } from './patient.dto.ts';
import { PatientSchema, type Patient } from './patient.entity.ts';

/** A property of the patient that is a column of the patient table. */
export type PatientColumnProperty = { [K in keyof Patient & string]: Patient[K] extends Collection<object> ? never : K }[keyof Patient & string];

/**
 * The patient's columns for hand-written SQL (the chart, search, the FHIR export, the CSV import, the
 * bench seed), from patient.entity.ts: `patientColumn.givenName` is `given_name`.
 */
export const patientColumn = entityColumns<PatientColumnProperty>(PatientSchema);

/** The SQL type of each column: `patientColumnType.birthDate` is `date`. */
export const patientColumnType = entityColumnTypes<PatientColumnProperty>(PatientSchema);

/** `alias.column as "property"` for each property: rows keyed as the entity is. */
export const selectPatientColumns = (alias: string, props: readonly PatientColumnProperty[]) => props.map((k) => `${alias}.${patientColumn[k]} as "${k}"`).join(', ');

/** The columns of a patient DTO, selected under their property names, from the patient table aliased `p`. */
export const PATIENT_COLUMNS = selectPatientColumns('p', patientDtoProperties);

/** A row of `PATIENT_COLUMNS` as the driver returns it: timestamps as strings. */
export type PatientColumnsRow = Omit<PatientFields, 'createdAt' | 'updatedAt' | 'reminderEmailOptOutAt'> & { createdAt: string; updatedAt: string; reminderEmailOptOutAt: string | null };

export const patientFromRow = <R extends PatientColumnsRow>({ createdAt, updatedAt, reminderEmailOptOutAt, ...row }: R) => ({
  ...row,
  createdAt: new Date(createdAt),
  updatedAt: new Date(updatedAt),
  reminderEmailOptOutAt: reminderEmailOptOutAt === null ? null : new Date(reminderEmailOptOutAt),
});
