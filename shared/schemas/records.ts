import { z } from 'zod';
import { calendarDate, dateOutput, instantOutput, isoDateTime, measure, pageInput, pageOutput, pastOrToday, text, uuid } from './common.ts';
import { isUcumCode, ucumCodeOf } from '../ucum.ts';

/**
 * The clinical record: allergies, medications, conditions, observations (labs and vitals) and history.
 * Each kind has its fields, its statuses, and the same five procedures (list, create, update, setStatus,
 * history). `update` takes the whole record, so every rule below holds for the record as saved.
 */
const note = text().trim().max(4000).optional();
const pastDate = calendarDate.refine(pastOrToday, 'must not be in the future');
const coding = <const S extends readonly [string, ...string[]]>(systems: S) => z.object({ system: z.enum(systems), code: text().trim().min(1).max(32), display: text().max(200).optional() });

export const codeSystems = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
} as const;

export const recordStatuses = {
  allergy: ['active', 'inactive', 'resolved', 'entered-in-error'],
  medication: ['active', 'on-hold', 'completed', 'stopped', 'entered-in-error'],
  condition: ['active', 'recurrence', 'remission', 'resolved', 'inactive', 'entered-in-error'],
  observation: ['preliminary', 'final', 'amended', 'entered-in-error'],
  history: ['active', 'entered-in-error'],
} as const;
export type RecordKindName = keyof typeof recordStatuses;

/** FHIR's AllergyIntolerance categories: what kind of substance the allergy is to. */
export const allergyCategories = ['medication', 'food', 'environment', 'biologic'] as const;
export const allergySeverities = ['mild', 'moderate', 'severe'] as const;
export const medicationRoutes = ['oral', 'sublingual', 'topical', 'inhaled', 'intravenous', 'intramuscular', 'subcutaneous', 'rectal', 'other'] as const;
export const observationCategories = ['laboratory', 'vital-signs'] as const;
export const historyKinds = ['medical', 'surgical', 'family', 'social'] as const;

export const allergyFields = z.object({
  substance: text().trim().min(1).max(200),
  code: coding([codeSystems.snomed, codeSystems.rxnorm]).optional(),
  category: z.enum(allergyCategories).optional(),
  /** Each sign or symptom of the reaction ("hives", "wheezing"), one entry each, in order. */
  reactions: z.array(text().trim().min(1).max(500)).max(20).optional(),
  severity: z.enum(allergySeverities),
  onsetDate: pastDate.optional(),
  note,
});

export const medicationFields = z
  .object({
    name: text().trim().min(1).max(200),
    code: coding([codeSystems.rxnorm, codeSystems.snomed]).optional(),
    dose: text().trim().max(100).optional(),
    route: z.enum(medicationRoutes).optional(),
    frequency: text().trim().max(100).optional(),
    startDate: calendarDate.optional(),
    endDate: calendarDate.optional(),
    prescriber: text().trim().max(200).optional(),
    note,
  })
  .refine((m) => !m.startDate || !m.endDate || m.startDate <= m.endDate, { path: ['endDate'], message: 'must not be before the start date' });

export const conditionFields = z
  .object({
    name: text().trim().min(1).max(200),
    code: coding([codeSystems.icd10, codeSystems.snomed]).optional(),
    onsetDate: pastDate.optional(),
    abatementDate: pastDate.optional(),
    note,
  })
  .refine((c) => !c.onsetDate || !c.abatementDate || c.onsetDate <= c.abatementDate, { path: ['abatementDate'], message: 'must not be before the onset date' });

export const abnormalFlags = ['normal', 'low', 'high', 'critical-low', 'critical-high', 'abnormal'] as const;

