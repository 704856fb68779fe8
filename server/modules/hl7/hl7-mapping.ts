import type { z } from 'zod';
import type { AdministrativeGender } from '../../../shared/enums.ts';
import { codeSystems, type abnormalFlags, type allergyCategories } from '../../../shared/schemas/records.ts';
import { isUcumCode } from '../../../shared/ucum.ts';
import { Hl7Error } from './hl7-ack.ts';
import { calendarDate, instant, read, repetitions, type Hl7Segment } from './hl7-text.ts';

/**
 * What PAMS takes from each segment, as plain values for the same zod schemas the API uses. The schemas'
 * complaints come back as AE errors located at the segment field they came from (`locate`).
 */

/** ERR-2: segment^sequence^field^^component. */
export const location = (segment: string, sequence: number, field: number, component?: number) => `${segment}^${sequence}^${field}${component ? `^^${component}` : ''}`;

/** A zod issue as an AE at the field a path came from. */
export function schemaError(issue: z.core.$ZodIssue, fields: Record<string, string>, fallback: string): Hl7Error {
  const key = issue.path.map(String).find((p) => p in fields) ?? issue.path.map(String).join('.');
  const code = issue.code === 'invalid_type' && issue.input === undefined ? 101 : issue.code === 'invalid_value' ? 103 : 102;
  return new Hl7Error('AE', code, `${key}: ${code === 101 ? 'is required' : issue.message}`, fields[key] ?? fallback);
}

const sexes: Record<string, AdministrativeGender> = { M: 'male', F: 'female', O: 'other', A: 'other', N: 'other', U: 'unknown' };

/** The MRN of a PID: the identifier of type MR (PID-3.5), else the first one. */
export function pidMrn(pid: Hl7Segment): string {
  const count = repetitions(pid, 3);
  for (let i = 0; i < count; i++) if (read(pid, 3, 5, i).toUpperCase() === 'MR') return read(pid, 3, 1, i);
  return read(pid, 3, 1, 0);
}

/** Where each patient input field comes from, for errors. */
export const pidFields = {
  mrn: 'PID^1^3',
  givenName: 'PID^1^5^^2',
  middleNames: 'PID^1^5^^3',
  familyName: 'PID^1^5^^1',
  birthDate: 'PID^1^7',
  gender: 'PID^1^8',
  address: 'PID^1^11',
  phone: 'PID^1^13',
  email: 'PID^1^13^^4',
};

/**
 * The patient fields of a PID, only those present (an A08 may send less than the whole patient), and
 * those present that could not be read, each with its error: an update applies the rest.
 */
export function pidPatient(pid: Hl7Segment) {
  const sex = read(pid, 8).toUpperCase();
  const birth = read(pid, 7);
  const unreadable: Record<string, Hl7Error> = {};
  if (birth && !calendarDate(birth)) unreadable.birthDate = new Hl7Error('AE', 102, 'birth date must be an HL7 date, YYYYMMDD, in the years 0001-9999', pidFields.birthDate);
  if (sex && !sexes[sex]) unreadable.gender = new Hl7Error('AE', 103, `sex ${sex} is not one of M, F, O, A, N, U`, pidFields.gender);
  let phone: string | undefined;
  let email: string | undefined;
  for (let i = 0; i < repetitions(pid, 13); i++) {
    const isEmail = read(pid, 13, 2, i) === 'NET' || read(pid, 13, 3, i).toLowerCase() === 'internet';
    if (isEmail) email ??= read(pid, 13, 4, i) || undefined;
    else phone ??= read(pid, 13, 12, i) || read(pid, 13, 1, i) || ([5, 6, 7].map((c) => read(pid, 13, c, i)).join('') ? `+${[5, 6, 7].map((c) => read(pid, 13, c, i)).join('')}` : undefined);
  }
  const street = [read(pid, 11, 1), read(pid, 11, 2)].filter(Boolean);
  const address =
    street.length || read(pid, 11, 3)
      ? { lines: street, city: read(pid, 11, 3), region: read(pid, 11, 4) || undefined, postalCode: read(pid, 11, 5) || undefined, country: read(pid, 11, 6).toUpperCase() }
      : undefined;
  // A name sent is the whole name: without PID-5.3 it has no middle names (an update clears them).
  const named = Boolean(read(pid, 5, 1) || read(pid, 5, 2));
  const fields = {
    mrn: pidMrn(pid) || undefined,
    familyName: read(pid, 5, 1) || undefined,
    givenName: read(pid, 5, 2) || undefined,
    middleNames: named ? read(pid, 5, 3).split(/\s+/).filter(Boolean) : undefined,
    birthDate: calendarDate(birth) ?? undefined,
    gender: sexes[sex],
    phone,
    email,
    address,
  };
  return { fields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<typeof fields>, unreadable };
}

