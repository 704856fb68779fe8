import { z } from 'zod';
import { calendarDate, isoDateTime, measure, pageInput, text, uuid } from './common.ts';
import { isUcumCode, ucumCodeOf } from '../ucum.ts';
import { pastOrToday } from './patients.ts';

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

export const allergyFields = z.object({
  substance: text().trim().min(1).max(200),
  code: coding([codeSystems.snomed, codeSystems.rxnorm]).optional(),
  category: z.enum(allergyCategories).optional(),
  /** Each sign or symptom of the reaction ("hives", "wheezing"), one entry each, in order. */
  reactions: z.array(text().trim().min(1).max(500)).max(20).optional(),
  severity: z.enum(['mild', 'moderate', 'severe']),
  onsetDate: pastDate.optional(),
  note,
});

export const medicationFields = z
  .object({
    name: text().trim().min(1).max(200),
    code: coding([codeSystems.rxnorm, codeSystems.snomed]).optional(),
    dose: text().trim().max(100).optional(),
    route: z.enum(['oral', 'sublingual', 'topical', 'inhaled', 'intravenous', 'intramuscular', 'subcutaneous', 'rectal', 'other']).optional(),
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
    category: z.enum(['laboratory', 'vital-signs']),
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
  kind: z.enum(['medical', 'surgical', 'family', 'social']),
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
