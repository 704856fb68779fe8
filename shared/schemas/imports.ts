import { z } from 'zod';
import { boundedRecord, text, uuid } from './common.ts';

/**
 * Imports of patients and clinical records from tables (CSV files, scripts). An import is a session:
 * `imports.begin`, then `imports.add` with batches of rows (each validated and staged as it arrives, its
 * bad rows reported with their line and field), then `imports.commit`, which writes every staged row in
 * one transaction, or `imports.cancel`. Rows carry their values as text, keyed by the field names below.
 */
export const importTypes = ['patients', 'allergies', 'medications', 'conditions', 'observations', 'services'] as const;
export type ImportType = (typeof importTypes)[number];
/** The types whose rows are clinical records of a patient. */
export type RecordImportType = Exclude<ImportType, 'patients' | 'services'>;

/** Which patient a record row belongs to: one of these is required. */
const patientRef = ['patientMrn', 'patientExternalId'] as const;
const coding = ['codeSystem', 'code', 'codeDisplay'] as const;

/**
 * The fields of each import type, in the order a template file lists them. Lists are one cell: a patient's
 * `middleNames` separated by spaces, an allergy's `reactions` by semicolons ("hives; wheezing").
 */
export const importFields = {
  patients: [
    'mrn',
    'externalId',
    'givenName',
    'middleNames',
    'familyName',
    'birthDate',
    'gender',
    'email',
    'phone',
    'addressLine1',
    'addressLine2',
    'city',
    'region',
    'postalCode',
    'country',
    'preferredLanguage',
    'timeZone',
  ],
  allergies: [...patientRef, 'externalId', 'substance', ...coding, 'category', 'reactions', 'severity', 'onsetDate', 'status', 'note'],
  medications: [...patientRef, 'externalId', 'name', ...coding, 'dose', 'route', 'frequency', 'startDate', 'endDate', 'prescriber', 'status', 'note'],
  conditions: [...patientRef, 'externalId', 'name', ...coding, 'onsetDate', 'abatementDate', 'status', 'note'],
  /** The price list: `price` a decimal in the practice's currency (80.50), `taxRate` a rate's name or id (empty: exempt), `active` yes or no. */
  services: ['code', 'name', 'price', 'taxRate', 'active'],
  observations: [
    ...patientRef,
    'externalId',
    'category',
    'name',
    ...coding,
    'value',
    'unit',
    'unitCode',
    'referenceLow',
    'referenceHigh',
    'referenceText',
    'abnormalFlag',
    'effectiveAt',
    'status',
    'note',
  ],
} as const satisfies Record<ImportType, readonly string[]>;

/** Other column headings understood without a `--map`, folded (lower case, letters and digits only). */
const headerAliases: Record<string, string> = {
  id: 'externalId',
  externalid: 'externalId',
  sourceid: 'externalId',
  firstname: 'givenName',
  given: 'givenName',
  forename: 'givenName',
  middlename: 'middleNames',
  middle: 'middleNames',
  lastname: 'familyName',
  surname: 'familyName',
  family: 'familyName',
  dob: 'birthDate',
  dateofbirth: 'birthDate',
  birthdate: 'birthDate',
  sex: 'gender',
  mobile: 'phone',
  telephone: 'phone',
  phonenumber: 'phone',
  address: 'addressLine1',
  address1: 'addressLine1',
  street: 'addressLine1',
  address2: 'addressLine2',
  town: 'city',
  state: 'region',
  county: 'region',
  province: 'region',
  zip: 'postalCode',
  zipcode: 'postalCode',
  postcode: 'postalCode',
  eircode: 'postalCode',
  language: 'preferredLanguage',
  timezone: 'timeZone',
  tz: 'timeZone',
  allergen: 'substance',
  reaction: 'reactions',
  medication: 'name',
  condition: 'name',
  test: 'name',
  units: 'unit',
  reflow: 'referenceLow',
  refhigh: 'referenceHigh',
  referencerange: 'referenceText',
  refrange: 'referenceText',
  ucum: 'unitCode',
  flag: 'abnormalFlag',
  effective: 'effectiveAt',
  observedat: 'effectiveAt',
  date: 'effectiveAt',
};

