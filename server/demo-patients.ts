import type { DateTime } from 'luxon';
import type { CreatePatientInput } from '../shared/schemas/patients.ts';
import type { RecordKindName } from '../shared/schemas/records.ts';

/**
 * The demo practice's patients, as a clinician would enter them through the API: the data only, written
 * by demo-seed.ts. Dates are relative to `today` (the practice's calendar day), so the demo always looks
 * current: assessments over the last weeks, visits behind and ahead.
 */
export type DemoPatient = {
  patient: CreatePatientInput;
  records: { kind: RecordKindName; fields: Record<string, unknown> }[];
  /** Submitted assessments, oldest first: the total and how many days ago; `item9` > 0 raises PHQ-9's self-harm alert. */
  assessments: { key: 'phq-9' | 'gad-7'; total: number; daysAgo: number; item9?: number }[];
};

const ago = (today: DateTime, days: number) => today.minus({ days }).toISODate()!;
const at = (today: DateTime, days: number, hour = 10) => today.minus({ days }).set({ hour }).toUTC().toISO()!;
const icd10 = (code: string) => ({ system: 'http://hl7.org/fhir/sid/icd-10', code });
const loinc = (code: string) => ({ system: 'http://loinc.org', code });

const bloodPressure = (today: DateTime, daysAgo: number, systolic: number) => ({
  kind: 'observation' as const,
  fields: {
    category: 'vital-signs',
    name: 'Systolic blood pressure',
    code: loinc('8480-6'),
    valueNumber: systolic,
    unit: 'mmHg',
    unitCode: 'mm[Hg]',
    referenceHigh: 139,
    effectiveAt: at(today, daysAgo),
  },
});
const heartRate = (today: DateTime, daysAgo: number, bpm: number) => ({
  kind: 'observation' as const,
  fields: { category: 'vital-signs', name: 'Heart rate', code: loinc('8867-4'), valueNumber: bpm, unit: '/min', referenceLow: 50, referenceHigh: 100, effectiveAt: at(today, daysAgo) },
});

