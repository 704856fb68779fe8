import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouterInputs } from '../../shared/client.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, sendInvite, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';

type ListInput = RouterInputs['clinicians']['directory'];

let t: TestServer;
// Practice A: two admins (one of them will see patients), clinicians Aoife, Brian and one who leaves, a patient. Practice B: an admin and a clinician.
let admin: TestUser;
let otherAdmin: TestUser;
let aoife: TestUser;
let brian: TestUser;
let leaver: TestUser;
let patient: TestUser;
let adminB: TestUser;
let clinicianB: TestUser;

const publicKeys = ['acceptsNewPatients', 'bio', 'displayName', 'id', 'languages', 'photo', 'registration', 'specialty', 'title'];
const aoifeProfile = {
  displayName: 'Aoife Byrne',
  title: 'Dr',
  specialty: { name: 'General practice', code: { system: 'http://snomed.info/sct' as const, code: '62247001' } },
  languages: ['ga', 'en-IE'],
  registration: { system: 'https://www.medicalcouncil.ie', value: '423516', issuer: 'Medical Council' },
  bio: 'GP with an interest in diabetes care.',
  acceptsNewPatients: true,
  phone: '+353 87 123 4567',
};

const profileRows = () => sql(t, 'select * from clinician_profile order by id');
const names = async (token: string, input: ListInput = {}) => (await t.client(token).clinicians.directory.query(input)).items.map((c) => c.displayName);

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  otherAdmin = await inviteUser(t, admin, 'admin');
  aoife = await inviteUser(t, admin);
  brian = await inviteUser(t, admin);
  leaver = await inviteUser(t, admin);
  await sendInvite(t, admin); // an invited clinician, not yet a colleague
  const { id: patientId } = await createPatient(t, aoife.token, { email: 'pat@example.test' });
  patient = await invitePatientToPortal(t, aoife.token, patientId);
  ({ admin: adminB } = await createPractice(t));
  clinicianB = await inviteUser(t, adminB);

  await t.client(aoife.token).clinicians.updateProfile.mutate({ id: aoife.id, ...aoifeProfile });
  await t.client(admin.token).clinicians.updateProfile.mutate({ id: brian.id, displayName: 'Brian Walsh', specialty: { name: 'Physiotherapy' }, languages: ['en', 'pl'] });
  await t.client(leaver.token).clinicians.updateProfile.mutate({ id: leaver.id, displayName: 'Lee Leaver', acceptsNewPatients: true, languages: ['en'] });
  await t.client(admin.token).users.deactivate.mutate({ id: leaver.id });
});
afterAll(() => t.close());

