import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSnapshot } from '../data-snapshot.ts';
import { createPractice, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runCliAs } from '../run-cli.ts';

const fixtures = 'tests/fixtures/imports';

let t: TestServer;
let admin: TestUser;
let otherAdmin: TestUser;
let clinician: TestUser;
let work: string;

const pams = (user: TestUser, ...args: string[]) => runCliAs(t, user, work, args);
const patientsOf = (practiceId: string) =>
  sql(t, 'select mrn, external_id, given_name, family_name, birth_date::text, gender, email, phone, address, time_zone from patient where practice_id = ? order by mrn', [practiceId]);

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  ({ admin: otherAdmin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
  work = await mkdtemp(path.join(tmpdir(), 'pams-import-cli-'));
});
afterAll(() => t.close());

describe('pams import csv --type patients', () => {
  it('refuses a file with invalid rows: every bad row with its line and field, nothing written', async () => {
    const before = await dataSnapshot(t);
    const result = await pams(admin, 'import', 'csv', `${fixtures}/patients-invalid.csv`, '--type', 'patients');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 3, givenName: is required');
    expect(result.stderr).toContain('line 4, birthDate: must be a date, YYYY-MM-DD');
    expect(result.stderr).toContain('line 5, gender: must be male, female, other or unknown');
    expect(result.stderr).toContain('line 5, email: must be an email address');
    expect(result.stderr).toContain('line 6, mrn: is the same MRN as line 2');
    expect(result.stderr).toContain('line 7, row: has 3 columns, the header has 6');
    expect(result.stderr).toContain('5 of 7 rows are invalid: nothing was written');
    expect(result.stderr).not.toMatch(/line 8/); // the quoted two-line row starting at line 8 is fine
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('reports the same as JSON for scripts', async () => {
    const result = await pams(admin, 'import', 'csv', `${fixtures}/patients-invalid.csv`, '--type', 'patients', '--json');
    expect(result.code).toBe(1);
    const body = result.json();
    expect(body).toMatchObject({ written: false, rows: 7, invalid: 5 });
    expect(body.errors).toContainEqual({ line: 4, field: 'birthDate', message: 'must be a date, YYYY-MM-DD' });
  });

  it('--skip-invalid writes the good rows and reports the rest', async () => {
    const result = await pams(otherAdmin, 'import', 'csv', `${fixtures}/patients-invalid.csv`, '--type', 'patients', '--skip-invalid', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ created: 2, updated: 0, unchanged: 0, invalid: 5, skipped: 5 });
    expect((await patientsOf(otherAdmin.practiceId)).map((p) => [p.mrn, p.given_name])).toEqual([
      ['P-2001', 'Good'],
      ['P-2007', 'Multi\nLine'],
    ]);
  });

  it('--dry-run reports what would be created and writes nothing', async () => {
    const before = await dataSnapshot(t);
    const result = await pams(admin, 'import', 'csv', `${fixtures}/patients.csv`, '--type', 'patients', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created\s+4$/m);
    expect(result.stdout).toContain('dry run: nothing was written');
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('imports a file with a BOM, CRLF, quoted commas, quotes and newlines; unknown columns are ignored', async () => {
    const result = await pams(admin, 'import', 'csv', `${fixtures}/patients.csv`, '--type', 'patients');
    expect(result.stderr).toContain('ignoring columns: Notes');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created\s+4$/m);
    const rows = await patientsOf(admin.practiceId);
    expect(rows).toHaveLength(4);
    const byMrn = (mrn: string) => rows.find((r) => r.mrn === mrn);
    expect(byMrn('P-1001')).toMatchObject({
      mrn: 'P-1001',
      external_id: 'ext-1',
      given_name: 'Siobhán',
      family_name: 'Ó Briain, Jr.',
      birth_date: '1980-01-15',
      gender: 'female',
      email: 'siobhan@example.test',
      phone: '+353871234567',
      address: { lines: ['12 Main St, Flat 3', 'Unit "B"'], city: 'Dublin', postalCode: 'D01 X2Y3', country: 'IE' },
    });
    expect(byMrn('P-1002')).toMatchObject({ address: { lines: ['Old Mill\r\nUpper Road'], city: 'Cork', region: 'Co. Cork', country: 'IE' }, gender: 'male' });
    expect(rows.find((r) => r.external_id === 'ext-3')).toMatchObject({ given_name: 'Wei', gender: 'other', mrn: expect.stringMatching(/^M[A-Z2-7]{8}$/) });
    // Every patient written is audited, with the import that wrote it.
    const audits = await sql(t, "select count(*)::int as n from audit_event where action = 'patient.created' and practice_id = ? and detail->>'importId' is not null", [admin.practiceId]);
    expect(audits[0]!.n).toBe(4);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await dataSnapshot(t);
    const result = await pams(admin, 'import', 'csv', `${fixtures}/patients.csv`, '--type', 'patients', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('stops at a malformed file before writing anything, naming the line', async () => {
    const result = await pams(admin, 'import', 'csv', `${fixtures}/malformed.csv`, '--type', 'patients');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/malformed\.csv: line 2: .*nothing was imported/);
  });

  it('refuses a --map to a field that does not exist, before calling the server', async () => {
    const result = await pams(admin, 'import', 'csv', `${fixtures}/patients.csv`, '--type', 'patients', '--map', 'Town=town');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"town" is not a field of patients');
  });
});

describe('pams import csv --type observations', () => {
  it('reports unknown patients and bad values by line, then imports the valid rows once', async () => {
    const first = await pams(admin, 'import', 'csv', `${fixtures}/observations.csv`, '--type', 'observations', '--skip-invalid', '--json');
    expect(first.code).toBe(0);
    const body = first.json();
    expect(body).toMatchObject({ created: 3, invalid: 2 });
    expect(body.errors).toEqual([
      { line: 5, field: 'patientMrn', message: 'no patient has MRN P-9999' },
      { line: 6, field: 'referenceLow', message: 'a reference range needs a numeric value' },
    ]);
    const stored = await sql(
      t,
      "select c.data, c.status, c.import_key from clinical_record c join patient p on p.id = c.patient_id where p.mrn = 'P-1001' and c.kind = 'observation' order by c.import_key",
    );
    expect(stored.map((r) => r.data.name)).toEqual(['Potassium', 'Blood group']);
    expect(stored[0]).toMatchObject({
      import_key: 'ext:lab-1',
      status: 'final',
      data: { valueNumber: 5.9, unit: 'mmol/L', referenceLow: 3.5, referenceHigh: 5.1, abnormalFlag: 'high', code: { system: 'http://loinc.org', code: '2823-3' }, note: 'haemolysed? "repeat"' },
    });
    expect(stored[1]!.data.valueText).toBe('A+');
    const revisions = await sql(t, "select count(*)::int as n from record_revision r join clinical_record c on c.id = r.record_id where c.kind = 'observation' and r.action = 'created'");
    expect(revisions[0]!.n).toBe(3);

    const again = await pams(admin, 'import', 'csv', `${fixtures}/observations.csv`, '--type', 'observations', '--skip-invalid', '--json');
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });
});

describe('imports API, in batches', () => {
  it('is all or nothing across batches: one bad row in the last batch, nothing from the first', async () => {
    const api = t.client(admin.token);
    const { id } = await api.imports.begin.mutate({ type: 'patients' });
    const row = (line: number, mrn: string, birthDate = '1990-01-01') => ({ line, values: { mrn, givenName: 'Batch', familyName: `Row ${line}`, birthDate, gender: 'F' } });
    expect(await api.imports.add.mutate({ importId: id, rows: [row(2, 'B-1'), row(3, 'B-2')] })).toMatchObject({ accepted: 2, invalid: 0 });
    const second = await api.imports.add.mutate({ importId: id, rows: [row(4, 'B-3', 'soon'), row(5, 'b-1'), row(3, 'B-9')] });
    expect(second.errors).toEqual([
      { line: 3, field: '_', message: 'this line was already sent in this import' },
      { line: 4, field: 'birthDate', message: 'must be a date, YYYY-MM-DD' },
      { line: 5, field: 'mrn', message: 'is the same MRN as line 2' },
    ]);
    const refused = await rejection(api.imports.commit.mutate({ importId: id }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', reason: 'import-invalid-rows' });
    expect(await sql(t, "select 1 from patient where mrn like 'B-%'")).toHaveLength(0);
    await api.imports.cancel.mutate({ importId: id });
    expect(await sql(t, 'select 1 from import_row')).toHaveLength(0);
  });

  it('updates a patient matched by external id, and only admins of the practice may use an import', async () => {
    const api = t.client(admin.token);
    const [before] = await sql(t, "select id from patient where external_id = 'ext-4'");
    await api.careTeams.add.mutate({ patientId: before!.id, clinicianId: clinician.id });
    const { id } = await api.imports.begin.mutate({ type: 'patients' });
    await api.imports.add.mutate({ importId: id, rows: [{ line: 2, values: { externalId: 'ext-4', givenName: 'Anna', familyName: 'Müller', birthDate: '1990-02-28', gender: 'female' } }] });
    expect((await rejection(t.client(otherAdmin.token).imports.commit.mutate({ importId: id }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(clinician.token).imports.begin.mutate({ type: 'patients' }))).code).toBe('FORBIDDEN');
    expect(await api.imports.commit.mutate({ importId: id })).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const [anna] = await sql(t, "select mrn, family_name, phone, search_name from patient where external_id = 'ext-4'");
    expect(anna).toEqual({ mrn: 'P-1004', family_name: 'Müller', phone: '+442079460958', search_name: 'anna muller' });
    // The change is in the patient's history, as the import made it: only the fields that changed.
    const history = await api.patients.history.query({ id: before!.id });
    expect(history.at(-1)).toMatchObject({ changedBy: admin.id, source: 'import', sourceRef: id, before: { familyName: 'Müller-Lüdenscheidt' }, after: { familyName: 'Müller' } });
    expect(Object.keys(history.at(-1)!.after).sort()).toEqual(Object.keys(history.at(-1)!.before).sort());
    // Every search follows the rename, the care team's too: Müller-Lüdenscheidt is now Müller.
    for (const user of [admin, clinician]) {
      const found = (query: string) =>
        t
          .client(user.token)
          .patients.search.query({ query })
          .then((r) => r.items.map((p) => p.externalId));
      expect(await found('muller')).toEqual(['ext-4']);
      expect(await found('ludenscheidt')).toEqual([]);
    }
  });

  it('takes middle names, allergy categories and reactions, UCUM codes and range texts, as the API does', async () => {
    const api = t.client(admin.token);
    const run = async (type: 'patients' | 'allergies' | 'observations', values: Record<string, string>) => {
      const { id } = await api.imports.begin.mutate({ type });
      expect(await api.imports.add.mutate({ importId: id, rows: [{ line: 2, values }] })).toMatchObject({ invalid: 0 });
      return api.imports.commit.mutate({ importId: id });
    };
    await run('patients', { mrn: 'M-1', givenName: 'Seán', middleNames: 'Pádraig  Óg', familyName: 'Byrne', birthDate: '1975-01-02', gender: 'male' });
    // A later row without middle names keeps them, and the search name with them.
    expect(await run('patients', { mrn: 'M-1', givenName: 'Sean', familyName: 'Byrne', birthDate: '1975-01-02', gender: 'male' })).toMatchObject({ updated: 1 });
    const [patient] = await sql(t, "select id, given_name, middle_names, search_name, sort_name from patient where practice_id = ? and mrn = 'M-1'", [admin.practiceId]);
    expect(patient).toMatchObject({ given_name: 'Sean', middle_names: ['Pádraig', 'Óg'], search_name: 'sean padraig og byrne', sort_name: 'byrne sean padraig og' });
    await run('allergies', { patientMrn: 'M-1', substance: 'Peanut', category: 'Food', reactions: 'Hives; Swelling ;Wheezing', severity: 'severe' });
    await run('observations', { patientMrn: 'M-1', name: 'HbA1c', value: '6.1', unit: '%', referenceText: '<5.7', effectiveAt: '2024-03-06T08:30:00Z' });
    await run('observations', { patientMrn: 'M-1', name: 'Systolic', value: '128', unit: 'mmHg', unitCode: 'mm[Hg]', effectiveAt: '2024-03-06T08:30:00Z' });
    const records = await sql(t, "select kind, data from clinical_record where patient_id = ? order by kind, data->>'name'", [patient!.id]);
    expect(records.map((r) => r.data)).toEqual([
      { substance: 'Peanut', category: 'food', reactions: ['Hives', 'Swelling', 'Wheezing'], severity: 'severe' },
      { category: 'laboratory', name: 'HbA1c', valueNumber: 6.1, unit: '%', unitCode: '%', referenceText: '<5.7', effectiveAt: '2024-03-06T08:30:00Z' },
      { category: 'laboratory', name: 'Systolic', valueNumber: 128, unit: 'mmHg', unitCode: 'mm[Hg]', effectiveAt: '2024-03-06T08:30:00Z' },
    ]);
    const { id } = await api.imports.begin.mutate({ type: 'observations' });
    const bad = await api.imports.add.mutate({
      importId: id,
      rows: [{ line: 7, values: { patientMrn: 'M-1', name: 'Pulse', value: '60', unit: 'bpm', unitCode: 'bpm', effectiveAt: '2024-03-06T08:30:00Z' } }],
    });
    expect(bad.errors).toEqual([{ line: 7, field: 'unitCode', message: 'must be a UCUM code, e.g. mg/dL, 10*9/L or mm[Hg]' }]);
  });
});