export function demoPatients(today: DateTime): DemoPatient[] {
  return [
    {
      // The care-loop patient: a PHQ-9 and GAD-7 trend going down, and the note with its checklist and plan.
      patient: { givenName: 'Aoife', familyName: 'Byrne', birthDate: '1988-04-12', gender: 'female', email: 'aoife.byrne@demo.pams.test', phone: '+353861234501' },
      records: [
        { kind: 'condition', fields: { name: 'Depressive episode, moderate', code: icd10('F32.1'), onsetDate: ago(today, 120) } },
        { kind: 'medication', fields: { name: 'Sertraline', dose: '100 mg', route: 'oral', frequency: 'once daily, morning', startDate: ago(today, 84), prescriber: 'Dr Carys Jones' } },
        { kind: 'allergy', fields: { substance: 'Penicillin', category: 'medication', severity: 'moderate', reactions: ['hives'], onsetDate: '2009-06-01' } },
        heartRate(today, 7, 72),
        { kind: 'history', fields: { kind: 'family', description: 'Mother: depression', relation: 'mother' } },
      ],
      assessments: [
        { key: 'phq-9', total: 18, daysAgo: 56 },
        { key: 'gad-7', total: 14, daysAgo: 56 },
        { key: 'phq-9', total: 15, daysAgo: 42 },
        { key: 'phq-9', total: 12, daysAgo: 28 },
        { key: 'gad-7', total: 10, daysAgo: 28 },
        { key: 'phq-9', total: 9, daysAgo: 14 },
        { key: 'phq-9', total: 7, daysAgo: 7 },
        { key: 'gad-7', total: 6, daysAgo: 7 },
      ],
    },
    {
      // The flagged one: worsening, and the latest PHQ-9 answers item 9 (thoughts of self-harm).
      patient: { givenName: 'Liam', familyName: 'Murphy', birthDate: '1995-09-30', gender: 'male', phone: '+353871234502' },
      records: [
        { kind: 'condition', fields: { name: 'Recurrent depressive disorder', code: icd10('F33.1'), onsetDate: ago(today, 400) } },
        { kind: 'medication', fields: { name: 'Mirtazapine', dose: '30 mg', route: 'oral', frequency: 'at night', startDate: ago(today, 60) } },
        heartRate(today, 2, 88),
      ],
      assessments: [
        { key: 'phq-9', total: 12, daysAgo: 35 },
        { key: 'phq-9', total: 16, daysAgo: 21 },
        { key: 'gad-7', total: 15, daysAgo: 21 },
        { key: 'phq-9', total: 21, daysAgo: 2, item9: 2 },
      ],
    },
    {
      patient: { givenName: 'Siobhán', familyName: 'Kelly', birthDate: '1961-02-03', gender: 'female', email: 'siobhan.kelly@demo.pams.test' },
      records: [
        { kind: 'condition', fields: { name: 'Essential hypertension', code: icd10('I10'), onsetDate: ago(today, 900) } },
        { kind: 'medication', fields: { name: 'Amlodipine', dose: '5 mg', route: 'oral', frequency: 'once daily', startDate: ago(today, 850) } },
        bloodPressure(today, 30, 152),
        bloodPressure(today, 3, 138),
      ],
      assessments: [{ key: 'gad-7', total: 5, daysAgo: 30 }],
    },
    {
      patient: { givenName: 'Tomasz', familyName: 'Nowak', birthDate: '1979-11-17', gender: 'male', preferredLanguage: 'pl' },
      records: [
        { kind: 'condition', fields: { name: 'Type 2 diabetes mellitus', code: icd10('E11.9'), onsetDate: ago(today, 1500) } },
        { kind: 'medication', fields: { name: 'Metformin', dose: '1 g', route: 'oral', frequency: 'twice daily', startDate: ago(today, 1480) } },
        {
          kind: 'observation',
          fields: { category: 'laboratory', name: 'HbA1c', code: loinc('4548-4'), valueNumber: 7.4, unit: '%', referenceHigh: 6.4, abnormalFlag: 'high', effectiveAt: at(today, 20, 9) },
        },
      ],
      assessments: [{ key: 'phq-9', total: 6, daysAgo: 20 }],
    },
    {
      patient: { givenName: 'Grace', familyName: 'Okafor', birthDate: '2001-07-22', gender: 'female', email: 'grace.okafor@demo.pams.test' },
      records: [
        { kind: 'condition', fields: { name: 'Generalised anxiety disorder', code: icd10('F41.1'), onsetDate: ago(today, 200) } },
        { kind: 'allergy', fields: { substance: 'Peanut', category: 'food', severity: 'severe', reactions: ['throat swelling', 'wheezing'] } },
      ],
      assessments: [
        { key: 'gad-7', total: 16, daysAgo: 42 },
        { key: 'gad-7', total: 13, daysAgo: 21 },
        { key: 'gad-7', total: 11, daysAgo: 5 },
      ],
    },
    {
      patient: { givenName: 'Pádraig', familyName: "O'Sullivan", birthDate: '1954-05-09', gender: 'male' },
      records: [
        { kind: 'condition', fields: { name: 'Chronic obstructive pulmonary disease', code: icd10('J44.9'), onsetDate: ago(today, 2200) } },
        { kind: 'medication', fields: { name: 'Tiotropium', dose: '18 mcg', route: 'inhaled', frequency: 'once daily', startDate: ago(today, 2100) } },
        { kind: 'history', fields: { kind: 'social', description: 'Former smoker, 30 pack-years; stopped in 2015' } },
      ],
      assessments: [],
    },
    {
      patient: { givenName: 'Chloé', familyName: 'Martin', birthDate: '1990-12-01', gender: 'female', preferredLanguage: 'fr' },
      records: [
        { kind: 'condition', fields: { name: 'Migraine without aura', code: icd10('G43.0'), onsetDate: ago(today, 700) } },
        { kind: 'medication', fields: { name: 'Sumatriptan', dose: '50 mg', route: 'oral', frequency: 'as needed', startDate: ago(today, 690) } },
      ],
      assessments: [{ key: 'phq-9', total: 4, daysAgo: 10 }],
    },
    {
      patient: { givenName: 'Rajesh', familyName: 'Patel', birthDate: '1972-03-28', gender: 'male', email: 'rajesh.patel@demo.pams.test' },
      records: [
        { kind: 'condition', fields: { name: 'Hyperlipidaemia', code: icd10('E78.5'), onsetDate: ago(today, 1000) } },
        { kind: 'medication', fields: { name: 'Atorvastatin', dose: '20 mg', route: 'oral', frequency: 'at night', startDate: ago(today, 990) } },
        { kind: 'observation', fields: { category: 'laboratory', name: 'LDL cholesterol', code: loinc('13457-7'), valueNumber: 2.9, unit: 'mmol/L', referenceHigh: 3, effectiveAt: at(today, 40, 9) } },
      ],
      assessments: [],
    },
    {
      patient: { givenName: 'Niamh', familyName: 'Walsh', birthDate: '1983-08-14', gender: 'female' },
      records: [
        { kind: 'condition', fields: { name: 'Postnatal depression', code: icd10('F53.0'), onsetDate: ago(today, 150) } },
        { kind: 'history', fields: { kind: 'medical', description: 'Second child born five months ago' } },
      ],
      assessments: [
        { key: 'phq-9', total: 14, daysAgo: 28 },
        { key: 'phq-9', total: 11, daysAgo: 9 },
      ],
    },
    {
      patient: { givenName: 'Oisín', familyName: 'Doyle', birthDate: '2008-01-19', gender: 'male' },
      records: [
        { kind: 'condition', fields: { name: 'Asthma', code: icd10('J45.9'), onsetDate: '2014-03-01' } },
        { kind: 'medication', fields: { name: 'Salbutamol', dose: '100 mcg', route: 'inhaled', frequency: 'as needed', startDate: '2014-03-01' } },
      ],
      assessments: [],
    },
    {
      patient: { givenName: 'Maria', familyName: 'Santos', birthDate: '1966-10-05', gender: 'female', preferredLanguage: 'pt-BR' },
      records: [
        { kind: 'condition', fields: { name: 'Hypothyroidism', code: icd10('E03.9'), onsetDate: ago(today, 3000) } },
        { kind: 'medication', fields: { name: 'Levothyroxine', dose: '75 mcg', route: 'oral', frequency: 'once daily, fasting', startDate: ago(today, 2990) } },
        {
          kind: 'observation',
          fields: {
            category: 'laboratory',
            name: 'TSH',
            code: loinc('3016-3'),
            valueNumber: 2.1,
            unit: 'mIU/L',
            unitCode: 'm[IU]/L',
            referenceLow: 0.4,
            referenceHigh: 4,
            effectiveAt: at(today, 60, 9),
          },
        },
      ],
      assessments: [{ key: 'gad-7', total: 3, daysAgo: 60 }],
    },
    {
      patient: { givenName: 'Declan', familyName: 'Brennan', birthDate: '1949-06-23', gender: 'male' },
      records: [
        { kind: 'condition', fields: { name: 'Atrial fibrillation', code: icd10('I48.91'), onsetDate: ago(today, 500) } },
        { kind: 'medication', fields: { name: 'Apixaban', dose: '5 mg', route: 'oral', frequency: 'twice daily', startDate: ago(today, 495) } },
        { kind: 'allergy', fields: { substance: 'Codeine', category: 'medication', severity: 'mild', reactions: ['nausea'] } },
        heartRate(today, 14, 96),
      ],
      assessments: [{ key: 'phq-9', total: 8, daysAgo: 14 }],
    },
  ];
}

