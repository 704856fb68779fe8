import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migration20261201194756_hl7_fidelity } from '../../migrations/Migration20261201194756_hl7_fidelity.ts';
import { contentHash } from '../../server/canonical-json.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { allPages, auditTrail, createPatient, createPractice, inviteUser, recordApi, recordKinds, sampleRecordFields, sql, type RecordKind, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
// The clinician cares for `patientId`; the outsider is a clinician of the same practice on no care team.
let admin: TestUser;
let clinician: TestUser;
let outsider: TestUser;
let patientId: string;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t, 'Records Practice'));
  clinician = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  patientId = (await createPatient(t, clinician.token)).id;
});
afterAll(() => t.close());

const statuses = {
  allergy: ['active', 'inactive', 'resolved', 'entered-in-error'],
  medication: ['active', 'on-hold', 'completed', 'stopped', 'entered-in-error'],
  condition: ['active', 'recurrence', 'remission', 'resolved', 'inactive', 'entered-in-error'],
  observation: ['preliminary', 'final', 'amended', 'entered-in-error'],
  history: ['active', 'entered-in-error'],
} as const satisfies Record<RecordKind, readonly string[]>;
const initialStatus = { allergy: 'active', medication: 'active', condition: 'active', observation: 'final', history: 'active' } as const;

/** The fewest fields each kind accepts: an update to these drops every optional field. */
const minimalFields = {
  allergy: { substance: 'Peanut', severity: 'severe' },
  medication: { name: 'Ibuprofen' },
  condition: { name: 'Asthma' },
  observation: { category: 'laboratory', name: 'Blood group', valueText: 'O+', effectiveAt: '2025-01-05T08:30:00Z' },
  history: { kind: 'surgical', description: 'Appendectomy' },
} as const satisfies Record<RecordKind, object>;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);
const date = (d: Date) => d.toISOString().slice(0, 10);

/** Every clinical record row and revision row of a patient, for checking that a refused call changed nothing. */
const recordRows = (id: string) =>
  Promise.all([
    sql(t, 'select id, kind, status, version, data, updated_at, updated_by from clinical_record where patient_id = ? order by id', [id]),
    sql(t, 'select r.id, r.version from record_revision r join clinical_record c on c.id = r.record_id where c.patient_id = ? order by r.id', [id]),
  ]);

