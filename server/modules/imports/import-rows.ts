import { z } from 'zod';
import { importFields, type ImportRowError, type ImportType, type RecordImportType } from '../../../shared/schemas/imports.ts';
import { createPatientInput, type CreatePatientInput } from '../../../shared/schemas/patients.ts';
import { codeSystems, recordFields, recordStatuses, type RecordKindName } from '../../../shared/schemas/records.ts';
import { contentHash } from '../../canonical-json.ts';

/**
 * Turns one row of text values (as read from a CSV file) into the typed fields PAMS stores, with the
 * same zod schemas the API's create procedures use, or into errors naming the row's own fields.
 */

export const recordKindOf = { allergies: 'allergy', medications: 'medication', conditions: 'condition', observations: 'observation' } as const satisfies Record<RecordImportType, RecordKindName>;

export type PatientRow = { fields: CreatePatientInput; externalId: string | null };
export type RecordRow = { kind: RecordKindName; patientMrn: string | null; patientExternalId: string | null; status: string | null; fields: Record<string, unknown>; recordKey: string };

type Values = Record<string, string>;
type Parsed<T> = { ok: true; row: T } | { ok: false; errors: ImportRowError[] };

/** Values as given, trimmed; an empty cell is no value. */
export function present(values: Values): Values {
  return Object.fromEntries(
    Object.entries(values)
      .map(([k, v]) => [k, v.trim()])
      .filter(([, v]) => v !== ''),
  );
}

/** One message per field (the first): "must be a date" says enough without "must not be in the future". */
export const firstPerField = (errors: ImportRowError[]) => errors.filter((e, i) => errors.findIndex((o) => o.field === e.field) === i);

export function unknownFields(type: ImportType, line: number, values: Values): ImportRowError[] {
  const known: readonly string[] = importFields[type];
  return Object.keys(values)
    .filter((k) => !known.includes(k))
    .map((field) => ({ line, field, message: `is not a field of ${type}` }));
}

const genders: Record<string, CreatePatientInput['gender']> = { m: 'male', male: 'male', f: 'female', female: 'female', o: 'other', other: 'other', u: 'unknown', unknown: 'unknown' };

/** Where a schema path of the patient input comes from in the row. */
function patientField(path: PropertyKey[]): string {
  const [first, second] = path.map(String);
  if (first !== 'address') return first ?? '_';
  if (second === 'lines') return path[2] === 1 ? 'addressLine2' : 'addressLine1';
  return second ?? 'addressLine1';
}

const patientRowSchema = createPatientInput.extend({ externalId: z.string().max(100, 'must be at most 100 characters').optional() });

export function parsePatientRow(line: number, raw: Values): Parsed<PatientRow> {
  const errors = unknownFields('patients', line, raw);
  const v = present(raw);
  const hasAddress = ['addressLine1', 'addressLine2', 'city', 'region', 'postalCode', 'country'].some((k) => v[k]);
  const gender = v.gender === undefined ? undefined : (genders[v.gender.toLowerCase()] ?? v.gender);
  const input = {
    mrn: v.mrn,
    externalId: v.externalId,
    givenName: v.givenName,
    middleNames: v.middleNames?.split(/\s+/),
    familyName: v.familyName,
    birthDate: v.birthDate,
    gender,
    email: v.email,
    phone: v.phone,
    preferredLanguage: v.preferredLanguage,
    timeZone: v.timeZone,
    address: hasAddress ? { lines: [v.addressLine1, v.addressLine2].filter(Boolean), city: v.city, region: v.region, postalCode: v.postalCode, country: v.country?.toUpperCase() } : undefined,
  };
  const parsed = patientRowSchema.safeParse(input);
  if (!parsed.success) errors.push(...parsed.error.issues.map((i) => ({ line, field: patientField(i.path), message: fieldMessage(i, 'patients') })));
  if (!v.mrn && !v.externalId) errors.push({ line, field: 'mrn', message: 'an mrn or an externalId is required: re-imports match rows on them' });
  if (errors.length || !parsed.success) return { ok: false, errors: firstPerField(errors) };
  const { externalId, ...fields } = parsed.data;
  return { ok: true, row: { fields, externalId: externalId ?? null } };
}