/** The note of the care-loop patient, and the checklist and plan its extraction would have made: each item quotes its passage. */
export const demoNote = {
  body: [
    'Review of low mood, week 12 of sertraline. PHQ-9 down to 7 from 18 at the start; sleeping better, back at work part-time.',
    'Plan agreed with Aoife:',
    '- Book a blood test at the surgery this week (routine bloods before the medication review)',
    '- Bring the sleep diary to the next visit',
    '- Take sertraline 100 mg every morning at 08:00',
    '- Walk for 30 minutes every day',
    '- Fill in the mood diary once a week',
  ].join('\n'),
  daysAgo: 7,
  checklist: [
    { title: 'Book a blood test at the surgery', passage: 'Book a blood test at the surgery this week', done: true },
    { title: 'Bring the sleep diary to the next visit', passage: 'Bring the sleep diary to the next visit', done: false },
  ],
  plan: [
    { title: 'Take sertraline 100 mg', passage: 'Take sertraline 100 mg every morning at 08:00', cadence: 'daily' as const, timeOfDay: '08:00' },
    { title: 'Walk for 30 minutes', passage: 'Walk for 30 minutes every day', cadence: 'daily' as const, timeOfDay: '18:00' },
    { title: 'Fill in the mood diary', passage: 'Fill in the mood diary once a week', cadence: 'weekly' as const, timeOfDay: '19:00' },
  ],
};