describe.each(recordKinds)('%s', (kind) => {
  it('creates, updates, changes status, lists, and keeps every version with who changed it', async () => {
    const api = recordApi(t, clinician.token, kind);
    const first = sampleRecordFields[kind](1);
    const created = await api.create.mutate({ patientId, fields: first });
    expect(created).toEqual({
      ...first,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      patientId,
      recordKind: kind,
      status: initialStatus[kind],
      version: 1,
      occurredAt: expect.any(String),
      createdAt: expect.any(String),
      createdBy: clinician.id,
      updatedAt: expect.any(String),
      updatedBy: clinician.id,
    });

    // update replaces the whole record: the optional fields not sent again are gone
    const updated = await recordApi(t, admin.token, kind).update.mutate({ id: created.id, fields: minimalFields[kind] });
    expect(updated).toEqual({
      ...minimalFields[kind],
      ...pick(created, 'id', 'patientId', 'recordKind', 'status', 'createdAt', 'createdBy'),
      version: 2,
      occurredAt: expect.any(String),
      updatedAt: expect.any(String),
      updatedBy: admin.id,
    });

    const newStatus = statuses[kind].find((s) => s !== initialStatus[kind])!;
    const changed = await api.setStatus.mutate({ id: created.id, status: newStatus });
    expect(changed).toEqual({ ...updated, status: newStatus, version: 3, updatedAt: expect.any(String), updatedBy: clinician.id });
    // the same status again is no change: no new version, but the record read back is audited as a read (below)
    expect((await api.setStatus.mutate({ id: created.id, status: newStatus })).version).toBe(3);

    const listed = (await api.list.query({ patientId })).items.find((r) => r.id === created.id);
    expect(listed).toEqual(changed);
    expect((await api.list.query({ patientId, status: newStatus })).items.map((r) => r.id)).toContain(created.id);
    expect((await api.list.query({ patientId, status: initialStatus[kind] })).items.map((r) => r.id)).not.toContain(created.id);

    const history = await api.history.query({ id: created.id });
    expect(history).toEqual([
      { version: 1, action: 'created', changedBy: clinician.id, changedAt: expect.any(String), before: null, after: { status: initialStatus[kind], data: first } },
      {
        version: 2,
        action: 'updated',
        changedBy: admin.id,
        changedAt: expect.any(String),
        before: { status: initialStatus[kind], data: first },
        after: { status: initialStatus[kind], data: minimalFields[kind] },
      },
      {
        version: 3,
        action: 'status-changed',
        changedBy: clinician.id,
        changedAt: expect.any(String),
        before: { status: initialStatus[kind], data: minimalFields[kind] },
        after: { status: newStatus, data: minimalFields[kind] },
      },
    ]);
    expect(history.map((h) => h.changedAt)).toEqual([...history.map((h) => h.changedAt)].sort());

    expect(await auditTrail(t, created.id)).toEqual([
      { action: `${kind}.created`, actor_id: clinician.id },
      { action: `${kind}.updated`, actor_id: admin.id },
      { action: `${kind}.status-changed`, actor_id: clinician.id },
      { action: `${kind}.read`, actor_id: clinician.id },
      { action: `${kind}.history-read`, actor_id: clinician.id },
    ]);
  });

  it('refuses a status outside the kind’s list with BAD_REQUEST, and changes nothing', async () => {
    const api = recordApi(t, clinician.token, kind);
    const record = await api.create.mutate({ patientId, fields: sampleRecordFields[kind]() });
    const before = await recordRows(patientId);
    const foreign = recordKinds.flatMap((k) => statuses[k]).filter((s) => !(statuses[kind] as readonly string[]).includes(s));
    for (const status of [...new Set(foreign), 'bogus', 'ACTIVE', '']) {
      const e = await rejection(api.setStatus.mutate({ id: record.id, status }));
      expect({ status, code: e.code, fields: Object.keys(e.fieldErrors ?? {}) }).toEqual({ status, code: 'BAD_REQUEST', fields: ['status'] });
    }
    expect(await recordRows(patientId)).toEqual(before);
  });

  it('is NOT_FOUND, changing nothing, for a clinician outside the care team and for another practice', async () => {
    const record = await recordApi(t, clinician.token, kind).create.mutate({ patientId, fields: sampleRecordFields[kind]() });
    const { admin: foreignAdmin } = await createPractice(t);
    const before = await recordRows(patientId);
    for (const [who, token] of [
      ['outsider', outsider.token],
      ['another practice', foreignAdmin.token],
    ] as const) {
      const api = recordApi(t, token, kind);
      const calls = {
        list: () => api.list.query({ patientId }),
        create: () => api.create.mutate({ patientId, fields: sampleRecordFields[kind](9) }),
        update: () => api.update.mutate({ id: record.id, fields: minimalFields[kind] }),
        setStatus: () => api.setStatus.mutate({ id: record.id, status: 'entered-in-error' }),
        history: () => api.history.query({ id: record.id }),
      };
      for (const [name, call] of Object.entries(calls)) expect({ who, name, ...(await rejection(call())) }).toMatchObject({ who, name, code: 'NOT_FOUND' });
    }
    expect(await recordRows(patientId)).toEqual(before);
    expect((await auditTrail(t, record.id)).map((e) => e.actor_id)).toEqual([clinician.id]);
  });

  it('is NOT_FOUND through another kind’s procedures', async () => {
    const record = await recordApi(t, clinician.token, kind).create.mutate({ patientId, fields: sampleRecordFields[kind]() });
    const other = recordKinds.find((k) => k !== kind)!;
    const before = await recordRows(patientId);
    const api = recordApi(t, clinician.token, other);
    expect(await rejection(api.update.mutate({ id: record.id, fields: sampleRecordFields[other]() }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(api.setStatus.mutate({ id: record.id, status: 'entered-in-error' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(api.history.query({ id: record.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await recordRows(patientId)).toEqual(before);
  });
});

describe('validation', () => {
  /** Each rule, as the field it names: the create is refused and nothing is written. */
  const cases: Array<[RecordKind, string, object, string]> = [
    ['observation', 'a numeric value needs a unit', { category: 'vital-signs', name: 'Weight', valueNumber: 72, effectiveAt: '2025-01-01T09:00:00Z' }, 'fields.unit'],
    ['observation', 'the range must not be upside down', { ...sampleRecordFields.observation(), referenceLow: 100, referenceHigh: 50 }, 'fields.referenceLow'],
    ['observation', 'a number or a text, not both', { ...sampleRecordFields.observation(), valueText: 'normal' }, 'fields.valueText'],
    ['observation', 'some value', { category: 'laboratory', name: 'HbA1c', unit: '%', effectiveAt: '2025-01-01T09:00:00Z' }, 'fields.valueNumber'],
    ['observation', 'a range needs a numeric value', { category: 'laboratory', name: 'Urine', valueText: 'clear', referenceLow: 1, effectiveAt: '2025-01-01T09:00:00Z' }, 'fields.referenceLow'],
    ['observation', 'not in the future', { ...sampleRecordFields.observation(), effectiveAt: inDays(1).toISOString() }, 'fields.effectiveAt'],
    ['observation', 'an instant with an offset', { ...sampleRecordFields.observation(), effectiveAt: '2025-01-01 09:00' }, 'fields.effectiveAt'],
    ['observation', 'a LOINC code only', { ...sampleRecordFields.observation(), code: { system: 'http://snomed.info/sct', code: '364075005' } }, 'fields.code.system'],
    ['medication', 'no end before the start', { name: 'Amoxicillin', startDate: '2025-03-10', endDate: '2025-03-01' }, 'fields.endDate'],
    ['medication', 'a known route', { name: 'Amoxicillin', route: 'by-post' }, 'fields.route'],
    ['condition', 'no abatement before the onset', { name: 'Migraine', onsetDate: '2024-05-01', abatementDate: '2024-04-01' }, 'fields.abatementDate'],
    ['condition', 'no onset in the future', { name: 'Migraine', onsetDate: date(inDays(2)) }, 'fields.onsetDate'],
    ['allergy', 'no onset in the future', { substance: 'Pollen', severity: 'mild', onsetDate: date(inDays(2)) }, 'fields.onsetDate'],
    ['allergy', 'a severity from the list', { substance: 'Pollen', severity: 'deadly' }, 'fields.severity'],
    ['allergy', 'a substance', { substance: '  ', severity: 'mild' }, 'fields.substance'],
    ['allergy', 'no NUL in text', { substance: 'Pol\u0000len', severity: 'mild' }, 'fields.substance'],
    ['history', 'a kind of history', { kind: 'dental', description: 'Braces' }, 'fields.kind'],
  ];

  it.each(cases)('%s: %s', async (kind, _rule, fields, field) => {
    const before = await recordRows(patientId);
    const e = await rejection(recordApi(t, clinician.token, kind).create.mutate({ patientId, fields }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(Object.keys(e.fieldErrors!)).toEqual([field]);
    expect(e.fieldErrors![field]![0]).toEqual(expect.any(String));
    expect(await recordRows(patientId)).toEqual(before);
  });

  it('names the rule in the message', async () => {
    const messages = async (kind: RecordKind, fields: object) => (await rejection(recordApi(t, clinician.token, kind).create.mutate({ patientId, fields }))).fieldErrors;
    expect(await messages('observation', cases[0]![2])).toEqual({ 'fields.unit': ['is required with a numeric value'] });
    expect(await messages('observation', cases[1]![2])).toEqual({ 'fields.referenceLow': ['must not be above the high end of the range'] });
    expect(await messages('observation', cases[2]![2])).toEqual({ 'fields.valueText': ['give a number or a text, not both'] });
    expect(await messages('observation', cases[5]![2])).toEqual({ 'fields.effectiveAt': ['must not be in the future'] });
    expect(await messages('medication', cases[8]![2])).toEqual({ 'fields.endDate': ['must not be before the start date'] });
    expect(await messages('condition', cases[10]![2])).toEqual({ 'fields.abatementDate': ['must not be before the onset date'] });
    expect(await messages('allergy', cases[12]![2])).toEqual({ 'fields.onsetDate': ['must not be in the future'] });
  });

  it('holds on update too: the record as saved must pass, and a refused update changes nothing', async () => {
    const observation = await t.client(clinician.token).observations.create.mutate({ patientId, fields: sampleRecordFields.observation() });
    const medication = await t.client(clinician.token).medications.create.mutate({ patientId, fields: { name: 'Metformin', startDate: '2025-01-01' } });
    const before = await recordRows(patientId);
    const { valueNumber, ...noValue } = sampleRecordFields.observation();
    expect(valueNumber).toBeDefined();
    const refusals = [
      t.client(clinician.token).observations.update.mutate({ id: observation.id, fields: { ...noValue, valueNumber: 80, unit: undefined } }),
      t.client(clinician.token).observations.update.mutate({ id: observation.id, fields: noValue }),
      t.client(clinician.token).medications.update.mutate({ id: medication.id, fields: { name: 'Metformin', startDate: '2025-01-01', endDate: '2024-12-31' } }),
    ];
    // All three run at once: handle every rejection straight away, or a later one goes unhandled.
    for (const refused of await Promise.all(refusals.map(rejection))) expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await recordRows(patientId)).toEqual(before);
  });

  it('refuses a patient id that is no UUID, or of no patient', async () => {
    expect(await rejection(t.client(clinician.token).allergies.create.mutate({ patientId: 'nope', fields: sampleRecordFields.allergy() }))).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { patientId: [expect.any(String)] },
    });
    expect(await rejection(t.client(clinician.token).allergies.list.query({ patientId: '01900000-0000-7000-8000-000000000000' }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('listing', () => {
  it('lists newest first by when it happened, and walks pages without duplicates or gaps', async () => {
    const p = await createPatient(t, clinician.token);
    const api = t.client(clinician.token).observations;
    const times = ['2025-01-03T10:00:00Z', '2025-01-01T10:00:00Z', '2025-01-05T10:00:00Z', '2025-01-02T10:00:00Z', '2025-01-04T10:00:00Z'];
    for (const [i, effectiveAt] of times.entries()) await api.create.mutate({ patientId: p.id, fields: { ...sampleRecordFields.observation(i), effectiveAt } });
    // Two at the same instant: the id settles their order.
    for (const i of [5, 6]) await api.create.mutate({ patientId: p.id, fields: { ...sampleRecordFields.observation(i), effectiveAt: '2025-01-04T10:00:00Z' } });

    const all = await api.list.query({ patientId: p.id, limit: 100 });
    expect(all.items.map((o) => o.effectiveAt)).toEqual([...times, '2025-01-04T10:00:00Z', '2025-01-04T10:00:00Z'].sort().reverse());
    const walked = await allPages((cursor) => api.list.query({ patientId: p.id, limit: 2, cursor }));
    expect(walked.pages).toBe(4);
    expect(walked.items.map((o) => o.id)).toEqual(all.items.map((o) => o.id));
    expect(new Set(walked.items.map((o) => o.id)).size).toBe(7);

    // Other kinds and other patients stay out.
    await t.client(clinician.token).allergies.create.mutate({ patientId: p.id, fields: sampleRecordFields.allergy() });
    expect((await api.list.query({ patientId: p.id, limit: 100 })).items).toHaveLength(7);
    expect((await t.client(clinician.token).allergies.list.query({ patientId: p.id })).items).toHaveLength(1);
    expect((await api.list.query({ patientId })).items.every((o) => o.patientId === patientId)).toBe(true);
  });

  it('records each list in the audit trail', async () => {
    const p = await createPatient(t, clinician.token);
    await t.client(clinician.token).conditions.list.query({ patientId: p.id });
    expect(await auditTrail(t, p.id)).toEqual([
      { action: 'patient.created', actor_id: clinician.id },
      { action: 'condition.listed', actor_id: clinician.id },
    ]);
  });
});

function pick<T extends object, K extends keyof T>(value: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

describe('records written before allergies had lists of reactions and observations UCUM codes', () => {
  it('are rewritten in the new shapes by the migration, and a CSV row imported then is still found, not copied', async () => {
    const mrn = `UP-${Date.now() % 100000}`;
    const patient = await createPatient(t, clinician.token, { mrn });
    // Old shapes, as the API and imports wrote them: one reaction text; a UCUM unit without its code.
    const oldAllergy = { substance: 'Penicillin', severity: 'moderate', reaction: 'Hives; Wheezing' };
    const csvAllergy = { substance: 'Latex', severity: 'mild', reaction: 'Rash' };
    const oldObservation = { category: 'laboratory', name: 'Glucose', valueNumber: 4.1, unit: 'mmol/L', effectiveAt: '2024-03-01T08:30:00.000Z' };
    const insert = async (kind: string, data: object, importKey: string | null) => {
      const [row] = await sql<{ id: string }>(
        t,
        `insert into clinical_record (id, practice_id, patient_id, kind, status, data, occurred_at, version, import_key, created_at, created_by, updated_at, updated_by)
         values (uuidv7(), ?, ?, ?, ?, ?::jsonb, now(), 1, ?, now(), ?, now(), ?) returning id`,
        [admin.practiceId, patient.id, kind, kind === 'observation' ? 'final' : 'active', JSON.stringify(data), importKey, admin.id, admin.id],
      );
      await sql(t, `insert into record_revision (id, practice_id, record_id, version, action, changed_by, changed_at, before, after) values (uuidv7(), ?, ?, 1, 'created', ?, now(), null, ?::jsonb)`, [
        admin.practiceId,
        row!.id,
        admin.id,
        JSON.stringify({ status: kind === 'observation' ? 'final' : 'active', data }),
      ]);
      return row!.id;
    };
    const allergyId = await insert('allergy', oldAllergy, null);
    // A CSV row without a status column: its key is the digest of its fields and a null status.
    const csvId = await insert('allergy', csvAllergy, `sha256:${contentHash({ fields: csvAllergy, status: null })}`);
    const observationId = await insert('observation', oldObservation, null);

    const em = t.em();
    await new Migration20261201194756_hl7_fidelity(em.getDriver(), em.config).up();

    const api = recordApi(t, clinician.token, 'allergy');
    const allergies = Object.fromEntries((await api.list.query({ patientId: patient.id })).items.map((a) => [a.id, a]));
    expect(allergies[allergyId]).toMatchObject({ substance: 'Penicillin', reactions: ['Hives', 'Wheezing'] });
    expect(allergies[allergyId]).not.toHaveProperty('reaction');
    expect(allergies[csvId]).toMatchObject({ substance: 'Latex', reactions: ['Rash'] });
    const [observation] = (await recordApi(t, clinician.token, 'observation').list.query({ patientId: patient.id })).items;
    expect(observation).toMatchObject({ id: observationId, unit: 'mmol/L', unitCode: 'mmol/L' });
    // The old records pass their schema as stored, so they can be saved again as they are.
    const { id: _id, patientId: _p, recordKind: _k, status: _s, version: _v, occurredAt: _o, createdAt: _c, createdBy: _cb, updatedAt: _u, updatedBy: _ub, ...fields } = allergies[allergyId]!;
    expect((await api.update.mutate({ id: allergyId, fields: fields as never })).reactions).toEqual(['Hives', 'Wheezing']);

    const imports = t.client(admin.token).imports;
    const { id: importId } = await imports.begin.mutate({ type: 'allergies' });
    await imports.add.mutate({ importId, rows: [{ line: 2, values: { patientMrn: mrn, substance: 'Latex', severity: 'mild', reactions: 'Rash' } }] });
    expect(await imports.commit.mutate({ importId })).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });
});
