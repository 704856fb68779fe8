import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { allPages, auditTrail, createPatient, createPractice, createRecordsOfEveryKind, inviteUser, recordKinds, sql, type NewPatient, type PatientDto, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';
import { waitFor } from '../workers.ts';

let t: TestServer;
// One practice (time zone Europe/Dublin): its admin, a clinician who registers patients, and a colleague.
let admin: TestUser;
let clinician: TestUser;
let colleague: TestUser;

/** SQL statements the app's ORM sent while `queries` is a list (see `queriesDuring`). */
let queries: string[] | null = null;

beforeAll(async () => {
  t = await startTestServer({}, { onQuery: (query) => queries?.push(query) });
  ({ admin } = await createPractice(t, 'Patients Practice'));
  await t.client(admin.token).practices.update.mutate({ timeZone: 'Europe/Dublin' });
  clinician = await inviteUser(t, admin);
  colleague = await inviteUser(t, admin);
});
afterAll(() => t.close());

async function queriesDuring(call: () => Promise<unknown>): Promise<string[]> {
  queries = [];
  try {
    await call();
    return queries;
  } finally {
    queries = null;
  }
}

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const patientCount = async () => Number((await sql(t, 'select count(*)::int as n from patient'))[0]!.n);
const fullName = (p: Pick<PatientDto, 'givenName' | 'familyName'>) => `${p.givenName} ${p.familyName}`;

describe('creating a patient', () => {
  it('generates an MRN when none is given, different for each patient', async () => {
    const patients = await Promise.all(Array.from({ length: 10 }, () => createPatient(t, clinician.token)));
    for (const p of patients) expect(p.mrn).toMatch(/^M[A-Z2-7]{8}$/);
    expect(new Set(patients.map((p) => p.mrn)).size).toBe(10);
  });

  it('refuses an MRN already used in the practice, with mrn-taken; another practice may use it', async () => {
    await createPatient(t, clinician.token, { mrn: 'DUP-100' });
    const before = await patientCount();
    expect(await rejection(createPatient(t, clinician.token, { mrn: 'DUP-100' }))).toMatchObject({ code: 'CONFLICT', reason: 'mrn-taken' });
    expect(await rejection(createPatient(t, admin.token, { mrn: 'DUP-100' }))).toMatchObject({ code: 'CONFLICT', reason: 'mrn-taken' });
    // MRNs compare without case.
    expect(await rejection(createPatient(t, admin.token, { mrn: 'dup-100' }))).toMatchObject({ code: 'CONFLICT', reason: 'mrn-taken' });
    expect(await patientCount()).toBe(before);

    const elsewhere = await createPractice(t);
    expect((await createPatient(t, elsewhere.admin.token, { mrn: 'DUP-100' })).mrn).toBe('DUP-100');
  });

  it('gives mrn-taken to every registration but one when several race for the same MRN', async () => {
    for (const mrn of ['RACE-1', 'RACE-2', 'RACE-3']) {
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => createPatient(t, clinician.token, { mrn })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(await rejection(Promise.reject(r.reason))).toMatchObject({ code: 'CONFLICT', reason: 'mrn-taken' });
      expect(await sql(t, 'select count(*)::int as n from patient where mrn = ?', [mrn])).toEqual([{ n: 1 }]);
    }
    const others = await Promise.all(Array.from({ length: 6 }, () => createPatient(t, clinician.token)));
    const renamed = await Promise.allSettled(others.map((p) => t.client(clinician.token).patients.update.mutate({ id: p.id, mrn: 'RACE-U' })));
    expect(renamed.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of renamed) if (r.status === 'rejected') expect(await rejection(Promise.reject(r.reason))).toMatchObject({ code: 'CONFLICT', reason: 'mrn-taken' });
  });

  it('stores the phone as E.164 and the email lower case, whatever the input looks like', async () => {
    const p = await createPatient(t, clinician.token, { phone: '+353 87 123 4567', email: 'Mary.Kelly@Example.TEST' });
    expect(p).toMatchObject({ phone: '+353871234567', email: 'mary.kelly@example.test' });
    expect(await sql(t, 'select phone, phone_digits, email from patient where id = ?', [p.id])).toEqual([{ phone: '+353871234567', phone_digits: '353871234567', email: 'mary.kelly@example.test' }]);
  });

  it('takes the practice’s time zone unless one is given', async () => {
    expect((await createPatient(t, clinician.token)).timeZone).toBe('Europe/Dublin');
    expect((await createPatient(t, clinician.token, { timeZone: 'America/New_York' })).timeZone).toBe('America/New_York');
  });

  it('returns every field it was given, and no internal ones', async () => {
    const input: NewPatient = {
      mrn: 'FULL-1',
      givenName: '  Aoife ',
      middleNames: ['Máire'],
      familyName: 'Byrne',
      birthDate: '1988-04-12',
      gender: 'female',
      email: 'aoife@example.test',
      phone: '+353 86 111 2222',
      address: { lines: ['1 Main Street'], city: 'Galway', postalCode: 'H91 ABC1', country: 'IE' },
      preferredLanguage: 'ga',
      emergencyContact: { name: 'Ciarán Byrne', relationship: 'brother', phone: '+353 86 765 4321' },
    };
    const p = await createPatient(t, clinician.token, input);
    expect(p).toEqual({
      ...input,
      givenName: 'Aoife',
      phone: '+353861112222',
      emergencyContact: { ...input.emergencyContact, phone: '+353867654321' },
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      externalId: null,
      timeZone: 'Europe/Dublin',
      status: 'active',
      selfRegistered: false,
      mergedIntoId: null,
      reminderEmailOptOutAt: null,
      hasPortalAccount: false,
      photo: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await t.client(clinician.token).patients.byId.query({ id: p.id })).toEqual(p);
  });

  it('rejects bad input with BAD_REQUEST naming the field, and creates nothing', async () => {
    const before = await patientCount();
    const cases: Array<[Partial<NewPatient>, string]> = [
      [{ phone: '12345' }, 'phone'],
      [{ phone: '+353 87 123' }, 'phone'],
      [{ birthDate: daysFromNow(2) }, 'birthDate'],
      [{ birthDate: '1980-02-30' }, 'birthDate'],
      [{ gender: 'robot' as never }, 'gender'],
      [{ givenName: 'Jo\u0000hn' }, 'givenName'],
      [{ familyName: 'Mc\u0000Carthy' }, 'familyName'],
      // Unpaired surrogates have no UTF-8 form: once stored silently as U+FFFD.
      [{ givenName: 'Jo\ud800hn' }, 'givenName'],
      [{ familyName: 'Mc\udc00Carthy' }, 'familyName'],
      [{ givenName: 'Ann\ud83d' }, 'givenName'],
      [{ familyName: '   ' }, 'familyName'],
      [{ birthDate: '0000-01-01' }, 'birthDate'],
      [{ birthDate: '1849-12-31' }, 'birthDate'],
      [{ email: 'not-an-email' }, 'email'],
      [{ mrn: 'has spaces' }, 'mrn'],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ];
    for (const [overrides, field] of cases) {
      const e = await rejection(createPatient(t, clinician.token, overrides));
      expect({ overrides, code: e.code, fields: Object.keys(e.fieldErrors ?? {}) }).toEqual({ overrides, code: 'BAD_REQUEST', fields: [field] });
      expect(e.fieldErrors![field]![0]).toEqual(expect.any(String));
    }
    expect(await patientCount()).toBe(before);
  });
});

describe('updating a patient', () => {
  it('changes only the fields given', async () => {
    const p = await createPatient(t, clinician.token, {
      email: 'partial@example.test',
      phone: '+353 87 123 4567',
      address: { lines: ['2 Quay Street'], city: 'Cork', country: 'IE' },
    });
    const updated = await t.client(clinician.token).patients.update.mutate({ id: p.id, phone: '+353 86 765 4321', givenName: 'Renamed' });
    expect(updated).toEqual({ ...p, phone: '+353867654321', givenName: 'Renamed', updatedAt: expect.any(String) });
    expect(await t.client(clinician.token).patients.byId.query({ id: p.id })).toEqual(updated);
    expect(await sql(t, 'select phone_digits, search_name from patient where id = ?', [p.id])).toEqual([{ phone_digits: '353867654321', search_name: `renamed ${p.familyName.toLowerCase()}` }]);
  });

  it('clears a field set to null', async () => {
    const p = await createPatient(t, clinician.token, {
      email: 'clear@example.test',
      phone: '+353 87 123 4567',
      address: { lines: ['3 Shop Street'], city: 'Galway', country: 'IE' },
      preferredLanguage: 'en',
      emergencyContact: { name: 'Someone', relationship: 'friend', phone: '+353 86 111 2222' },
    });
    const cleared = await t.client(clinician.token).patients.update.mutate({ id: p.id, email: null, phone: null, address: null, preferredLanguage: null, emergencyContact: null });
    expect(cleared).toEqual({ ...p, email: null, phone: null, address: null, preferredLanguage: null, emergencyContact: null, updatedAt: expect.any(String) });
    expect(await sql(t, 'select email, phone, phone_digits, address, emergency_contact from patient where id = ?', [p.id])).toEqual([
      { email: null, phone: null, phone_digits: null, address: null, emergency_contact: null },
    ]);
  });

  it('refuses an MRN taken by another patient, and keeps the record as it was', async () => {
    const [a, b] = [await createPatient(t, clinician.token, { mrn: 'UPD-1' }), await createPatient(t, clinician.token, { mrn: 'UPD-2' })];
    expect(await rejection(t.client(clinician.token).patients.update.mutate({ id: b.id, mrn: 'UPD-1', givenName: 'Changed' }))).toMatchObject({ code: 'CONFLICT', reason: 'mrn-taken' });
    expect(await t.client(clinician.token).patients.byId.query({ id: b.id })).toEqual(b);
    expect((await t.client(clinician.token).patients.update.mutate({ id: a.id, mrn: 'UPD-1' })).mrn).toBe('UPD-1');
  });

  it('rejects bad fields with BAD_REQUEST naming the field', async () => {
    const p = await createPatient(t, clinician.token);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ phone: 'call me' }, 'phone'],
      [{ birthDate: daysFromNow(3) }, 'birthDate'],
      [{ gender: 'robot' }, 'gender'],
      [{ givenName: null }, 'givenName'],
      [{ familyName: 'x\u0000' }, 'familyName'],
      [{ familyName: 'x\udfff' }, 'familyName'],
      [{ birthDate: '0000-02-29' }, 'birthDate'],
    ];
    for (const [changes, field] of cases) {
      const e = await rejection(t.client(clinician.token).patients.update.mutate({ id: p.id, ...(changes as object) }));
      expect({ changes, code: e.code, fields: Object.keys(e.fieldErrors ?? {}) }).toEqual({ changes, code: 'BAD_REQUEST', fields: [field] });
    }
    expect(await t.client(clinician.token).patients.byId.query({ id: p.id })).toEqual(p);
  });
});