export const observationFields = z
  .object({
    category: z.enum(observationCategories),
    name: text().trim().min(1).max(200),
    code: coding([codeSystems.loinc]).optional(),
    valueNumber: measure.optional(),
    valueText: text().trim().max(500).optional(),
    /** The unit as written ("mmol/L", "mmHg"). */
    unit: text().trim().min(1).max(40).optional(),
    /** The unit's UCUM code: given, or the unit itself when that is a UCUM code (see `ucumCodeOf`). */
    unitCode: text().trim().max(40).refine(isUcumCode, 'must be a UCUM code, e.g. mg/dL, 10*9/L or mm[Hg]').optional(),
    /** The reference range's limits, each inclusive (FHIR's low and high): 3.5-5.1, or <=5.7 as a high alone. */
    referenceLow: measure.optional(),
    referenceHigh: measure.optional(),
    /**
     * The reference range as the lab wrote it ("3.5-5.1", "<5.7", ">60", "negative"). A strict bound
     * (<5.7: 5.7 itself is out of range) is no inclusive limit, so it is kept here and not as one.
     */
    referenceText: text().trim().min(1).max(500).optional(),
    abnormalFlag: z.enum(abnormalFlags).optional(),
    effectiveAt: isoDateTime.refine((at) => new Date(at).getTime() <= Date.now() + 5 * 60_000, 'must not be in the future'),
    note,
  })
  .superRefine((o, ctx) => {
    const add = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (o.valueNumber === undefined && o.valueText === undefined) add('valueNumber', 'a value (number or text) is required');
    if (o.valueNumber !== undefined && o.valueText !== undefined) add('valueText', 'give a number or a text, not both');
    if (o.valueNumber !== undefined && !o.unit) add('unit', 'is required with a numeric value');
    if (o.unitCode !== undefined && !o.unit) add('unit', 'is required with a unit code');
    if (o.valueNumber === undefined && (o.referenceLow !== undefined || o.referenceHigh !== undefined)) add('referenceLow', 'a reference range needs a numeric value');
    if (o.referenceLow !== undefined && o.referenceHigh !== undefined && o.referenceLow > o.referenceHigh) add('referenceLow', 'must not be above the high end of the range');
  })
  .transform((o) => {
    const unitCode = o.unitCode ?? (o.unit ? ucumCodeOf(o.unit) : null);
    return unitCode ? { ...o, unitCode } : o;
  });

export const historyFields = z.object({
  kind: z.enum(historyKinds),
  description: text().trim().min(1).max(2000),
  relation: text().trim().max(100).optional(),
  onsetDate: pastDate.optional(),
  note,
});

export const recordFields = {
  allergy: allergyFields,
  medication: medicationFields,
  condition: conditionFields,
  observation: observationFields,
  history: historyFields,
} as const;

export const listRecordsInput = pageInput.extend({ patientId: uuid, status: text().max(40).optional() });
export type ListRecordsInput = z.infer<typeof listRecordsInput>;

export const recordIdInput = z.object({ id: uuid });
export const setRecordStatusInput = <K extends RecordKindName>(kind: K) => z.object({ id: uuid, status: z.enum(recordStatuses[kind]) });
export const createRecordInput = <K extends RecordKindName>(kind: K) => z.object({ patientId: uuid, fields: recordFields[kind] });
export const updateRecordInput = <K extends RecordKindName>(kind: K) => z.object({ id: uuid, fields: recordFields[kind] });

/*
 * Outputs. A record's fields are stored as its kind's schema saved them (the keys of unset optional fields
 * absent), so they are answered as they were given; the record's own columns come after them.
 */
const codingOutput = <const S extends readonly [string, ...string[]]>(systems: S) => z.object({ system: z.enum(systems), code: z.string(), display: z.string().optional() });

const allergyFieldsOutput = z.object({
  substance: z.string(),
  code: codingOutput([codeSystems.snomed, codeSystems.rxnorm]).optional(),
  category: z.enum(allergyCategories).optional(),
  reactions: z.array(z.string()).optional(),
  severity: z.enum(allergySeverities),
  onsetDate: dateOutput.optional(),
  note: z.string().optional(),
});

const medicationFieldsOutput = z.object({
  name: z.string(),
  code: codingOutput([codeSystems.rxnorm, codeSystems.snomed]).optional(),
  dose: z.string().optional(),
  route: z.enum(medicationRoutes).optional(),
  frequency: z.string().optional(),
  startDate: dateOutput.optional(),
  endDate: dateOutput.optional(),
  prescriber: z.string().optional(),
  note: z.string().optional(),
});