const systemsByName: Record<string, string> = {
  loinc: codeSystems.loinc,
  ln: codeSystems.loinc,
  snomed: codeSystems.snomed,
  sct: codeSystems.snomed,
  icd10: codeSystems.icd10,
  'icd-10': codeSystems.icd10,
  rxnorm: codeSystems.rxnorm,
};
/** A kind's default code system, when a row gives a code without one. */
const defaultSystem: Record<Exclude<RecordKindName, 'history'>, string> = { allergy: codeSystems.snomed, medication: codeSystems.rxnorm, condition: codeSystems.icd10, observation: codeSystems.loinc };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A number where the text is one, else the text (for the schema to refuse with its own message). */
const numberOr = (value: string | undefined) => (value !== undefined && NUMBER.test(value) ? Number(value) : value);

/** The kind's fields, as `recordFields[kind]` takes them, from the row's flat columns. */
function recordInput(kind: RecordKindName, v: Values): Record<string, unknown> {
  const code = v.code
    ? { system: systemsByName[v.codeSystem?.toLowerCase() ?? ''] ?? v.codeSystem ?? defaultSystem[kind as keyof typeof defaultSystem], code: v.code, display: v.codeDisplay }
    : undefined;
  const common = { code, note: v.note };
  switch (kind) {
    case 'allergy':
      return {
        ...common,
        substance: v.substance,
        category: v.category?.toLowerCase(),
        severity: v.severity?.toLowerCase(),
        onsetDate: v.onsetDate,
        reactions: v.reactions
          ?.split(';')
          .map((r) => r.trim())
          .filter(Boolean),
      };
    case 'medication':
      return { ...common, name: v.name, dose: v.dose, route: v.route?.toLowerCase(), frequency: v.frequency, startDate: v.startDate, endDate: v.endDate, prescriber: v.prescriber };
    case 'condition':
      return { ...common, name: v.name, onsetDate: v.onsetDate, abatementDate: v.abatementDate };
    case 'observation': {
      const value = numberOr(v.value);
      return {
        ...common,
        category: v.category?.toLowerCase() ?? 'laboratory',
        name: v.name,
        unit: v.unit,
        unitCode: v.unitCode,
        abnormalFlag: v.abnormalFlag?.toLowerCase(),
        effectiveAt: v.effectiveAt,
        ...(typeof value === 'number' ? { valueNumber: value } : { valueText: value }),
        referenceLow: numberOr(v.referenceLow),
        referenceHigh: numberOr(v.referenceHigh),
        referenceText: v.referenceText,
      };
    }
    default:
      return { ...common };
  }
}

/** The row's column for a schema path of the kind's fields. */
function recordField(path: PropertyKey[]): string {
  const [first, second] = path.map(String);
  if (first === 'code') return second === 'system' ? 'codeSystem' : second === 'display' ? 'codeDisplay' : 'code';
  if (first === 'valueNumber' || first === 'valueText') return 'value';
  return first ?? '_';
}

function fieldMessage(issue: z.core.$ZodIssue, type: ImportType): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (type === 'patients' && issue.path[0] === 'gender' && issue.code === 'invalid_value') return 'must be male, female, other or unknown (or M, F, O, U)';
  return issue.message;
}

export function parseRecordRow(type: RecordImportType, line: number, raw: Values): Parsed<RecordRow> {
  const kind = recordKindOf[type];
  const errors = unknownFields(type, line, raw);
  const v = present(raw);
  if (!v.patientMrn && !v.patientExternalId) errors.push({ line, field: 'patientMrn', message: "a patientMrn or a patientExternalId is required: it names the record's patient" });
  const statuses: readonly string[] = recordStatuses[kind];
  const status = v.status?.toLowerCase() ?? null;
  if (status !== null && !statuses.includes(status)) errors.push({ line, field: 'status', message: `must be one of ${statuses.join(', ')}` });
  if ((v.externalId?.length ?? 0) > 100) errors.push({ line, field: 'externalId', message: 'must be at most 100 characters' });
  const parsed = recordFields[kind].safeParse(recordInput(kind, v));
  if (!parsed.success) errors.push(...parsed.error.issues.map((i) => ({ line, field: recordField(i.path), message: fieldMessage(i, type) })));
  if (errors.length || !parsed.success) return { ok: false, errors: firstPerField(errors) };
  const fields = parsed.data as Record<string, unknown>;
  return {
    ok: true,
    row: {
      kind,
      status,
      fields,
      patientMrn: v.patientMrn?.toUpperCase() ?? null,
      patientExternalId: v.patientExternalId ?? null,
      // The source's own id when it has one; else what the entry says, so the same row imported again is found.
      recordKey: v.externalId ? `ext:${v.externalId}` : `sha256:${contentHash({ fields, status })}`,
    },
  };
}