describe('archiving and restoring', () => {
  it('hides an archived patient from the default search, shows them when asked for, and never deletes them', async () => {
    const p = await createPatient(t, clinician.token, { givenName: 'Archie', familyName: 'Vault' });
    const search = (status?: 'active' | 'archived') =>
      t
        .client(clinician.token)
        .patients.search.query({ query: 'vault', ...(status && { status }) })
        .then((r) => r.items.map((i) => i.id));
    expect(await search()).toEqual([p.id]);

    expect((await t.client(clinician.token).patients.archive.mutate({ id: p.id })).status).toBe('archived');
    expect(await search()).toEqual([]);
    expect(await search('active')).toEqual([]);
    expect(await search('archived')).toEqual([p.id]);
    expect((await t.client(clinician.token).patients.byId.query({ id: p.id })).status).toBe('archived');
    expect(await sql(t, 'select status from patient where id = ?', [p.id])).toEqual([{ status: 'archived' }]);
    // Archived again: nothing changes, and the patient read back is audited as a read.
    expect((await t.client(clinician.token).patients.archive.mutate({ id: p.id })).status).toBe('archived');
    expect(await sql(t, "select action from audit_event where entity_id = ? and action in ('patient.archived', 'patient.read') order by at, id", [p.id])).toEqual([
      { action: 'patient.archived' },
      { action: 'patient.read' },
      { action: 'patient.read' },
    ]);

    expect((await t.client(clinician.token).patients.restore.mutate({ id: p.id })).status).toBe('active');
    expect(await search()).toEqual([p.id]);
    expect(await search('archived')).toEqual([]);
    expect((await auditTrail(t, p.id)).map((e) => e.action)).toEqual(expect.arrayContaining(['patient.archived', 'patient.restored']));
  });
});