const conditionFieldsOutput = z.object({
  name: z.string(),
  code: codingOutput([codeSystems.icd10, codeSystems.snomed]).optional(),
  onsetDate: dateOutput.optional(),
  abatementDate: dateOutput.optional(),
  note: z.string().optional(),
});

const observationFieldsOutput = z.object({
  category: z.enum(observationCategories),
  name: z.string(),
  code: codingOutput([codeSystems.loinc]).optional(),
  valueNumber: z.number().optional(),
  valueText: z.string().optional(),
  unit: z.string().optional(),
  unitCode: z.string().optional().describe('The UCUM code of the unit'),
  referenceLow: z.number().optional().describe('The low end of the reference range, inclusive'),
  referenceHigh: z.number().optional().describe('The high end of the reference range, inclusive'),
  referenceText: z.string().optional().describe('The reference range as the lab wrote it ("3.5-5.1", "<5.7", "negative")'),
  abnormalFlag: z.enum(abnormalFlags).optional(),
  effectiveAt: instantOutput.describe('When it was observed: ISO 8601, with the offset it was given with'),
  note: z.string().optional(),
});

const historyFieldsOutput = z.object({
  kind: z.enum(historyKinds),
  description: z.string(),
  relation: z.string().optional().describe('Whose history it is, for family history ("mother")'),
  onsetDate: dateOutput.optional(),
  note: z.string().optional(),
});

const recordFieldsOutput = {
  allergy: allergyFieldsOutput,
  medication: medicationFieldsOutput,
  condition: conditionFieldsOutput,
  observation: observationFieldsOutput,
  history: historyFieldsOutput,
} as const;

/** A record of one kind: its fields, then its own columns (`recordKind`, as a history entry has a field `kind`). */
const recordOutput = <K extends RecordKindName, S extends z.core.$ZodShape>(recordKind: K, fields: z.ZodObject<S>) =>
  fields.extend({
    id: z.string(),
    patientId: z.string(),
    recordKind: z.literal(recordKind),
    status: z.enum(recordStatuses[recordKind]),
    version: z.number().describe('1 when created, one more with each change'),
    occurredAt: instantOutput.describe('When it happened (observation time, onset, start), else when it was recorded: the list order'),
    createdAt: instantOutput,
    createdBy: z.string().describe('The id of the user who recorded it'),
    updatedAt: instantOutput,
    updatedBy: z.string().describe('The id of the user who changed it last'),
  });

export const recordOutputs = {
  allergy: recordOutput('allergy', allergyFieldsOutput),
  medication: recordOutput('medication', medicationFieldsOutput),
  condition: recordOutput('condition', conditionFieldsOutput),
  observation: recordOutput('observation', observationFieldsOutput),
  history: recordOutput('history', historyFieldsOutput),
} as const;
export type RecordOutput<K extends RecordKindName> = z.infer<(typeof recordOutputs)[K]>;

export const recordPageOutputs = {
  allergy: pageOutput(recordOutputs.allergy),
  medication: pageOutput(recordOutputs.medication),
  condition: pageOutput(recordOutputs.condition),
  observation: pageOutput(recordOutputs.observation),
  history: pageOutput(recordOutputs.history),
} as const;

export const revisionActions = ['created', 'updated', 'status-changed'] as const;

/** One version of a record: who made it, when, and the record's status and fields before and after. */
const recordRevisionOutput = <K extends RecordKindName>(kind: K) => {
  const saved = z.object({ status: z.enum(recordStatuses[kind]), data: recordFieldsOutput[kind] });
  return z.object({
    version: z.number(),
    action: z.enum(revisionActions),
    changedBy: z.string().describe('The id of the user who made this version'),
    changedAt: instantOutput,
    before: saved.nullable().describe('Null for the version that created the record'),
    after: saved,
  });
};

/** Each kind's history: every version of a record, oldest first. */
export const recordHistoryOutputs = {
  allergy: z.array(recordRevisionOutput('allergy')),
  medication: z.array(recordRevisionOutput('medication')),
  condition: z.array(recordRevisionOutput('condition')),
  observation: z.array(recordRevisionOutput('observation')),
  history: z.array(recordRevisionOutput('history')),
} as const;
export type RecordHistoryOutput<K extends RecordKindName> = z.infer<(typeof recordHistoryOutputs)[K]>;