/** PV1-7, the attending doctor: an id (a PAMS user id or email) and a name, to find a clinician by. */
export function attendingDoctor(pv1: Hl7Segment | undefined) {
  if (!pv1) return null;
  const id = read(pv1, 7, 1);
  const family = read(pv1, 7, 2);
  const given = read(pv1, 7, 3);
  return id || family ? { id, name: [given, family].filter(Boolean).join(' ') } : null;
}

const severities: Record<string, 'mild' | 'moderate' | 'severe'> = { SV: 'severe', MO: 'moderate', MI: 'mild', SEVERE: 'severe', MODERATE: 'moderate', MILD: 'mild' };

export const al1Fields = (n: number) => ({
  category: location('AL1', n, 2),
  substance: location('AL1', n, 3, 2),
  code: location('AL1', n, 3, 1),
  severity: location('AL1', n, 4),
  reactions: location('AL1', n, 5),
  onsetDate: location('AL1', n, 6),
});

/**
 * AL1-2, HL7 table 0127 (allergen type), in FHIR's categories: drug, food, and the environmental ones
 * (environmental, animal, plant, pollen). MA (miscellaneous allergy), MC (miscellaneous contraindication)
 * and a site's own codes (the table is user-defined) name no FHIR category, so the allergy has none.
 */
const allergenTypes: Record<string, (typeof allergyCategories)[number]> = { DA: 'medication', FA: 'food', EA: 'environment', AA: 'environment', PA: 'environment', LA: 'environment' };

/** An AL1 as allergy fields, and its natural key: the allergen's code, else its name. */
export function al1Allergy(al1: Hl7Segment, n: number) {
  const code = read(al1, 3, 1);
  const text = read(al1, 3, 2) || code;
  const system = read(al1, 3, 3).toUpperCase();
  const codeSystem = system === 'SCT' || system === 'SNM' || system === 'SNOMED' ? codeSystems.snomed : system === 'RXNORM' || system === 'RXN' ? codeSystems.rxnorm : null;
  const severity = read(al1, 4, 1).toUpperCase();
  if (!severity) throw new Hl7Error('AE', 101, 'allergy severity is required (SV, MO or MI)', al1Fields(n).severity);
  if (!severities[severity]) throw new Hl7Error('AE', 103, `allergy severity ${severity} is not one of SV, MO, MI`, al1Fields(n).severity);
  // Each repetition of AL1-5 is one sign or symptom: its text (CWE.2 in v2.6+), else its code or text.
  const reactions = Array.from({ length: repetitions(al1, 5) }, (_, i) => read(al1, 5, 2, i) || read(al1, 5, 1, i)).filter(Boolean);
  const onset = calendarDate(read(al1, 6));
  const category = allergenTypes[read(al1, 2, 1).toUpperCase()];
  const fields = {
    substance: text,
    ...(code && codeSystem && { code: { system: codeSystem, code, display: text } }),
    ...(category && { category }),
    severity: severities[severity],
    ...(reactions.length && { reactions }),
    ...(onset && { onsetDate: onset }),
  };
  return { fields, importKey: `hl7:al1:${(code || text).toLowerCase()}`.slice(0, 200) };
}

const flags: Record<string, (typeof abnormalFlags)[number]> = { N: 'normal', L: 'low', H: 'high', LL: 'critical-low', HH: 'critical-high', A: 'abnormal', AA: 'abnormal', '<': 'low', '>': 'high' };
const resultStatuses: Record<string, 'preliminary' | 'final' | 'amended' | 'entered-in-error'> = { P: 'preliminary', F: 'final', C: 'amended', W: 'entered-in-error' };
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