/**
 * A practice of its own, so every expected result is exact, and who searches it: its admin (the practice's
 * patients) or a clinician who registered every patient (their care-team rows), so both kinds of search run.
 */
async function searchingPractice(role: 'admin' | 'clinician'): Promise<TestUser> {
  const { admin: owner } = await createPractice(t);
  return role === 'admin' ? owner : inviteUser(t, owner);
}

describe.each(['admin', 'clinician'] as const)('searching, as %s', (role) => {
  // Lists sort by family name, then given name.
  let searcher: TestUser;
  const seed = {
    jose: { givenName: 'José', familyName: 'García', birthDate: '1975-03-14', mrn: 'SRCH-1', email: 'jose.garcia@example.test', phone: '+353 87 123 4567' },
    josefina: { givenName: 'Josefina', familyName: 'Murphy', birthDate: '1975-03-14', mrn: 'SRCH-2', email: 'jm@example.test' },
    siobhan: { givenName: 'Siobhán', familyName: 'Ó Briain', birthDate: '1990-07-01', mrn: 'SRCH-3', phone: '+44 20 7946 0958' },
    sean: { givenName: 'Seán', familyName: 'Murphy', birthDate: '1962-11-30', mrn: 'SRCH-4', email: 'sean.murphy@example.test', phone: '+353 86 111 2222' },
    zoe: { givenName: 'Zoë', familyName: 'Brennan', birthDate: '2001-01-01', mrn: 'SRCH-5' },
  } satisfies Record<string, Partial<NewPatient>>;
  const jose = 'José García';
  const josefina = 'Josefina Murphy';
  const siobhan = 'Siobhán Ó Briain';
  const sean = 'Seán Murphy';
  const zoe = 'Zoë Brennan';

  const search = async (input: Parameters<ReturnType<TestServer['client']>['patients']['search']['query']>[0]) => (await t.client(searcher.token).patients.search.query(input)).items.map(fullName);

  beforeAll(async () => {
    searcher = await searchingPractice(role);
    for (const p of Object.values(seed)) await createPatient(t, searcher.token, { gender: 'unknown', ...p });
  });

  it('lists everyone by family name, then given name, with no filter', async () => {
    expect(await search({})).toEqual([zoe, jose, josefina, sean, siobhan]);
  });

  it('finds part of a name, case- and accent-insensitively', async () => {
    expect(await search({ query: 'jose' })).toEqual([jose, josefina]);
    expect(await search({ query: 'JOSÉ' })).toEqual([jose, josefina]);
    expect(await search({ query: 'BRIAIN' })).toEqual([siobhan]);
    expect(await search({ query: 'ó bri' })).toEqual([siobhan]);
    expect(await search({ query: 'sean' })).toEqual([sean]);
    expect(await search({ query: 'zoe' })).toEqual([zoe]);
    expect(await search({ query: 'urph' })).toEqual([josefina, sean]);
    expect(await search({ query: 'nobody' })).toEqual([]);
  });

  it('finds by MRN, case-insensitively', async () => {
    expect(await search({ query: 'srch-3' })).toEqual([siobhan]);
    expect(await search({ mrn: 'SRCH-4' })).toEqual([sean]);
  });

  it('finds by email', async () => {
    expect(await search({ query: 'jose.garcia@example.test' })).toEqual([jose]);
    expect(await search({ query: 'Sean.Murphy@' })).toEqual([sean]);
    expect(await search({ email: 'JM@example.test' })).toEqual([josefina]);
  });

  it('finds by phone digits, however the number is written', async () => {
    for (const written of ['087 123 4567', '0871234567', '+353 87 123 4567', '(087) 123-4567', '1234567']) {
      expect({ written, found: await search({ query: written }) }).toEqual({ written, found: [jose] });
      expect({ written, found: await search({ phone: written }) }).toEqual({ written, found: [jose] });
    }
    expect(await search({ query: '020 7946 0958' })).toEqual([siobhan]);
  });

  it('finds by birth date', async () => {
    expect(await search({ query: '1975-03-14' })).toEqual([jose, josefina]);
    expect(await search({ birthDate: '1962-11-30' })).toEqual([sean]);
  });

  it('ANDs the terms of one query string', async () => {
    expect(await search({ query: 'murphy 1975-03-14' })).toEqual([josefina]);
    expect(await search({ query: 'jose murphy' })).toEqual([josefina]);
    expect(await search({ query: 'murphy 086 111 2222' })).toEqual([sean]);
    expect(await search({ query: 'murphy srch-4' })).toEqual([sean]);
    expect(await search({ query: 'garcia 1990-07-01' })).toEqual([]);
  });

  it('ANDs fields, and fields with the query string', async () => {
    expect(await search({ name: 'murphy', birthDate: '1962-11-30' })).toEqual([sean]);
    expect(await search({ name: 'jose', birthDate: '1975-03-14' })).toEqual([jose, josefina]);
    expect(await search({ query: 'jose', email: 'jm@example.test' })).toEqual([josefina]);
    expect(await search({ name: 'murphy', phone: '087 123 4567' })).toEqual([]);
  });

  it('treats LIKE wildcards in a term as plain characters', async () => {
    expect(await search({ query: '%' })).toEqual([]);
    expect(await search({ name: '_' })).toEqual([]);
  });

  it('finds nobody for a date-shaped term that is no date, without an error', async () => {
    expect(await search({ query: '1975-02-30' })).toEqual([]);
    expect(await search({ query: 'murphy 2024-13-01' })).toEqual([]);
  });
});