const fold = (header: string) =>
  header
    .normalize('NFD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();

export type ColumnMapping = { fields: (string | null)[]; ignored: string[]; problems: string[] };

/**
 * Which field each column of a file fills: an explicit `map` (`{ column heading: field }`) first, then the
 * field's own name or a common alias, case and punctuation aside. For record types a plain `mrn` column
 * names the patient. Columns that fill no field are `ignored`; a field filled twice is a problem.
 */
export function mapColumns(type: ImportType, headers: string[], map: Record<string, string> = {}): ColumnMapping {
  const fields: readonly string[] = importFields[type];
  const byFold = new Map(fields.map((f) => [fold(f), f]));
  const problems: string[] = [];
  for (const [column, field] of Object.entries(map)) {
    if (!headers.includes(column)) problems.push(`--map ${column}=${field}: the file has no column "${column}"`);
    if (!fields.includes(field)) problems.push(`--map ${column}=${field}: "${field}" is not a field of ${type} (${fields.join(', ')})`);
  }
  const mapped = headers.map((header) => {
    if (header in map) return fields.includes(map[header]!) ? map[header]! : null;
    const folded = fold(header);
    const alias = type === 'patients' ? headerAliases[folded] : folded === 'mrn' ? 'patientMrn' : headerAliases[folded];
    const field = byFold.get(folded) ?? alias;
    return field && fields.includes(field) ? field : null;
  });
  const seen = new Map<string, string>();
  mapped.forEach((field, i) => {
    if (!field) return;
    if (seen.has(field)) problems.push(`columns "${seen.get(field)}" and "${headers[i]}" both fill ${field}: drop one or --map it`);
    seen.set(field, headers[i]!);
  });
  return { fields: mapped, ignored: headers.filter((_, i) => mapped[i] === null), problems };
}

export const beginImportInput = z.object({
  type: z.enum(importTypes),
  /** Write the valid rows and report the rest, instead of writing nothing when a row is bad. */
  skipInvalid: z.boolean().default(false),
});
export type BeginImportInput = z.infer<typeof beginImportInput>;

export const IMPORT_BATCH_MAX = 2000;

export const importRow = z.object({
  /** The row's line in the source file (its first line, for a row spanning several): errors name it. */
  line: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
  values: boundedRecord(text().max(100), text().max(10_000), 100),
});

export const addImportRowsInput = z.object({
  importId: uuid,
  rows: z.array(importRow).min(1).max(IMPORT_BATCH_MAX),
});
export type AddImportRowsInput = z.infer<typeof addImportRowsInput>;

export const commitImportInput = z.object({
  importId: uuid,
  /** Report what the import would create, update and leave unchanged, and write nothing. */
  dryRun: z.boolean().default(false),
});
export type CommitImportInput = z.infer<typeof commitImportInput>;

export const importIdInput = z.object({ importId: uuid });
export type ImportIdInput = z.infer<typeof importIdInput>;

/* Outputs */
export const beginImportOutput = z.object({ id: z.string(), type: z.enum(importTypes), skipInvalid: z.boolean() });

/** One bad row: its line, the field at fault (`_` for the row as a whole) and why. */
export const importRowErrorOutput = z.object({ line: z.number(), field: z.string(), message: z.string() });
export type ImportRowError = z.infer<typeof importRowErrorOutput>;

export const addImportRowsOutput = z.object({
  accepted: z.number().describe('Rows of the batch staged'),
  invalid: z.number().describe('Rows of the batch refused (each with one or more errors)'),
  errors: z.array(importRowErrorOutput),
});

/** What a commit wrote (or, on a dry run, would write). */
export const commitImportOutput = z.object({
  importId: z.string(),
  type: z.enum(importTypes),
  dryRun: z.boolean(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  skipped: z.number().describe('Invalid rows left out (an import begun with skipInvalid)'),
});

export const cancelImportOutput = z.object({ importId: z.string(), cancelled: z.literal(true) });