describe('clinicians.updateProfile', () => {
  it('lets a clinician fill in their own profile, answered as colleagues see it (phone in E.164)', async () => {
    const entry = await t.client(aoife.token).clinicians.byId.query({ id: aoife.id });
    expect(entry).toEqual({
      id: aoife.id,
      ...aoifeProfile,
      phone: undefined,
      photo: null,
      role: 'clinician',
      contact: { email: aoife.email, phone: '+353871234567' },
    });
  });

  it('keeps fields left out, clears fields set to null (a null display name shows the account name)', async () => {
    const api = t.client(brian.token).clinicians;
    const updated = await api.updateProfile.mutate({ id: brian.id, title: 'Mr', bio: 'Sports injuries.' });
    expect(updated).toMatchObject({ displayName: 'Brian Walsh', title: 'Mr', bio: 'Sports injuries.', specialty: { name: 'Physiotherapy' }, languages: ['en', 'pl'] });
    const cleared = await api.updateProfile.mutate({ id: brian.id, displayName: null, title: null, bio: null });
    expect(cleared).toMatchObject({ displayName: 'Test clinician', title: null, bio: null, specialty: { name: 'Physiotherapy' } });
    await api.updateProfile.mutate({ id: brian.id, displayName: 'Brian Walsh' });
  });

  it('refuses a clinician changing a colleague’s profile, and a patient any: FORBIDDEN, nothing changed', async () => {
    const before = await profileRows();
    expect(await rejection(t.client(brian.token).clinicians.updateProfile.mutate({ id: aoife.id, bio: 'Not me.' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(t.client(patient.token).clinicians.updateProfile.mutate({ id: aoife.id, bio: 'Not me.' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await profileRows()).toEqual(before);
  });

  it('lets an admin change anyone’s, and give themselves a profile, which puts them in the directory', async () => {
    expect(await names(aoife.token)).not.toContain('Ciara Admin');
    const own = await t.client(admin.token).clinicians.updateProfile.mutate({ id: admin.id, displayName: 'Ciara Admin', specialty: { name: 'Psychiatry' } });
    expect(own).toMatchObject({ id: admin.id, role: 'admin', displayName: 'Ciara Admin' });
    expect(await names(aoife.token)).toContain('Ciara Admin');
  });

  it('answers NOT_FOUND for a deactivated clinician, a patient’s account and an unknown id', async () => {
    for (const id of [leaver.id, patient.id, '0190a000-0000-7000-8000-000000000000']) {
      expect(await rejection(t.client(admin.token).clinicians.updateProfile.mutate({ id, bio: 'x' }))).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('refuses bad input with BAD_REQUEST and a message per field, and changes nothing', async () => {
    const before = await profileRows();
    const e = await rejection(
      t.client(aoife.token).clinicians.updateProfile.mutate({
        id: aoife.id,
        displayName: '',
        title: 'x'.repeat(41),
        specialty: { name: 'GP', code: { system: 'http://snomed.info/sct', code: '12' } },
        languages: ['english'],
        registration: { system: 'medical council', value: '' },
        bio: 'x'.repeat(2001),
        phone: 'call me',
      }),
    );
    expect(e.code).toBe('BAD_REQUEST');
    expect(Object.keys(e.fieldErrors!).sort()).toEqual(['bio', 'displayName', 'languages.0', 'phone', 'registration.system', 'registration.value', 'specialty.code.code', 'title']);
    expect(e.fieldErrors!['languages.0']).toEqual(['must be a language tag such as en or pt-BR']);
    expect(e.fieldErrors!['specialty.code.code']).toEqual(['must be a SNOMED CT concept id (6 to 18 digits)']);
    const twice = await rejection(t.client(aoife.token).clinicians.updateProfile.mutate({ id: aoife.id, languages: ['pt-BR', 'pt-br'] }));
    expect(twice.fieldErrors).toEqual({ languages: ['must not name a language twice'] });
    expect(await profileRows()).toEqual(before);
  });

  it('is audited with who changed which fields (not their values); a change to nothing writes no row', async () => {
    const trail = () =>
      sql<{ actor_id: string; detail: Record<string, unknown> }>(t, "select actor_id, detail from audit_event where action = 'clinician.profile-updated' and entity_id = ? order by at, id", [
        brian.id,
      ]);
    const before = (await trail()).length;
    await t.client(brian.token).clinicians.updateProfile.mutate({ id: brian.id, acceptsNewPatients: true, bio: 'Knees and backs.' });
    const rows = await trail();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toEqual({ actor_id: brian.id, detail: { fields: 'acceptsNewPatients,bio', created: false } });
    expect((await sql(t, "select detail from audit_event where action = 'clinician.profile-updated' and entity_id = ?", [aoife.id]))[0]!.detail).toEqual({
      fields: 'acceptsNewPatients,bio,displayName,languages,phone,registration,specialty,title',
      created: true,
    });
    await t.client(brian.token).clinicians.updateProfile.mutate({ id: brian.id, acceptsNewPatients: true, bio: 'Knees and backs.' });
    expect(await trail()).toHaveLength(before + 1);
  });
});

describe('clinicians.directory', () => {
  it('lists the practice’s active clinicians (and admins with a profile) in name order; not the deactivated, invited or other admins', async () => {
    const { items, nextCursor } = await t.client(brian.token).clinicians.directory.query({});
    expect(items.map((c) => c.displayName)).toEqual(['Aoife Byrne', 'Brian Walsh', 'Ciara Admin']);
    expect(items.map((c) => c.id)).not.toContain(otherAdmin.id);
    expect(nextCursor).toBeNull();
  });

  it('filters by name, specialty (name in any case, or code), language (and its variants) and new patients', async () => {
    const token = patient.token;
    expect(await names(token, { query: 'BYR' })).toEqual(['Aoife Byrne']);
    expect(await names(token, { query: '%' })).toEqual([]);
    expect(await names(token, { specialty: 'physiotherapy' })).toEqual(['Brian Walsh']);
    expect(await names(token, { specialty: '62247001' })).toEqual(['Aoife Byrne']);
    expect(await names(token, { language: 'en' })).toEqual(['Aoife Byrne', 'Brian Walsh']);
    expect(await names(token, { language: 'ga' })).toEqual(['Aoife Byrne']);
    expect(await names(token, { language: 'en-IE' })).toEqual(['Aoife Byrne']);
    expect(await names(token, { acceptsNewPatients: true })).toEqual(['Aoife Byrne', 'Brian Walsh']);
    expect(await names(token, { acceptsNewPatients: false })).toEqual(['Ciara Admin']);
    expect(await names(token, { language: 'en', acceptsNewPatients: true, specialty: 'General practice' })).toEqual(['Aoife Byrne']);
  });

  it('pages with a cursor, and refuses a forged one', async () => {
    const api = t.client(aoife.token).clinicians;
    const first = await api.directory.query({ limit: 2 });
    expect(first.items.map((c) => c.displayName)).toEqual(['Aoife Byrne', 'Brian Walsh']);
    const second = await api.directory.query({ limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ displayName: 'Ciara Admin' }], nextCursor: null });
    expect(await rejection(api.directory.query({ cursor: 'bm90LWEtY3Vyc29y' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('shows a patient the public fields only: no email, phone or role', async () => {
    const page = await t.client(patient.token).clinicians.directory.query({});
    expect(page.items.map((c) => c.displayName)).toEqual(['Aoife Byrne', 'Brian Walsh', 'Ciara Admin']);
    for (const item of page.items) expect(Object.keys(item).sort()).toEqual(publicKeys);
    const one = await t.client(patient.token).clinicians.byId.query({ id: aoife.id });
    expect(Object.keys(one).sort()).toEqual(publicKeys);
    expect(one).toMatchObject({ registration: aoifeProfile.registration, languages: ['ga', 'en-IE'], acceptsNewPatients: true });
    const text = JSON.stringify([page, one]);
    for (const secret of [aoife.email, admin.email, '+353871234567', 'clinician"', 'admin"']) expect(text).not.toContain(secret);
  });

  it('shows colleagues the contact details', async () => {
    const page = await t.client(brian.token).clinicians.directory.query({});
    expect(page.items.map((c) => 'contact' in c && c.contact)).toEqual([
      { email: aoife.email, phone: '+353871234567' },
      { email: brian.email, phone: null },
      { email: admin.email, phone: null },
    ]);
  });

  it('answers byId NOT_FOUND for the deactivated, an admin without a profile and a patient', async () => {
    for (const id of [leaver.id, otherAdmin.id, patient.id]) expect(await rejection(t.client(aoife.token).clinicians.byId.query({ id }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('brings a clinician back when they are reactivated', async () => {
    await t.client(admin.token).users.reactivate.mutate({ id: leaver.id });
    expect(await names(patient.token)).toEqual(['Aoife Byrne', 'Brian Walsh', 'Ciara Admin', 'Lee Leaver']);
    await t.client(admin.token).users.deactivate.mutate({ id: leaver.id });
    expect(await names(patient.token)).toEqual(['Aoife Byrne', 'Brian Walsh', 'Ciara Admin']);
  });
});

describe('another practice', () => {
  it('sees none of it: only its own in its directory, NOT_FOUND or FORBIDDEN by id, and changes nothing', async () => {
    const before = await profileRows();
    for (const user of [adminB, clinicianB]) {
      const page = await t.client(user.token).clinicians.directory.query({ limit: 100 });
      expect(page.items.map((c) => c.id)).toEqual([clinicianB.id]);
      expect(await rejection(t.client(user.token).clinicians.byId.query({ id: aoife.id }))).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(await rejection(t.client(adminB.token).clinicians.updateProfile.mutate({ id: aoife.id, bio: 'Taken over.' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(clinicianB.token).clinicians.updateProfile.mutate({ id: aoife.id, bio: 'Taken over.' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await profileRows()).toEqual(before);
  });
});