describe.each(['admin', 'clinician'] as const)('pagination, as %s', (role) => {
  let pager: TestUser;
  beforeAll(async () => {
    pager = await searchingPractice(role);
    // Three with the same name: only the id can order them.
    for (const familyName of ['Doe', 'Doe', 'Doe', 'Adams', 'Zimmer', 'Ó Dálaigh', 'Murphy']) await createPatient(t, pager.token, { givenName: 'Alex', familyName });
  });

  it('walks every patient with limit 2, in a stable order without duplicates or gaps', async () => {
    const all = await t.client(pager.token).patients.list.query({ limit: 100 });
    expect(all.items.map((p) => p.familyName)).toEqual(['Adams', 'Doe', 'Doe', 'Doe', 'Murphy', 'Ó Dálaigh', 'Zimmer']);
    expect(all.nextCursor).toBeNull();
    const walked = await allPages((cursor) => t.client(pager.token).patients.list.query({ limit: 2, cursor }));
    expect(walked.pages).toBe(4);
    expect(walked.items.map((p) => p.id)).toEqual(all.items.map((p) => p.id));
    expect(new Set(walked.items.map((p) => p.id)).size).toBe(7);
    const doeIds = all.items.filter((p) => p.familyName === 'Doe').map((p) => p.id);
    expect(doeIds).toEqual([...doeIds].sort());
  });

  it('keeps a cursor stable while patients are added before it', async () => {
    const first = await t.client(pager.token).patients.list.query({ limit: 3 });
    await createPatient(t, pager.token, { givenName: 'Alex', familyName: 'Aaron' });
    const rest = await allPages((cursor) => t.client(pager.token).patients.list.query({ limit: 3, cursor: cursor ?? first.nextCursor! }));
    expect([...first.items, ...rest.items].map((p) => p.familyName)).toEqual(['Adams', 'Doe', 'Doe', 'Doe', 'Murphy', 'Ó Dálaigh', 'Zimmer']);
  });

  it('pages through search results too', async () => {
    const walked = await allPages((cursor) => t.client(pager.token).patients.search.query({ query: 'doe', limit: 2, cursor }));
    expect(walked.items.map((p) => p.familyName)).toEqual(['Doe', 'Doe', 'Doe']);
    expect(new Set(walked.items.map((p) => p.id)).size).toBe(3);
  });

  it('rejects a forged cursor', async () => {
    expect(await rejection(t.client(pager.token).patients.list.query({ cursor: 'forged' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('a search with more matches than are sorted at once', () => {
  // Past 2,000 matches the server walks the name index instead of sorting the matches: both must agree.
  const total = 2_100;
  let owner: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    ({ admin: owner } = await createPractice(t));
    member = await inviteUser(t, owner);
    // In bulk through SQL: 2,100 API calls would only slow the test. Names sort alike under any collation.
    await sql(
      t,
      `with added as (
         insert into patient (id, practice_id, mrn, given_name, family_name, birth_date, gender, time_zone, status, search_name, sort_name, created_at, updated_at)
         select gen_random_uuid(), ?, 'DENSE' || n, 'A' || lpad(n::text, 4, '0'), 'Dense', '1980-01-01', 'unknown', 'UTC', 'active',
                'a' || lpad(n::text, 4, '0') || ' dense', 'dense a' || lpad(n::text, 4, '0'), now(), now()
         from generate_series(1, ?) n returning id, given_name)
       insert into care_team_member (id, practice_id, patient_id, clinician_id, created_at)
       select gen_random_uuid(), ?, id, ?, now() from added where substr(given_name, 2)::int % 3 = 0`,
      [owner.practiceId, total, owner.practiceId, member.id],
    );
  });

  const names = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => `A${String(from + i * step).padStart(4, '0')}`);

  it('pages through every match in name order, as an admin and as a clinician seeing a third of them', async () => {
    const asAdmin = await t.client(owner.token).patients.search.query({ query: 'dense', limit: 100 });
    expect(asAdmin.items.map((p) => p.givenName)).toEqual(names(1, 100));
    const asMember = await t.client(member.token).patients.search.query({ query: 'dense', limit: 100 });
    expect(asMember.items.map((p) => p.givenName)).toEqual(names(3, 300, 3));
    const walked = await allPages((cursor) => t.client(member.token).patients.search.query({ query: 'dense', limit: 100, cursor }));
    expect(walked.items.map((p) => p.givenName)).toEqual(names(3, total, 3));
  });

  it('finds the few that match a narrower term among them', async () => {
    expect((await t.client(member.token).patients.search.query({ query: 'a20', limit: 50 })).items.map((p) => p.givenName)).toEqual(names(2001, 2099, 3));
  });
});

describe('care team', () => {
  it('puts the clinician who registers a patient on the care team; an admin who registers joins no team', async () => {
    const p = await createPatient(t, clinician.token);
    expect((await t.client(clinician.token).careTeams.list.query({ patientId: p.id })).map((u) => u.id)).toEqual([clinician.id]);
    const q = await createPatient(t, admin.token);
    expect(await t.client(admin.token).careTeams.list.query({ patientId: q.id })).toEqual([]);
    expect(await rejection(t.client(clinician.token).patients.byId.query({ id: q.id }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hides a patient from a clinician outside the care team until they are added, and again once removed', async () => {
    const p = await createPatient(t, clinician.token, { familyName: 'Teamwork' });
    const asColleague = t.client(colleague.token);
    const colleagueCalls = {
      byId: () => asColleague.patients.byId.query({ id: p.id }),
      update: () => asColleague.patients.update.mutate({ id: p.id, givenName: 'Intruded' }),
      chart: () => asColleague.patients.chart.query({ id: p.id }),
      archive: () => asColleague.patients.archive.mutate({ id: p.id }),
      careTeamsList: () => asColleague.careTeams.list.query({ patientId: p.id }),
      careTeamsAdd: () => asColleague.careTeams.add.mutate({ patientId: p.id, clinicianId: colleague.id }),
      relatedPersonsList: () => asColleague.relatedPersons.list.query({ patientId: p.id }),
      relatedPersonsCreate: () => asColleague.relatedPersons.create.mutate({ patientId: p.id, relationship: 'friend', name: 'Nosy' }),
    };
    const expectHidden = async () => {
      for (const [name, call] of Object.entries(colleagueCalls)) expect({ name, ...(await rejection(call())) }).toMatchObject({ name, code: 'NOT_FOUND' });
      expect((await asColleague.patients.search.query({ query: 'teamwork' })).items).toEqual([]);
      expect(await sql(t, 'select given_name, status from patient where id = ?', [p.id])).toEqual([{ given_name: p.givenName, status: 'active' }]);
      expect(await sql(t, 'select count(*)::int as n from related_person where patient_id = ?', [p.id])).toEqual([{ n: 0 }]);
    };
    await expectHidden();

    const team = await t.client(clinician.token).careTeams.add.mutate({ patientId: p.id, clinicianId: colleague.id });
    expect(team.map((u) => u.id)).toEqual([clinician.id, colleague.id]);
    expect((await asColleague.patients.byId.query({ id: p.id })).id).toBe(p.id);
    expect((await asColleague.patients.update.mutate({ id: p.id, preferredLanguage: 'fr' })).preferredLanguage).toBe('fr');
    expect((await asColleague.patients.chart.query({ id: p.id })).careTeam.map((u) => u.id)).toEqual([clinician.id, colleague.id]);
    expect((await asColleague.patients.search.query({ query: 'teamwork' })).items.map((i) => i.id)).toEqual([p.id]);

    expect(await t.client(clinician.token).careTeams.remove.mutate({ patientId: p.id, clinicianId: colleague.id })).toEqual({ ok: true });
    await expectHidden();
    expect((await auditTrail(t, p.id)).map((e) => e.action)).toEqual(expect.arrayContaining(['care-team.added', 'care-team.removed']));
  });

  it('adds a clinician once, and refuses an admin, an unknown user or a clinician of another practice', async () => {
    const p = await createPatient(t, clinician.token);
    await t.client(admin.token).careTeams.add.mutate({ patientId: p.id, clinicianId: colleague.id });
    const team = await t.client(admin.token).careTeams.add.mutate({ patientId: p.id, clinicianId: colleague.id });
    expect(team.map((u) => u.id)).toEqual([clinician.id, colleague.id]);
    const elsewhere = await createPractice(t);
    const foreignClinician = await inviteUser(t, elsewhere.admin);
    for (const clinicianId of [admin.id, foreignClinician.id, '01900000-0000-7000-8000-000000000000']) {
      expect(await rejection(t.client(admin.token).careTeams.add.mutate({ patientId: p.id, clinicianId }))).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(await rejection(t.client(admin.token).careTeams.remove.mutate({ patientId: p.id, clinicianId: foreignClinician.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(t, 'select count(*)::int as n from care_team_member where patient_id = ?', [p.id])).toEqual([{ n: 2 }]);
  });

  it('lets an admin see, search and change every patient of the practice, and none of another', async () => {
    const p = await createPatient(t, clinician.token, { familyName: 'Adminview' });
    expect((await t.client(admin.token).patients.byId.query({ id: p.id })).id).toBe(p.id);
    expect((await t.client(admin.token).patients.search.query({ query: 'adminview' })).items.map((i) => i.id)).toEqual([p.id]);
    expect((await t.client(admin.token).patients.chart.query({ id: p.id })).patient.id).toBe(p.id);
    expect((await t.client(admin.token).patients.update.mutate({ id: p.id, givenName: 'Seen' })).givenName).toBe('Seen');

    const elsewhere = await createPractice(t);
    expect(await rejection(t.client(elsewhere.admin.token).patients.byId.query({ id: p.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(elsewhere.admin.token).patients.update.mutate({ id: p.id, givenName: 'Stolen' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.client(elsewhere.admin.token).patients.search.query({ query: 'adminview' })).items).toEqual([]);
  });
});

describe("a clinician's search reads their care-team rows", () => {
  /** What each care-team row of the patient holds of it, beside what the patient row holds. */
  const copies = (patientId: string) =>
    sql(
      t,
      `select c.search_name = p.search_name and c.sort_name = p.sort_name and c.mrn = p.mrn and c.patient_status = p.status as same, c.search_name
       from care_team_member c join patient p on p.id = c.patient_id where c.patient_id = ? order by c.clinician_id`,
      [patientId],
    );
  const found = (user: TestUser, input: { query: string; status?: 'active' | 'archived' }) =>
    t
      .client(user.token)
      .patients.search.query(input)
      .then((r) => r.items.map((i) => i.id));

  it('follows the patient’s name, MRN and status as they change, for every clinician on the team', async () => {
    const p = await createPatient(t, clinician.token, { givenName: 'Renata', familyName: 'Oldcastle', mrn: 'COPY-1' });
    await t.client(clinician.token).careTeams.add.mutate({ patientId: p.id, clinicianId: colleague.id });
    for (const user of [clinician, colleague]) expect(await found(user, { query: 'oldcastle' })).toEqual([p.id]);

    await t.client(colleague.token).patients.update.mutate({ id: p.id, familyName: 'Newbridge', mrn: 'COPY-2' });
    for (const user of [clinician, colleague]) {
      expect(await found(user, { query: 'oldcastle' })).toEqual([]);
      expect(await found(user, { query: 'NEWBR' })).toEqual([p.id]);
      expect(await found(user, { query: 'copy-2' })).toEqual([p.id]);
      expect(await found(user, { query: 'copy-1' })).toEqual([]);
    }

    await t.client(clinician.token).patients.archive.mutate({ id: p.id });
    for (const user of [clinician, colleague]) {
      expect(await found(user, { query: 'newbridge' })).toEqual([]);
      expect(await found(user, { query: 'newbridge', status: 'archived' })).toEqual([p.id]);
    }
    expect(await copies(p.id)).toEqual([
      { same: true, search_name: 'renata newbridge' },
      { same: true, search_name: 'renata newbridge' },
    ]);
  });

  it('refuses a care-team row for a patient that does not exist, as a foreign key violation', async () => {
    const insert = sql(t, `insert into care_team_member (id, practice_id, patient_id, clinician_id, created_at) values (gen_random_uuid(), ?, gen_random_uuid(), ?, now())`, [
      admin.practiceId,
      colleague.id,
    ]);
    await expect(insert).rejects.toMatchObject({ code: '23503' });
  });

  it('copies a rename that commits while a clinician is being added, not the name read before it', async () => {
    const p = await createPatient(t, clinician.token, { givenName: 'Racing', familyName: 'Before' });
    const adding = new pg.Client({ connectionString: t.dbUrl });
    const renaming = new pg.Client({ connectionString: t.dbUrl });
    await Promise.all([adding.connect(), renaming.connect()]);
    try {
      const { pid } = (await renaming.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!;
      await adding.query('begin');
      await adding.query(`insert into care_team_member (id, practice_id, patient_id, clinician_id, created_at) values (gen_random_uuid(), $1, $2, $3, now())`, [admin.practiceId, p.id, colleague.id]);
      const rename = renaming.query(`update patient set search_name = 'racing after', sort_name = 'after racing' where id = $1`, [p.id]);
      await waitFor(async () => (await sql(t, `select 1 from pg_stat_activity where pid = ? and wait_event_type = 'Lock'`, [pid])).length > 0, {
        what: 'the rename to wait for the insert',
      });
      await adding.query('commit');
      await rename;
    } finally {
      await Promise.all([adding.end(), renaming.end()]);
    }
    expect(await copies(p.id)).toEqual([
      { same: true, search_name: 'racing after' },
      { same: true, search_name: 'racing after' },
    ]);
    expect(await found(colleague, { query: 'racing after' })).toEqual([p.id]);
  });
});

describe('related persons', () => {
  it('adds, lists, updates and removes the people related to a patient', async () => {
    const p = await createPatient(t, clinician.token);
    const rp = t.client(clinician.token).relatedPersons;
    const mother = await rp.create.mutate({ patientId: p.id, relationship: 'mother', name: 'Máire Kelly', phone: '+353 87 123 4567', email: 'Maire@Example.TEST' });
    expect(mother).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      patientId: p.id,
      relationship: 'mother',
      name: 'Máire Kelly',
      phone: '+353871234567',
      email: 'maire@example.test',
      createdAt: expect.any(String),
    });
    const friend = await rp.create.mutate({ patientId: p.id, relationship: 'friend', name: 'Pat' });
    expect(friend).toMatchObject({ phone: null, email: null });
    expect(await rp.list.query({ patientId: p.id })).toEqual([mother, friend]);

    const updated = await rp.update.mutate({ id: friend.id, relationship: 'partner', phone: '+353 86 111 2222' });
    expect(updated).toEqual({ ...friend, relationship: 'partner', phone: '+353861112222' });
    expect(await t.client(admin.token).relatedPersons.update.mutate({ id: mother.id, name: 'Máire Uí Cheallaigh' })).toEqual({ ...mother, name: 'Máire Uí Cheallaigh' });

    expect(await rp.remove.mutate({ id: friend.id })).toEqual({ ok: true });
    expect((await rp.list.query({ patientId: p.id })).map((r) => r.id)).toEqual([mother.id]);
    expect(await rejection(rp.update.mutate({ id: friend.id, name: 'Gone' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await auditTrail(t, mother.id)).map((e) => e.action)).toEqual(['related-person.created', 'related-person.updated']);
    expect((await auditTrail(t, friend.id)).map((e) => e.action)).toEqual(['related-person.created', 'related-person.updated', 'related-person.removed']);
  });

  it('validates the fields and hides the people of patients outside the care team', async () => {
    const p = await createPatient(t, clinician.token);
    const e = await rejection(t.client(clinician.token).relatedPersons.create.mutate({ patientId: p.id, relationship: '', name: 'X', phone: 'nope' }));
    expect(e).toMatchObject({ code: 'BAD_REQUEST' });
    expect(Object.keys(e.fieldErrors!).sort()).toEqual(['phone', 'relationship']);

    const person = await t.client(clinician.token).relatedPersons.create.mutate({ patientId: p.id, relationship: 'son', name: 'Conor' });
    expect(await rejection(t.client(colleague.token).relatedPersons.update.mutate({ id: person.id, name: 'Changed' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(colleague.token).relatedPersons.remove.mutate({ id: person.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(t, 'select name from related_person where patient_id = ?', [p.id])).toEqual([{ name: 'Conor' }]);
  });
});

describe('the chart', () => {
  it('returns demographics, every kind of record, related persons and the care team', async () => {
    const p = await createPatient(t, clinician.token, { familyName: 'Charted' });
    await createRecordsOfEveryKind(t, clinician.token, p.id, 2);
    const person = await t.client(clinician.token).relatedPersons.create.mutate({ patientId: p.id, relationship: 'sister', name: 'Niamh' });
    await t.client(clinician.token).careTeams.add.mutate({ patientId: p.id, clinicianId: colleague.id });

    const chart = await t.client(clinician.token).patients.chart.query({ id: p.id });
    expect(chart.patient).toEqual(p);
    for (const key of ['allergies', 'medications', 'conditions', 'observations', 'history'] as const) {
      expect({ key, count: chart[key].length, patients: [...new Set(chart[key].map((r) => r.patientId))] }).toEqual({ key, count: 2, patients: [p.id] });
    }
    expect(chart.allergies[0]).toMatchObject({ substance: expect.stringMatching(/^Penicillin/), severity: 'moderate', status: 'active', version: 1, createdBy: clinician.id });
    expect(chart.observations[0]).toMatchObject({ recordKind: 'observation', valueNumber: expect.any(Number), unit: '/min', status: 'final' });
    expect(chart.history[0]).toMatchObject({ recordKind: 'history', kind: 'family', relation: 'father' });
    expect(chart.relatedPersons).toEqual([person]);
    expect(chart.careTeam.map((u) => [u.id, u.role])).toEqual([
      [clinician.id, 'clinician'],
      [colleague.id, 'clinician'],
    ]);
    expect(JSON.stringify(chart)).not.toMatch(/passwordHash|secretHash|password_hash/);
  });

  it('makes as many queries for a patient with 30 records of each kind as for one with 2', async () => {
    const small = await createPatient(t, clinician.token);
    const large = await createPatient(t, clinician.token);
    await createRecordsOfEveryKind(t, clinician.token, small.id, 2);
    await createRecordsOfEveryKind(t, clinician.token, large.id, 30);
    for (const p of [small, large]) {
      await t.client(clinician.token).relatedPersons.create.mutate({ patientId: p.id, relationship: 'father', name: 'Dad' });
      await t.client(clinician.token).careTeams.add.mutate({ patientId: p.id, clinicianId: colleague.id });
    }

    let chart: Awaited<ReturnType<ReturnType<TestServer['client']>['patients']['chart']['query']>> | undefined;
    const smallQueries = await queriesDuring(async () => void (chart = await t.client(clinician.token).patients.chart.query({ id: small.id })));
    expect(chart!.allergies).toHaveLength(2);
    const largeQueries = await queriesDuring(async () => void (chart = await t.client(clinician.token).patients.chart.query({ id: large.id })));
    for (const key of ['allergies', 'medications', 'conditions', 'observations', 'history'] as const) expect(chart![key]).toHaveLength(30);

    expect(smallQueries.length).toBeGreaterThan(0);
    expect(largeQueries.length).toBe(smallQueries.length);
    // The reads: the patient, the records, the related persons, the care team with its clinicians.
    expect(largeQueries.filter((q) => /^select/i.test(q.trim())).length).toBeLessThanOrEqual(4);
  });
});

describe('the audit trail', () => {
  it('records who created, read, changed and charted a patient, and each record written', async () => {
    const p = await createPatient(t, clinician.token);
    // refused: a read that did not happen leaves no patient.read
    expect(await rejection(t.client(colleague.token).patients.byId.query({ id: p.id }))).toMatchObject({ code: 'NOT_FOUND' });
    await t.client(clinician.token).patients.byId.query({ id: p.id });
    await t.client(clinician.token).patients.update.mutate({ id: p.id, givenName: 'Audited' });
    await t.client(admin.token).patients.chart.query({ id: p.id });
    const allergy = await t.client(clinician.token).allergies.create.mutate({ patientId: p.id, fields: { substance: 'Latex', severity: 'severe' } });

    expect(await auditTrail(t, p.id)).toEqual([
      { action: 'patient.created', actor_id: clinician.id },
      { action: 'patient.read', actor_id: clinician.id },
      { action: 'patient.updated', actor_id: clinician.id },
      { action: 'patient.chart-read', actor_id: admin.id },
    ]);
    expect(await auditTrail(t, allergy.id)).toEqual([{ action: 'allergy.created', actor_id: clinician.id }]);
  });

  it('records a search with the ids it returned, and no PHI', async () => {
    const p = await createPatient(t, clinician.token, { givenName: 'Searchable', familyName: 'Auditee' });
    await t.client(clinician.token).patients.search.query({ query: 'auditee' });
    const [event] = await sql(t, `select detail from audit_event where action = 'patient.searched' and actor_id = ? order by at desc, id desc limit 1`, [clinician.id]);
    expect(event!.detail).toEqual({ results: 1, ids: p.id });
    expect(JSON.stringify(event)).not.toMatch(/auditee|searchable/i);
  });

  it('covers every record kind', async () => {
    const p = await createPatient(t, clinician.token);
    await createRecordsOfEveryKind(t, clinician.token, p.id, 1);
    const actions = await sql<{ action: string }>(t, `select action from audit_event where detail->>'patientId' = ? order by action`, [p.id]);
    expect(actions.map((a) => a.action)).toEqual(recordKinds.map((k) => `${k}.created`).sort());
  });
});

describe('middle names', () => {
  it('are kept in order, found by search (a clinician searches the care-team copies), and cleared with []', async () => {
    const api = t.client(clinician.token);
    const patient = await api.patients.create.mutate({ givenName: 'Mary', middleNames: ['Ann', 'Bríd'], familyName: `Quill${Date.now() % 10000}`, birthDate: '1981-05-06', gender: 'female' });
    expect(patient.middleNames).toEqual(['Ann', 'Bríd']);
    const found = async (query: string) => (await api.patients.search.query({ query })).items.map((p) => p.id);
    expect(await found('brid quill')).toEqual([patient.id]);
    expect((await api.patients.update.mutate({ id: patient.id, givenName: 'Maria' })).middleNames).toEqual(['Ann', 'Bríd']);
    expect(await found('maria brid')).toEqual([patient.id]);
    expect((await api.patients.update.mutate({ id: patient.id, middleNames: [] })).middleNames).toEqual([]);
    expect(await found('brid')).toEqual([]);
    expect((await rejection(api.patients.update.mutate({ id: patient.id, middleNames: [''] }))).fieldErrors).toEqual({ 'middleNames.0': ['is required'] });
  });
});
