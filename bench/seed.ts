import { DateTime } from 'luxon';
import pg from 'pg';
import { createPatientInput } from '../shared/schemas/patients.ts';
import { codeSystems, recordFields, type RecordKindName } from '../shared/schemas/records.ts';
import { newId } from '../server/ids.ts';
import { closeOrm, initOrm } from '../server/orm.ts';
import { scoreAnswers } from '../server/modules/assessments/scoring.ts';
import { patientColumn, patientColumnType, type PatientColumnProperty } from '../server/modules/patients/patient-columns.ts';
import { patientNameKeys, phoneDigits } from '../server/modules/patients/search-text.ts';
import { bootstrapPractice, createActiveUser } from '../server/modules/practices/bootstrap.service.ts';
import { phq9 } from '../server/modules/questionnaires/builtins.ts';
import { syncBuiltinQuestionnaires } from '../server/modules/questionnaires/seed.service.ts';

/**
 * Bulk seeding for `npm run bench`: one practice, its admin and clinicians through PAMS's own services
 * (so their passwords are real Argon2 hashes), then patients and their charts straight into PostgreSQL
 * with `pg`, `INSERT … SELECT * FROM unnest($1::uuid[], …)` in batches of patients, one transaction per
 * batch, two connections taking batches in turn (the next batch is generated while one is written).
 *
 * Per patient: one care-team clinician (patient i → clinician i mod C); three clinical records
 * (observation, medication, and an allergy or a second observation), each with its `created` revision;
 * one submitted PHQ-9, scored by PAMS's scoring code, with an alert when it raises a flag; and for every
 * third patient of a clinician a completed past appointment. Everything is drawn from a fixed-seed PRNG,
 * so two runs with the same N seed the same data (ids and timestamps aside).
 */

