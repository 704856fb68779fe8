import { createPatientInput, type CreatePatientInput, type UpdatePatientInput } from '../../../shared/schemas/patients.ts';
import { newId } from '../../ids.ts';
import { auditCte } from '../audit/audit-sql.ts';
import { patientColumn, patientColumnType, selectPatientColumns, type PatientColumnProperty } from './patient-columns.ts';
import { revisedFieldsSql, revisionCte } from './patient-revisions.ts';
import { patientSearchKeys } from './search-text.ts';

/**
 * A patient created or updated inside a hand-written statement (HL7 ADT), with the same rules as
 * patients.service.ts's createPatient and updatePatient: the fields as the API's schemas validated them,
 * the practice's time zone by default, the name keys and phone digits derived from them, and the audit
 * row (`patient.created`, or `patient.updated` naming the fields sent), and an update's revision (source
 * `hl7`, patient-revisions.ts). One statement, prepared once,
 * instead of the unit of work's three (the patient, its audit row, then the caller's), so a message
 * that registers or updates a patient writes it in the round trip that writes the rest of the message.
 */

/** The columns a write sets: the fields a patient is created with (the API's own input), and the keys derived from them. */
const WRITTEN = [...(Object.keys(createPatientInput.shape) as (keyof CreatePatientInput)[]), 'searchName', 'sortName', 'phoneDigits'] as const satisfies readonly PatientColumnProperty[];
type Written = (typeof WRITTEN)[number];

/** What a write reads of the patient it updates, under the property names. */
export const PATIENT_WRITE_COLUMNS = selectPatientColumns('p', ['id', ...WRITTEN]);
export type StoredPatient = { id: string } & Record<Written, unknown> & { givenName: string; familyName: string; middleNames: string[]; phone: string | null };

type Fields = Omit<UpdatePatientInput, 'id'>;

/** A patient to write: its id, the written columns' values keyed by column, its audit row's detail. */
export type PatientWrite = { id: string; values: Record<string, unknown>; detail: Record<string, string> | null };

/** The new patient (its id chosen here). */
export function createdPatient(input: CreatePatientInput & { mrn: string }, practiceTimeZone: string): PatientWrite {
  return { id: newId(), values: written({ ...input, timeZone: input.timeZone ?? practiceTimeZone }), detail: null };
}

/** The stored patient with `changes` applied (a field set to null is cleared, one absent is kept). */
export function updatedPatient(stored: StoredPatient, changes: Fields): PatientWrite {
  return { id: stored.id, values: written({ ...stored, ...changes } as Fields & StoredPatient), detail: { fields: Object.keys(changes).join(',') } };
}

/** The written columns' values, keyed by column, of a patient's whole fields. */
function written(fields: Fields & { givenName: string; familyName: string }): Record<string, unknown> {
  const row: Record<string, unknown> = { ...fields, ...patientSearchKeys(fields) };
  return Object.fromEntries(WRITTEN.map((k) => [patientColumn[k], row[k] ?? (k === 'middleNames' ? [] : null)]));
}

/** The written values as a relation `x`, from one jsonb parameter keyed by column. */
const VALUES = `jsonb_to_record(?::jsonb) as x(${WRITTEN.map((k) => `${patientColumn[k]} ${patientColumnType[k]}`).join(', ')})`;
const columns = WRITTEN.map((k) => patientColumn[k]);

/**
 * CTEs `patient_written` (the patient's id, and its audit action) and `patient_audit`, writing the
 * patient only when `condition` (SQL over earlier CTEs) holds. `create-if-new` writes nothing, and no
 * audit row, when the practice has a patient of the MRN already. An update that changes nothing leaves
 * the row as it is, and is audited all the same, as updatePatient's. Their parameters, in this order: the
 * patient's id, the audit detail, the values (patientWriteParams). Reads the statement's `args`.
 */
export function patientWriteCtes(mode: 'create' | 'create-if-new' | 'update', condition: string): string {
  const target = 'patient_target as (select ?::uuid as id, ?::jsonb as detail)';
  const write =
    mode !== 'update'
      ? `patient_written as (
       insert into patient (id, practice_id, ${columns.join(', ')}, status, created_at, updated_at)
       select t.id, args.practice_id, ${columns.map((c) => `x.${c}`).join(', ')}, 'active', now(), now() from patient_target t, ${VALUES}, args where ${condition}
       ${mode === 'create-if-new' ? 'on conflict (practice_id, mrn) do nothing' : ''}
       returning id, 'patient.created' as action)`
      : `patient_written as (select t.id, 'patient.updated' as action from patient_target t where ${condition}),
     patient_changed as (
       update patient p set ${columns.map((c) => `${c} = x.${c}`).join(', ')}, updated_at = now()
       from patient_written w, ${VALUES}, args
       where p.id = w.id and p.practice_id = args.practice_id and (${columns.map((c) => `p.${c}`).join(', ')}) is distinct from (${columns.map((c) => `x.${c}`).join(', ')})
       returning p.id, ${revisedFieldsSql('old')} as before, ${revisedFieldsSql('new')} as after),
     ${revisionCte('patient_revised', 'patient_changed', 'hl7', "args.detail->>'controlId'")}`;
  return `${target},
     ${write},
     ${auditCte('patient_audit', { action: 'w.action', entityType: "'patient'", entityId: 'w.id::text', detail: 't.detail' }, 'patient_written w, patient_target t, args')}`;
}

/** The parameters of patientWriteCtes for a patient made by createdPatient or updatedPatient. */
export const patientWriteParams = (patient: PatientWrite) => [patient.id, patient.detail && JSON.stringify(patient.detail), JSON.stringify(patient.values)];