export const obxFields = (n: number) => ({
  name: location('OBX', n, 3, 2),
  code: location('OBX', n, 3, 1),
  valueNumber: location('OBX', n, 5),
  valueText: location('OBX', n, 5),
  unit: location('OBX', n, 6),
  unitCode: location('OBX', n, 6, 1),
  referenceLow: location('OBX', n, 7),
  referenceHigh: location('OBX', n, 7),
  referenceText: location('OBX', n, 7),
  abnormalFlag: location('OBX', n, 8),
  effectiveAt: location('OBX', n, 14),
});

/**
 * OBX-7 as written, and its inclusive limits where it has them: "3.5-5.1" both, "<=5.7" a high, ">=60" a
 * low. A strict bound ("<5.7", ">60") excludes its number, which an inclusive limit cannot say: it stays
 * text only. Limits are kept for numeric results alone (the schema's rule); the text for any result.
 */
function referenceRange(text: string, numeric: boolean): { referenceLow?: number; referenceHigh?: number; referenceText?: string } {
  if (!text) return {};
  const limits = numeric ? referenceLimits(text) : {};
  return { ...limits, referenceText: text };
}

function referenceLimits(text: string): { referenceLow?: number; referenceHigh?: number } {
  const between = /^(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)$/.exec(text);
  if (between) return { referenceLow: Number(between[1]), referenceHigh: Number(between[2]) };
  const bound = /^(<=|>=)\s*(-?\d+(?:\.\d+)?)$/.exec(text);
  if (bound) return bound[1] === '<=' ? { referenceHigh: Number(bound[2]) } : { referenceLow: Number(bound[2]) };
  return {};
}

/**
 * OBX-6: the unit as written (its code, else its text), and its UCUM code when OBX-6.3 names UCUM and the
 * code is one; a unit that is itself a UCUM code gets its code from the schema (`ucumCodeOf`).
 */
function units(obx: Hl7Segment): { unit?: string; unitCode?: string } {
  const code = read(obx, 6, 1);
  const unit = code || read(obx, 6, 2);
  if (!unit) return {};
  return { unit, ...(code && read(obx, 6, 3).toUpperCase() === 'UCUM' && isUcumCode(code) && { unitCode: code }) };
}

/**
 * An OBX as observation fields: the value by its type (OBX-2), units, range, flag, and the time (OBX-14,
 * else the order's OBR-7). Its natural key: the order, the test and the time.
 */
export function obxObservation(obx: Hl7Segment, n: number, orderTime: string, orderId: string, zone: string) {
  const type = read(obx, 2).toUpperCase();
  const raw = type === 'CE' || type === 'CWE' ? read(obx, 5, 2) || read(obx, 5, 1) : type === 'SN' ? read(obx, 5, 2) : read(obx, 5);
  const comparator = type === 'SN' ? read(obx, 5, 1) : '';
  const numeric = (type === 'NM' || type === 'SN') && !comparator;
  if (numeric && raw && !NUMBER.test(raw)) throw new Hl7Error('AE', 102, `the value of a ${type} result must be a number`, location('OBX', n, 5));
  const codeId = read(obx, 3, 1);
  const system = read(obx, 3, 3).toUpperCase();
  const timeText = read(obx, 14) || orderTime;
  const effectiveAt = timeText ? instant(timeText, zone) : null;
  if (timeText && !effectiveAt) throw new Hl7Error('AE', 102, 'the observation time must be an HL7 date-time', location('OBX', n, 14));
  const flag = flags[read(obx, 8).toUpperCase()];
  const fields = {
    category: 'laboratory',
    name: read(obx, 3, 2) || codeId,
    ...(codeId && (system === 'LN' || system === 'LOINC') && { code: { system: codeSystems.loinc, code: codeId, ...(read(obx, 3, 2) && { display: read(obx, 3, 2) }) } }),
    ...(numeric ? { valueNumber: raw === '' ? undefined : Number(raw) } : { valueText: raw ? `${comparator}${raw}` : undefined }),
    ...units(obx),
    ...referenceRange(read(obx, 7), numeric),
    ...(flag && { abnormalFlag: flag }),
    effectiveAt: effectiveAt ?? undefined,
  };
  const status = resultStatuses[read(obx, 11).toUpperCase()] ?? 'final';
  return { fields, status, importKey: `hl7:obx:${orderId}:${(codeId || fields.name).toLowerCase()}:${effectiveAt ?? ''}`.slice(0, 200) };
}