export const BATCH = 5_000;
export const APPOINTMENT_MINUTES = 20;
/** Weekly hours of every clinician, Monday to Friday, in the practice's time zone. */
export const HOURS = { weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' } as const;
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
/** Appointments that fit one working day, back to back from the start of the hours. */
export const SLOTS_PER_DAY = Math.floor((minutesOf(HOURS.end) - minutesOf(HOURS.start)) / APPOINTMENT_MINUTES);
const TIME_ZONE = 'Europe/Dublin';

/**
 * Slot k of a clinician's diary: the (k mod slots-a-day)-th visit of the (k div slots-a-day)-th working
 * day from next Monday on, in the practice's time zone (an ISO instant). Distinct k, distinct slots.
 */
export function bookableSlot(timeZone: string, k: number): string {
  const [startHour, startMinute] = HOURS.start.split(':').map(Number) as [number, number];
  const firstMonday = DateTime.now().setZone(timeZone).startOf('week').plus({ weeks: 1 });
  const day = Math.floor(k / SLOTS_PER_DAY);
  const date = firstMonday.plus({ days: Math.floor(day / HOURS.weekdays.length) * 7 + (HOURS.weekdays[day % HOURS.weekdays.length]! - 1) });
  return date
    .set({ hour: startHour, minute: startMinute })
    .plus({ minutes: (k % SLOTS_PER_DAY) * APPOINTMENT_MINUTES })
    .toUTC()
    .toISO()!;
}

/** A clinician's note of typical length (~600 characters), for the runs that create notes. */
export const BENCH_NOTE =
  'Follow-up for hypertension. BP 148/92 today, 152/95 last visit. Reports good adherence to amlodipine, mild ankle swelling in the evenings. No chest pain, no headaches. Discussed salt intake and exercise.\n- Take amlodipine 5 mg daily at 08:00\n- Walk 30 minutes every day\n- Book a blood test (U&E, lipids) at the lab\n- Measure blood pressure at home every morning and bring the readings\nReview in four weeks.';

export type SeedOptions = {
  url: string;
  patients: number;
  clinicians: number;
  admin: { email: string; password: string };
  /** Clinicians are clinician1@…, clinician2@… with this password. */
  clinicianPassword: string;
  log: (line: string) => void;
};

export type Seeded = {
  practiceId: string;
  timeZone: string;
  adminId: string;
  clinicians: { id: string; email: string }[];
  appointmentTypeId: string;
  phq9: { questionnaireId: string; versionId: string };
  /** Up to 2,000 active patients on the first clinician's care team: ids and "given family" names. */
  sample: { ids: string[]; names: string[] };
  /** Wall time of the whole seed (services, bulk rows, VACUUM ANALYZE) and of its parts. */
  ms: { total: number; setup: number; bulk: number; analyze: number };
  rows: Record<string, number>;
};

// --- Realistic small lists -------------------------------------------------------------------------

// biome-ignore format: a list of names reads as a paragraph, not one name a line
const givenNames = [
  'José', 'María', 'Siobhán', 'Seán', 'Aoife', 'Niamh', 'Pádraig', 'Zoë', 'Chloé', 'François', 'Björn', 'Jürgen',
  'Łukasz', 'Agnieszka', 'Mohammed', 'Fatima', 'Anna', 'Mark', 'Martin', 'Mary', 'Margaret', 'John', 'James', 'Emma',
  'Olivia', 'Noah', 'Liam', 'Sophie', 'Wei', 'Priya', 'Aarav', 'Ana', 'João', 'Inês', 'Andrés', 'Sofía', 'Lucía',
  'Hugo', 'Léa', 'Renée', 'Dmitri', 'Olga', 'Katarzyna', 'Tomás', 'Eoin', 'Ciarán', 'Róisín', 'Gráinne', 'David',
  'Sarah', 'Michael', 'Laura', 'Peter', 'Helen', 'Thomas', 'Karen', 'Paul', 'Rachel', 'Daniel', 'Marta',
];
// biome-ignore format: as givenNames
const familyNames = [
  'Ó Briain', 'Müller', 'García', 'Núñez', "O'Connor", 'Murphy', 'Kelly', 'Byrne', 'Ryan', 'Walsh', "O'Sullivan",
  'Mac Giolla Phádraig', 'Nguyen', 'Smith', 'Jones', 'Williams', 'Brown', 'Martin', 'Martínez', 'López', 'González',
  'Fernández', 'Rodríguez', 'Pérez', 'Schmidt', 'Schröder', 'Fischer', 'Weiß', 'Kowalski', 'Nowak', 'Wiśniewska',
  'Dubois', 'Lefèvre', 'Moreau', 'Rossi', 'Bianchi', 'Esposito', 'Silva', 'Santos', 'Conceição', 'Ivanov', 'Petrova',
  'Chen', 'Wang', 'Li', 'Kim', 'Park', 'Patel', 'Singh', 'Khan', 'Ahmed', 'Ní Bhriain', 'Mac Cárthaigh', 'Doyle',
  'Gallagher', 'Doherty', 'Kennedy', 'Lynch', 'Quinn', 'Marsh',
];
const streets = ['Main Street', 'Church Road', 'Station Road', 'Strand Road', 'Bóthar na Trá', 'Rue de la Paix', 'Hauptstraße', 'Calle Mayor'];
const cities = [
  { city: 'Dublin', postalCode: 'D08 X2Y4', country: 'IE' },
  { city: 'Cork', postalCode: 'T12 K8AF', country: 'IE' },
  { city: 'Galway', postalCode: 'H91 E2K8', country: 'IE' },
  { city: 'Belfast', postalCode: 'BT1 5GS', country: 'GB' },
  { city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
];
const languages = ['en', 'en', 'en', 'ga', 'pl', 'pt-BR', 'es', 'fr', 'de', null];
const genders = ['female', 'male', 'female', 'male', 'other', 'unknown'] as const;

const allergies = [
  { substance: 'Penicillin', code: '764146007', reaction: 'Hives', system: codeSystems.snomed },
  { substance: 'Peanut', code: '762952008', reaction: 'Anaphylaxis', system: codeSystems.snomed },
  { substance: 'Latex', code: '111088007', reaction: 'Contact dermatitis', system: codeSystems.snomed },
  { substance: 'Ibuprofen', code: '5640', reaction: 'Wheeze', system: codeSystems.rxnorm },
  { substance: 'Cat dander', code: '260152009', reaction: 'Rhinitis', system: codeSystems.snomed },
];
const medications = [
  { name: 'Sertraline 50 mg tablet', code: '312940', dose: '50 mg', frequency: 'once daily' },
  { name: 'Metformin 500 mg tablet', code: '861007', dose: '500 mg', frequency: 'twice daily' },
  { name: 'Atorvastatin 20 mg tablet', code: '617310', dose: '20 mg', frequency: 'once daily at night' },
  { name: 'Lisinopril 10 mg tablet', code: '314076', dose: '10 mg', frequency: 'once daily' },
  { name: 'Salbutamol 100 mcg inhaler', code: '745752', dose: '2 puffs', frequency: 'as needed', route: 'inhaled' },
];
const observations = [
  { category: 'vital-signs', name: 'Systolic blood pressure', code: '8480-6', unit: 'mm[Hg]', low: 90, high: 120, mean: 125, sd: 15 },
  { category: 'vital-signs', name: 'Heart rate', code: '8867-4', unit: '/min', low: 60, high: 100, mean: 76, sd: 12 },
  { category: 'vital-signs', name: 'Body weight', code: '29463-7', unit: 'kg', low: undefined, high: undefined, mean: 78, sd: 16 },
  { category: 'laboratory', name: 'Hemoglobin A1c', code: '4548-4', unit: '%', low: 4, high: 5.6, mean: 5.8, sd: 0.9 },
  { category: 'laboratory', name: 'Cholesterol [Mass/volume] in Serum or Plasma', code: '2093-3', unit: 'mg/dL', low: 125, high: 200, mean: 190, sd: 35 },
] as const;
const phq9ItemIds = phq9.items.filter((i) => i.id.startsWith('phq9.')).map((i) => i.id);
const frequencyValues = ['not-at-all', 'several-days', 'more-than-half', 'nearly-every-day'];
const difficultyValues = ['not-difficult-at-all', 'somewhat-difficult', 'very-difficult', 'extremely-difficult'];

// --- Deterministic randomness ----------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence for the same seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    /** An index drawn with the given weights (summing to 1). */
    weighted: (weights: readonly number[]) => {
      let r = next();
      for (const [i, w] of weights.entries()) if ((r -= w) < 0) return i;
      return weights.length - 1;
    },
    normal: (mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// --- Bulk insert ---------------------------------------------------------------------------------

type Column = readonly [name: string, type: string];

/** The patient columns the seed fills, named and typed as patient.entity.ts has them; a row is keyed by property. */
const patientProperties = [
  'id',
  'practice',
  'mrn',
  'givenName',
  'familyName',
  'birthDate',
  'gender',
  'email',
  'phone',
  'address',
  'preferredLanguage',
  'timeZone',
  'emergencyContact',
  'status',
  'searchName',
  'sortName',
  'phoneDigits',
  'createdAt',
  'updatedAt',
] as const satisfies readonly PatientColumnProperty[];
const patientRow = (values: Record<(typeof patientProperties)[number], unknown>) => patientProperties.map((k) => values[k]);
type Table = { name: string; columns: readonly Column[]; rows: unknown[][] };

const tables = {
  patient: patientProperties.map((k) => [patientColumn[k], patientColumnType[k]] as const),
  care_team_member: [
    ['id', 'uuid'],
    ['practice_id', 'uuid'],
    ['patient_id', 'uuid'],
    ['clinician_id', 'uuid'],
    ['created_at', 'timestamptz'],
  ],
  clinical_record: [
    ['id', 'uuid'],
    ['practice_id', 'uuid'],
    ['patient_id', 'uuid'],
    ['kind', 'text'],
    ['status', 'text'],
    ['data', 'jsonb'],
    ['occurred_at', 'timestamptz'],
    ['version', 'int'],
    ['created_at', 'timestamptz'],
    ['created_by', 'uuid'],
    ['updated_at', 'timestamptz'],
    ['updated_by', 'uuid'],
  ],
  record_revision: [
    ['id', 'uuid'],
    ['practice_id', 'uuid'],
    ['record_id', 'uuid'],
    ['version', 'int'],
    ['action', 'text'],
    ['changed_by', 'uuid'],
    ['changed_at', 'timestamptz'],
    ['before', 'jsonb'],
    ['after', 'jsonb'],
  ],
  assessment: [
    ['id', 'uuid'],
    ['practice_id', 'uuid'],
    ['patient_id', 'uuid'],
    ['questionnaire_id', 'uuid'],
    ['questionnaire_version_id', 'uuid'],
    ['status', 'text'],
    ['assigned_to_patient', 'bool'],
    ['answers', 'jsonb'],
    ['total', 'float8'],
    ['subscales', 'jsonb'],
    ['severity', 'text'],
    ['severity_label', 'text'],
    ['flags', 'jsonb'],
    ['started_by', 'uuid'],
    ['submitted_by', 'uuid'],
    ['submitted_at', 'timestamptz'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  alert: [
    ['id', 'uuid'],
    ['practice_id', 'uuid'],
    ['patient_id', 'uuid'],
    ['assessment_id', 'uuid'],
    ['code', 'text'],
    ['label', 'text'],
    ['created_at', 'timestamptz'],
    ['acknowledged_by', 'uuid'],
    ['acknowledged_at', 'timestamptz'],
  ],
  appointment: [
    ['id', 'uuid'],
    ['practice_id', 'uuid'],
    ['clinician_id', 'uuid'],
    ['patient_id', 'uuid'],
    ['type_id', 'uuid'],
    ['starts_at', 'timestamptz'],
    ['ends_at', 'timestamptz'],
    ['status', 'text'],
    ['booked_by', 'uuid'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
} as const satisfies Record<string, readonly Column[]>;
type TableName = keyof typeof tables;

/** One multi-row INSERT: each column travels as one array parameter. */
async function insertRows(client: pg.Pool | pg.ClientBase, { name, columns, rows }: Table): Promise<void> {
  if (!rows.length) return;
  const names = columns.map(([n]) => `"${n}"`).join(', ');
  const arrays = columns.map(([, type], j) => `$${j + 1}::${type}[]`).join(', ');
  await client.query(
    `insert into "${name}" (${names}) select * from unnest(${arrays})`,
    columns.map((_, j) => rows.map((r) => r[j])),
  );
}

// --- Seeding -------------------------------------------------------------------------------------

type Context = {
  practiceId: string;
  clinicianIds: string[];
  typeId: string;
  phq9: { questionnaireId: string; versionId: string };
  now: number;
  /** Weekdays before today (local dates, newest first), for past appointments. */
  pastDays: DateTime[];
};

/** The rows of patients [from, to), every table; `sample` collects the first clinician's patients. */
function generateBatch(ctx: Context, from: number, to: number, sample: Seeded['sample']): Record<TableName, unknown[][]> {
  const out = Object.fromEntries(Object.keys(tables).map((t) => [t, [] as unknown[][]])) as Record<TableName, unknown[][]>;
  const C = ctx.clinicianIds.length;
  for (let i = from; i < to; i++) {
    const r = prng(i * 7919 + 17);
    const id = newId();
    const clinicianId = ctx.clinicianIds[i % C]!;
    const given = r.pick(givenNames);
    const family = r.pick(familyNames);
    const born = Date.UTC(1930, 0, 1) + r.int(94 * 365) * DAY;
    const created = ctx.now - (30 + r.int(5 * 365)) * DAY - r.int(DAY);
    const mobile = r.next() < 0.8;
    const phone = r.next() < 0.9 ? (mobile ? `+3538${r.pick([3, 5, 6, 7, 9])}${String(r.int(1e7)).padStart(7, '0')}` : `+447${r.pick([4, 5, 7, 8, 9])}${String(r.int(1e8)).padStart(8, '0')}`) : null;
    const asciiName = `${given}.${family}`
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const email = r.next() < 0.7 ? `${asciiName}${i}@example.com` : null;
    const place = r.pick(cities);
    const status = r.next() < 0.03 ? 'archived' : 'active';
    const emergency =
      r.next() < 0.3 ? { name: `${r.pick(givenNames)} ${family}`, relationship: r.pick(['spouse', 'parent', 'sibling', 'child']), phone: `+35387${String(r.int(1e7)).padStart(7, '0')}` } : null;
    const { searchName, sortName } = patientNameKeys(given, family);
    out.patient.push(
      patientRow({
        id,
        practice: ctx.practiceId,
        mrn: `B${String(i + 1).padStart(8, '0')}`,
        givenName: given,
        familyName: family,
        birthDate: isoDate(born),
        gender: r.pick(genders),
        email,
        phone,
        address: JSON.stringify({ lines: [`${1 + r.int(200)} ${r.pick(streets)}`], city: place.city, postalCode: place.postalCode, country: place.country }),
        preferredLanguage: r.pick(languages),
        timeZone: TIME_ZONE,
        emergencyContact: emergency && JSON.stringify(emergency),
        status,
        searchName,
        sortName,
        phoneDigits: phone && phoneDigits(phone),
        createdAt: iso(created),
        updatedAt: iso(created),
      }),
    );
    if (i % C === 0 && status === 'active' && sample.ids.length < 2000) {
      sample.ids.push(id);
      sample.names.push(`${given} ${family}`);
    }
    out.care_team_member.push([newId(), ctx.practiceId, id, clinicianId, iso(created)]);

    // Three records: an observation, a medication, then an allergy (two in three) or a second observation.
    const kinds: RecordKindName[] = ['observation', 'medication', i % 3 === 2 ? 'observation' : 'allergy'];
    for (const kind of kinds) {
      const recorded = created + r.int(Math.max(1, ctx.now - created - DAY));
      const { fields, status: recordStatus } = recordOf(kind, r, born, recorded);
      const recordId = newId();
      const occurred = (fields.effectiveAt ?? fields.startDate ?? fields.onsetDate ?? iso(recorded)) as string;
      const data = JSON.stringify(fields);
      out.clinical_record.push([recordId, ctx.practiceId, id, kind, recordStatus, data, new Date(occurred).toISOString(), 1, iso(recorded), clinicianId, iso(recorded), clinicianId]);
      out.record_revision.push([newId(), ctx.practiceId, recordId, 1, 'created', clinicianId, iso(recorded), null, JSON.stringify({ status: recordStatus, data: fields })]);
    }

    // One submitted PHQ-9, scored as PAMS scores it.
    const answers: Record<string, string> = {};
    for (const item of phq9ItemIds) answers[item] = frequencyValues[r.weighted(item === 'phq9.9' ? [0.93, 0.05, 0.015, 0.005] : [0.45, 0.3, 0.15, 0.1])]!;
    answers.difficulty = difficultyValues[r.weighted([0.5, 0.3, 0.15, 0.05])]!;
    const score = scoreAnswers(phq9, answers);
    const submitted = created + r.int(Math.max(1, ctx.now - created - DAY));
    const assessmentId = newId();
    out.assessment.push([
      assessmentId,
      ctx.practiceId,
      id,
      ctx.phq9.questionnaireId,
      ctx.phq9.versionId,
      'submitted',
      false,
      JSON.stringify(answers),
      score.total,
      JSON.stringify(score.subscales),
      score.severity?.code ?? null,
      score.severity?.label ?? null,
      JSON.stringify(score.flags),
      clinicianId,
      clinicianId,
      iso(submitted),
      iso(submitted - 10 * 60_000),
      iso(submitted),
    ]);
    for (const flag of score.flags) {
      const acknowledged = r.next() < 0.9;
      out.alert.push([newId(), ctx.practiceId, id, assessmentId, flag.code, flag.label, iso(submitted), acknowledged ? clinicianId : null, acknowledged ? iso(submitted + 3_600_000) : null]);
    }

    // Every third patient of each clinician had a visit: the clinician's k-th such visit takes the k-th
    // slot counted back from yesterday, so no two overlap; each patient has at most one.
    const j = Math.floor(i / C);
    if (j % 3 === 0) {
      const k = j / 3;
      const day = ctx.pastDays[Math.floor(k / SLOTS_PER_DAY)]!;
      const opening = minutesOf(HOURS.start);
      const start = day
        .set({ hour: Math.floor(opening / 60), minute: opening % 60 })
        .plus({ minutes: (k % SLOTS_PER_DAY) * APPOINTMENT_MINUTES })
        .toMillis();
      out.appointment.push([
        newId(),
        ctx.practiceId,
        clinicianId,
        id,
        ctx.typeId,
        iso(start),
        iso(start + APPOINTMENT_MINUTES * 60_000),
        'completed',
        clinicianId,
        iso(start - 14 * DAY),
        iso(start + APPOINTMENT_MINUTES * 60_000),
      ]);
    }
  }
  return out;
}

function recordOf(kind: RecordKindName, r: ReturnType<typeof prng>, born: number, recorded: number): { fields: Record<string, unknown>; status: string } {
  const since = (ms: number) => isoDate(born + (ms - born) * (0.3 + 0.7 * r.next()));
  switch (kind) {
    case 'allergy': {
      const a = r.pick(allergies);
      return {
        status: 'active',
        fields: {
          substance: a.substance,
          code: { system: a.system, code: a.code, display: a.substance },
          reactions: [a.reaction],
          severity: r.pick(['mild', 'moderate', 'severe']),
          onsetDate: since(recorded),
        },
      };
    }
    case 'medication': {
      const m = r.pick(medications);
      return {
        status: r.next() < 0.8 ? 'active' : 'completed',
        fields: { name: m.name, code: { system: codeSystems.rxnorm, code: m.code }, dose: m.dose, route: 'route' in m ? m.route : 'oral', frequency: m.frequency, startDate: isoDate(recorded) },
      };
    }
    case 'observation': {
      const o = r.pick(observations);
      const value = Math.round(r.normal(o.mean, o.sd) * 10) / 10;
      const flag = o.low === undefined || o.high === undefined ? undefined : value < o.low ? 'low' : value > o.high ? 'high' : 'normal';
      return {
        status: 'final',
        fields: {
          category: o.category,
          name: o.name,
          code: { system: codeSystems.loinc, code: o.code },
          valueNumber: value,
          unit: o.unit,
          ...(o.low !== undefined && { referenceLow: o.low, referenceHigh: o.high }),
          ...(flag && { abnormalFlag: flag }),
          effectiveAt: iso(recorded),
        },
      };
    }
    default:
      throw new Error(`no generator for ${kind}`);
  }
}

/** `n` weekdays before today in `zone`, newest first. */
function weekdaysBefore(now: number, zone: string, n: number): DateTime[] {
  const days: DateTime[] = [];
  for (let d = DateTime.fromMillis(now, { zone }).startOf('day').minus({ days: 1 }); days.length < n; d = d.minus({ days: 1 })) {
    if (d.weekday <= 5) days.push(d);
  }
  return days;
}

/** Creates the practice, its users and settings through PAMS, then bulk-loads `patients` patients. */
export async function seed(options: SeedOptions): Promise<Seeded> {
  const started = performance.now();
  const orm = await initOrm(options.url);
  let practiceId: string, adminId: string;
  const clinicians: Seeded['clinicians'] = [];
  try {
    await syncBuiltinQuestionnaires(orm.em);
    const em = orm.em.fork();
    const { practice, admin } = await bootstrapPractice(em, { practiceName: 'Bench Practice', timeZone: TIME_ZONE, name: 'Bench Admin', ...options.admin });
    for (let c = 1; c <= options.clinicians; c++) {
      const email = `clinician${c}@pams.test`;
      const user = await createActiveUser(em, practice, { email, name: `Dr Bench ${c}`, password: options.clinicianPassword, role: 'clinician' });
      clinicians.push({ id: user.id, email });
    }
    await em.flush();
    practiceId = practice.id;
    adminId = admin.id;
  } finally {
    await closeOrm(orm);
  }
  const setupDone = performance.now();

  const rows: Record<string, number> = {};
  const count = (table: string, n: number) => (rows[table] = (rows[table] ?? 0) + n);
  const pool = new pg.Pool({ connectionString: options.url, max: 2 });
  pool.on('error', () => {}); // an idle client dropped at shutdown is not a failure of the seed
  try {
    const {
      rows: [q],
    } = await pool.query<{ questionnaire_id: string; version_id: string }>(
      `select q.id as questionnaire_id, v.id as version_id from questionnaire q join questionnaire_version v on v.questionnaire_id = q.id and v.version = q.latest_version
       where q.practice_id is null and q.key = 'phq-9'`,
    );
    if (!q) throw new Error('The built-in PHQ-9 is missing');

    // Scheduling set-up: one appointment type, and every clinician's weekly hours.
    const typeId = newId();
    const now = Date.now();
    await insertRows(pool, {
      name: 'appointment_type',
      columns: [
        ['id', 'uuid'],
        ['practice_id', 'uuid'],
        ['name', 'text'],
        ['duration_minutes', 'smallint'],
        ['active', 'bool'],
        ['created_at', 'timestamptz'],
        ['updated_at', 'timestamptz'],
      ],
      rows: [[typeId, practiceId, 'Consultation', APPOINTMENT_MINUTES, true, iso(now), iso(now)]],
    });
    const rules = clinicians.flatMap((c) => HOURS.weekdays.map((weekday) => [newId(), practiceId, c.id, weekday, `${HOURS.start}:00`, `${HOURS.end}:00`, iso(now)]));
    await insertRows(pool, {
      name: 'availability_rule',
      columns: [
        ['id', 'uuid'],
        ['practice_id', 'uuid'],
        ['clinician_id', 'uuid'],
        ['weekday', 'smallint'],
        ['start_time', 'time'],
        ['end_time', 'time'],
        ['created_at', 'timestamptz'],
      ],
      rows: rules,
    });
    count('appointment_type', 1);
    count('availability_rule', rules.length);

    const perClinician = Math.ceil(options.patients / clinicians.length);
    const ctx: Context = {
      practiceId,
      clinicianIds: clinicians.map((c) => c.id),
      typeId,
      phq9: { questionnaireId: q.questionnaire_id, versionId: q.version_id },
      now,
      pastDays: weekdaysBefore(now, TIME_ZONE, Math.ceil(perClinician / 3 / SLOTS_PER_DAY) + 1),
    };
    const sample: Seeded['sample'] = { ids: [], names: [] };

    // The first batch goes through the API's own zod schemas, as if each row had been entered by hand.
    const first = generateBatch(ctx, 0, Math.min(BATCH, options.patients), sample);
    for (const row of first.clinical_record) recordFields[row[3] as RecordKindName].parse(JSON.parse(row[5] as string));
    for (const [, , mrn, givenName, familyName, birthDate, gender, email, phone, address, preferredLanguage, timeZone, emergencyContact] of first.patient) {
      const json = (value: unknown) => (value === null ? undefined : JSON.parse(value as string));
      createPatientInput.parse({
        mrn,
        givenName,
        familyName,
        birthDate,
        gender,
        email: email ?? undefined,
        phone: phone ?? undefined,
        address: json(address),
        preferredLanguage: preferredLanguage ?? undefined,
        timeZone,
        emergencyContact: json(emergencyContact),
      });
    }

    // Two writers take batches in turn; the next batch is generated while they write.
    const inFlight = new Set<Promise<void>>();
    const write = async (batch: Record<TableName, unknown[][]>) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        // Parents first: the foreign keys are checked row by row.
        for (const name of ['patient', 'care_team_member', 'clinical_record', 'record_revision', 'assessment', 'alert', 'appointment'] as const) {
          await insertRows(client, { name, columns: tables[name], rows: batch[name] });
          count(name, batch[name].length);
        }
        await client.query('commit');
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    };
    for (let from = 0; from < options.patients; from += BATCH) {
      const batch = from === 0 ? first : generateBatch(ctx, from, Math.min(from + BATCH, options.patients), sample);
      if (inFlight.size >= 2) await Promise.race(inFlight);
      const p = write(batch).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    const bulkDone = performance.now();

    // What autovacuum would do soon after a bulk load: statistics, the visibility map (index-only scans) and
    // the GIN indexes' pending lists merged (a trigram search through a long pending list is slow).
    await pool.query(
      `vacuum analyze ${[...Object.keys(tables), 'users', 'practice', 'appointment_type', 'availability_rule', 'questionnaire', 'questionnaire_version'].map((t) => `"${t}"`).join(', ')}`,
    );
    const finished = performance.now();

    const ms = { total: finished - started, setup: setupDone - started, bulk: bulkDone - setupDone, analyze: finished - bulkDone };
    const total = Object.values(rows).reduce((a, b) => a + b, 0);
    options.log(
      `Seeded ${total.toLocaleString('en')} rows in ${(ms.total / 1000).toFixed(1)} s (${Math.round(total / (ms.total / 1000)).toLocaleString('en')} rows/s; ` +
        `set-up ${(ms.setup / 1000).toFixed(1)} s, bulk ${(ms.bulk / 1000).toFixed(1)} s, VACUUM ANALYZE ${(ms.analyze / 1000).toFixed(1)} s): ` +
        Object.entries(rows)
          .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
          .join(', '),
    );
    return { practiceId, timeZone: TIME_ZONE, adminId, clinicians, appointmentTypeId: typeId, phq9: ctx.phq9, sample, ms, rows };
  } finally {
    await pool.end();
  }
}

/**
 * `count` PHQ-9s started (in progress, no answers yet) by `clinicianId` for `patientIds` in turn: one
 * per `assessments.submit` request of the bench, as `assessments.start` would have left them.
 */
export async function startAssessments(url: string, seeded: Seeded, clinicianId: string, patientIds: string[], count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ids: string[] = [];
    const now = Date.now();
    for (let from = 0; from < count; from += BATCH) {
      const rows: unknown[][] = [];
      for (let i = from; i < Math.min(from + BATCH, count); i++) {
        const id = newId();
        ids.push(id);
        rows.push([
          id,
          seeded.practiceId,
          patientIds[i % patientIds.length],
          seeded.phq9.questionnaireId,
          seeded.phq9.versionId,
          'in-progress',
          false,
          '{}',
          null,
          null,
          null,
          null,
          null,
          clinicianId,
          null,
          null,
          iso(now),
          iso(now),
        ]);
      }
      await insertRows(client, { name: 'assessment', columns: tables.assessment, rows });
    }
    await client.query('analyze "assessment"');
    return ids;
  } finally {
    await client.end();
  }
}
