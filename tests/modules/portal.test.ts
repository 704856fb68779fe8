import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import {
  auditTrail,
  createPatient,
  createPractice,
  invitePatientToPortal,
  inviteUser,
  loginAs,
  newEmail,
  newPassword,
  recordApi,
  sampleRecordFields,
  sql,
  type AnyRecordDto,
  type PatientDto,
  type RecordKind,
  type TestUser,
} from '../fixtures.ts';
import { rejection } from '../rejection.ts';
import { tokenFromMail } from '../smtp-capture.ts';

let t: TestServer;
let admin: TestUser;
let clinician: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t, 'Portal Practice'));
  clinician = await inviteUser(t, admin);
});
afterAll(() => t.close());

const countOf = async (table: string) => Number((await sql(t, `select count(*)::int as n from ${table}`))[0]!.n);

/** What the portal shows of a record, by its key in portal.records. */
const portalKinds = { allergies: 'allergy', medications: 'medication', conditions: 'condition', observations: 'observation', history: 'history' } as const;

/**
 * A patient with one allergy, medication, condition, observation and history entry (`shown`), plus one
 * of each entered in error, which the portal does not show.
 */
async function patientWithRecord(overrides: Parameters<typeof createPatient>[2] = {}) {
  const patient = await createPatient(t, clinician.token, { email: newEmail('patient'), ...overrides });
  const shown = {} as Record<keyof typeof portalKinds, AnyRecordDto[]>;
  for (const [key, kind] of Object.entries(portalKinds) as Array<[keyof typeof portalKinds, RecordKind]>) {
    const api = recordApi(t, clinician.token, kind);
    shown[key] = [await api.create.mutate({ patientId: patient.id, fields: sampleRecordFields[kind]() })];
    const wrong = await api.create.mutate({ patientId: patient.id, fields: sampleRecordFields[kind](99) });
    await api.setStatus.mutate({ id: wrong.id, status: 'entered-in-error' });
  }
  return { patient, shown };
}

const portalView = (p: PatientDto, self: boolean) => ({
  id: p.id,
  givenName: p.givenName,
  familyName: p.familyName,
  birthDate: p.birthDate,
  email: p.email,
  phone: p.phone,
  address: p.address,
  preferredLanguage: p.preferredLanguage,
  emergencyContact: p.emergencyContact,
  photo: p.photo,
  self,
});

describe('inviting a patient to the portal', () => {
  it('mails the patient a link; accepting makes a patient account that can log in', async () => {
    const email = newEmail('orla');
    const patient = await createPatient(t, clinician.token, { givenName: 'Orla', familyName: 'Walsh', email });
    const invite = await t.client(clinician.token).patients.invitePortal.mutate({ patientId: patient.id });
    expect(invite).toMatchObject({ email, role: 'patient', status: 'pending', acceptedAt: null });

    const mail = await t.smtp.waitForMail(email, /patient portal/);
    expect(mail).toContain('Portal Practice invites you to its patient portal');
    const token = t.secret(tokenFromMail(mail));
    expect(await t.client().invites.lookup.query({ token })).toMatchObject({ email, role: 'patient', practiceName: 'Portal Practice' });
    const password = newPassword(t);
    const accepted = await t.client().invites.accept.mutate({ token, name: 'Orla Walsh', password });
    t.secret(accepted.token);
    expect(accepted.userId).toBe(invite.userId);

    const session = await loginAs(t, email, password);
    const me = await t.client(session).auth.me.query();
    expect(me.user).toMatchObject({ id: invite.userId, email, role: 'patient', status: 'active' });
    expect(me.practice.id).toBe(admin.practiceId);
    expect(await t.client(session).patients.byId.query({ id: patient.id })).toEqual({ ...patient, hasPortalAccount: true, updatedAt: expect.any(String) });
    expect((await t.client(clinician.token).patients.byId.query({ id: patient.id })).hasPortalAccount).toBe(true);
    expect(await sql(t, 'select portal_user_id from patient where id = ?', [patient.id])).toEqual([{ portal_user_id: invite.userId }]);
    expect(await auditTrail(t, invite.id)).toEqual([
      { action: 'invite.created', actor_id: clinician.id },
      { action: 'invite.accepted', actor_id: invite.userId },
    ]);
  });

  it('sends to the email given instead of the one on file', async () => {
    const patient = await createPatient(t, clinician.token, { email: newEmail('on-file') });
    const other = newEmail('given');
    const user = await invitePatientToPortal(t, clinician.token, patient.id, other.toUpperCase());
    expect(user.email).toBe(other);
    expect((await t.client(user.token).patients.byId.query({ id: patient.id })).id).toBe(patient.id);
  });

  it('refuses a patient who already has a portal account with portal-account-exists', async () => {
    const patient = await createPatient(t, clinician.token, { email: newEmail('twice') });
    await invitePatientToPortal(t, clinician.token, patient.id);
    const invites = await countOf('invite');
    for (const email of [undefined, newEmail('again')]) {
      expect(await rejection(t.client(clinician.token).patients.invitePortal.mutate({ patientId: patient.id, ...(email && { email }) }))).toMatchObject({
        code: 'CONFLICT',
        reason: 'portal-account-exists',
      });
    }
    expect(await countOf('invite')).toBe(invites);
  });

  it('with two invites out for one patient, the first accepted wins and the second is refused', async () => {
    const patient = await createPatient(t, clinician.token, { email: newEmail('first') });
    const second = newEmail('second');
    await t.client(clinician.token).patients.invitePortal.mutate({ patientId: patient.id, email: second });
    const secondToken = t.secret(tokenFromMail(await t.smtp.waitForMail(second, /patient portal/)));
    await invitePatientToPortal(t, clinician.token, patient.id);
    const refused = t.client().invites.accept.mutate({ token: secondToken, name: 'Second', password: newPassword(t) });
    expect(await rejection(refused)).toMatchObject({ code: 'CONFLICT', reason: 'portal-account-exists' });
    expect(await sql(t, 'select status from users where email = ?', [second])).toEqual([{ status: 'invited' }]);
  });

  it('needs an email: BAD_REQUEST naming the field when there is none on file and none given', async () => {
    const patient = await createPatient(t, clinician.token);
    expect(patient.email).toBeNull();
    const [invites, users] = [await countOf('invite'), await countOf('users')];
    const e = await rejection(t.client(clinician.token).patients.invitePortal.mutate({ patientId: patient.id }));
    expect(e).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { email: [expect.any(String)] } });
    expect(await rejection(t.client(clinician.token).patients.invitePortal.mutate({ patientId: patient.id, email: 'not-an-email' }))).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { email: [expect.any(String)] },
    });
    expect([await countOf('invite'), await countOf('users')]).toEqual([invites, users]);
    await invitePatientToPortal(t, clinician.token, patient.id, newEmail('late'));
  });

  it('refuses an email that already has an account, and a patient outside the care team', async () => {
    const patient = await createPatient(t, clinician.token, { email: clinician.email });
    expect(await rejection(t.client(clinician.token).patients.invitePortal.mutate({ patientId: patient.id }))).toMatchObject({ code: 'CONFLICT', reason: 'email-taken' });
    const outsider = await inviteUser(t, admin);
    const invites = await countOf('invite');
    expect(await rejection(t.client(outsider.token).patients.invitePortal.mutate({ patientId: patient.id, email: newEmail('x') }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await countOf('invite')).toBe(invites);
  });
});

describe('what a patient sees', () => {
  let me: TestUser;
  let mine: Awaited<ReturnType<typeof patientWithRecord>>;
  let someoneElse: PatientDto;

  beforeAll(async () => {
    mine = await patientWithRecord({ givenName: 'Nora', familyName: 'Quinn' });
    me = await invitePatientToPortal(t, clinician.token, mine.patient.id);
    someoneElse = (await patientWithRecord()).patient;
  });

  it('portal.records: their own record, history entries included, without entries entered in error or internals', async () => {
    const records = await t.client(me.token).portal.records.query();
    expect(records).toEqual([{ patient: portalView(mine.patient, true), ...mine.shown }]);
    expect(records[0]!.history).toEqual([expect.objectContaining({ recordKind: 'history', kind: 'family', relation: 'father', status: 'active' })]);
    expect(JSON.stringify(records)).not.toContain('entered-in-error');
    expect(await sql(t, `select actor_id, detail from audit_event where action = 'portal.records-read' order by at desc limit 1`)).toEqual([
      { actor_id: me.id, detail: { patients: mine.patient.id } },
    ]);
  });

  it('patients.byId and relatedPersons.list for themself; NOT_FOUND for another patient', async () => {
    await t.client(clinician.token).relatedPersons.create.mutate({ patientId: someoneElse.id, relationship: 'brother', name: 'Hidden' });
    const mother = await t.client(clinician.token).relatedPersons.create.mutate({ patientId: mine.patient.id, relationship: 'mother', name: 'Mam' });
    const c = t.client(me.token);
    expect((await c.patients.byId.query({ id: mine.patient.id })).id).toBe(mine.patient.id);
    expect(await c.relatedPersons.list.query({ patientId: mine.patient.id })).toEqual([mother]);
    expect(await rejection(c.patients.byId.query({ id: someoneElse.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(c.relatedPersons.list.query({ patientId: someoneElse.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await auditTrail(t, mine.patient.id)).filter((e) => e.actor_id === me.id).map((e) => e.action)).toEqual(['patient.read', 'related-person.listed']);
  });

  it('is FORBIDDEN from the chart, the clinical procedures and every write, even on their own record', async () => {
    const c = t.client(me.token);
    const id = mine.patient.id;
    const allergyId = mine.shown.allergies[0]!.id;
    const calls = {
      'patients.chart': () => c.patients.chart.query({ id }),
      'patients.search': () => c.patients.search.query({ query: 'quinn' }),
      'patients.list': () => c.patients.list.query({}),
      'patients.create': () => c.patients.create.mutate({ givenName: 'New', familyName: 'Patient', birthDate: '2000-01-01', gender: 'unknown' }),
      'patients.update': () => c.patients.update.mutate({ id, givenName: 'Self-edited' }),
      'patients.archive': () => c.patients.archive.mutate({ id }),
      'patients.invitePortal': () => c.patients.invitePortal.mutate({ patientId: someoneElse.id }),
      'patients.addGuardian': () => c.patients.addGuardian.mutate({ patientId: someoneElse.id, guardianPatientId: id }),
      'careTeams.list': () => c.careTeams.list.query({ patientId: id }),
      'relatedPersons.create': () => c.relatedPersons.create.mutate({ patientId: id, relationship: 'friend', name: 'Pal' }),
      'allergies.create': () => c.allergies.create.mutate({ patientId: id, fields: sampleRecordFields.allergy(5) }),
      'allergies.list': () => c.allergies.list.query({ patientId: id }),
      'allergies.update': () => c.allergies.update.mutate({ id: allergyId, fields: sampleRecordFields.allergy(6) }),
      'allergies.setStatus': () => c.allergies.setStatus.mutate({ id: allergyId, status: 'resolved' }),
      'allergies.history': () => c.allergies.history.query({ id: allergyId }),
      'observations.create': () => c.observations.create.mutate({ patientId: id, fields: sampleRecordFields.observation() }),
    };
    const before = await Promise.all([
      sql(t, 'select id, status, version from clinical_record where patient_id = ? order by id', [id]),
      sql(t, 'select given_name, status from patient where id = ?', [id]),
      countOf('patient'),
      countOf('guardianship'),
      countOf('related_person'),
    ]);
    for (const [name, call] of Object.entries(calls)) expect({ name, ...(await rejection(call())) }).toMatchObject({ name, code: 'FORBIDDEN' });
    expect(
      await Promise.all([
        sql(t, 'select id, status, version from clinical_record where patient_id = ? order by id', [id]),
        sql(t, 'select given_name, status from patient where id = ?', [id]),
        countOf('patient'),
        countOf('guardianship'),
        countOf('related_person'),
      ]),
    ).toEqual(before);
  });

  it('is FORBIDDEN from portal.records as staff', async () => {
    expect(await rejection(t.client(clinician.token).portal.records.query())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(t.client(admin.token).portal.records.query())).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('guardians', () => {
  it('a parent with a portal account sees their child’s record once added as guardian, and not after removal', async () => {
    const parent = await patientWithRecord({ givenName: 'Aisling', familyName: 'Byrne', birthDate: '1985-02-02' });
    const child = await patientWithRecord({ givenName: 'Cian', familyName: 'Byrne', birthDate: '2018-06-06', email: undefined });
    const stranger = await createPatient(t, clinician.token);
    const guardian = await invitePatientToPortal(t, clinician.token, parent.patient.id);
    const pair = { patientId: child.patient.id, guardianPatientId: parent.patient.id };
    const mineOnly = [{ patient: portalView(parent.patient, true), ...parent.shown }];

    expect(await t.client(guardian.token).portal.records.query()).toEqual(mineOnly);
    expect(await rejection(t.client(guardian.token).patients.byId.query({ id: child.patient.id }))).toMatchObject({ code: 'NOT_FOUND' });

    expect(await t.client(clinician.token).patients.addGuardian.mutate(pair)).toEqual({ ok: true });
    expect(await t.client(clinician.token).patients.addGuardian.mutate(pair)).toEqual({ ok: true }); // once is enough
    expect(await sql(t, 'select guardian_id from guardianship where dependent_id = ?', [child.patient.id])).toEqual([{ guardian_id: guardian.id }]);
    // Sorted by family name, then given name: Aisling Byrne before Cian Byrne.
    expect(await t.client(guardian.token).portal.records.query()).toEqual([
      { patient: portalView(parent.patient, true), ...parent.shown },
      { patient: portalView(child.patient, false), ...child.shown },
    ]);
    expect((await t.client(guardian.token).patients.byId.query({ id: child.patient.id })).id).toBe(child.patient.id);
    expect(await rejection(t.client(guardian.token).patients.byId.query({ id: stranger.id }))).toMatchObject({ code: 'NOT_FOUND' });

    expect(await t.client(clinician.token).patients.removeGuardian.mutate(pair)).toEqual({ ok: true });
    expect(await t.client(guardian.token).portal.records.query()).toEqual(mineOnly);
    expect(await rejection(t.client(guardian.token).patients.byId.query({ id: child.patient.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(clinician.token).patients.removeGuardian.mutate(pair))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await auditTrail(t, child.patient.id)).map((e) => e.action)).toEqual(expect.arrayContaining(['guardian.added', 'guardian.removed']));
  });

  it('refuses a guardian without a portal account with no-portal-account', async () => {
    const parent = await createPatient(t, clinician.token, { email: newEmail('parent') });
    const child = await createPatient(t, clinician.token);
    const guardianships = await countOf('guardianship');
    expect(await rejection(t.client(clinician.token).patients.addGuardian.mutate({ patientId: child.id, guardianPatientId: parent.id }))).toMatchObject({
      code: 'CONFLICT',
      reason: 'no-portal-account',
    });
    // invited but not yet accepted is not an account either
    await t.client(clinician.token).patients.invitePortal.mutate({ patientId: parent.id });
    t.secret(tokenFromMail(await t.smtp.waitForMail(parent.email!, /patient portal/)));
    expect(await rejection(t.client(clinician.token).patients.addGuardian.mutate({ patientId: child.id, guardianPatientId: parent.id }))).toMatchObject({
      code: 'CONFLICT',
      reason: 'no-portal-account',
    });
    expect(await countOf('guardianship')).toBe(guardianships);
  });

  it('is NOT_FOUND for a clinician outside the care team of either patient', async () => {
    const parent = await createPatient(t, clinician.token, { email: newEmail('parent') });
    await invitePatientToPortal(t, clinician.token, parent.id);
    const child = await createPatient(t, clinician.token);
    const outsider = await inviteUser(t, admin);
    await t.client(clinician.token).careTeams.add.mutate({ patientId: child.id, clinicianId: outsider.id });
    // on the child's team but not the parent's: still NOT_FOUND
    expect(await rejection(t.client(outsider.token).patients.addGuardian.mutate({ patientId: child.id, guardianPatientId: parent.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(t, 'select id from guardianship where dependent_id = ?', [child.id])).toEqual([]);
  });
});

describe('portal.updateProfile: a patient edits their contact details', () => {
  const contact = {
    email: 'Nessa.Home@Example.TEST',
    phone: '+353 87 123 4567',
    address: { lines: ['1 Main Street'], city: 'Galway', country: 'IE' },
    preferredLanguage: 'ga',
    emergencyContact: { name: 'Rory Doyle', relationship: 'brother', phone: '+353 86 765 4321' },
  };
  const patientRow = (id: string) =>
    sql(t, 'select given_name, family_name, birth_date::text, mrn, gender, email, phone, address, preferred_language, emergency_contact, time_zone from patient where id = ?', [id]);
  const revisionsOf = async (id: string) => Number((await sql(t, 'select count(*)::int as n from patient_revision where patient_id = ?', [id]))[0]!.n);

  let patient: PatientDto;
  let me: TestUser;
  beforeAll(async () => {
    patient = await createPatient(t, clinician.token, { givenName: 'Nessa', familyName: 'Doyle', email: newEmail('nessa') });
    me = await invitePatientToPortal(t, clinician.token, patient.id);
  });

  it('changes the record’s contact details, normalised, audited, with the before and after in its revisions; the login email stays', async () => {
    const updated = await t.client(me.token).portal.updateProfile.mutate({ patientId: patient.id, ...contact });
    const after = {
      email: 'nessa.home@example.test',
      phone: '+353871234567',
      address: contact.address,
      preferredLanguage: 'ga',
      emergencyContact: { ...contact.emergencyContact, phone: '+353867654321' },
    };
    expect(updated).toEqual({ ...portalView(patient, true), ...after });
    expect((await t.client(me.token).portal.records.query())[0]!.patient).toEqual(updated);
    expect(await t.client(clinician.token).patients.byId.query({ id: patient.id })).toMatchObject({ ...after, givenName: 'Nessa', familyName: 'Doyle', mrn: patient.mrn });

    // The account's login email is its own: the patient still logs in with the one they were invited with.
    expect(await sql(t, 'select email from users where id = ?', [me.id])).toEqual([{ email: me.email }]);
    expect(await loginAs(t, me.email, me.password)).toEqual(expect.any(String));

    expect(await auditTrail(t, patient.id)).toContainEqual({ action: 'patient.profile-updated', actor_id: me.id });
    expect(await sql(t, `select detail from audit_event where action = 'patient.profile-updated' and entity_id = ?`, [patient.id])).toEqual([
      { detail: { fields: 'email,phone,address,preferredLanguage,emergencyContact' } },
    ]);
    const history = await t.client(clinician.token).patients.history.query({ id: patient.id });
    expect(history).toEqual([
      {
        id: expect.any(String),
        changedBy: me.id,
        changedAt: expect.any(String),
        source: 'portal',
        sourceRef: null,
        before: { email: patient.email, phone: null, address: null, preferredLanguage: null, emergencyContact: null },
        after,
      },
    ]);
  });

  it('clears a field set to null, keeps those left out, and keeps no revision of a change to nothing', async () => {
    const c = t.client(me.token);
    const before = await revisionsOf(patient.id);
    expect(await c.portal.updateProfile.mutate({ patientId: patient.id, phone: null })).toMatchObject({ phone: null, email: 'nessa.home@example.test', preferredLanguage: 'ga' });
    expect((await t.client(clinician.token).patients.history.query({ id: patient.id })).at(-1)).toMatchObject({ before: { phone: '+353871234567' }, after: { phone: null } });
    // The same values again (the address's keys in another order): audited, but no new revision.
    await c.portal.updateProfile.mutate({ patientId: patient.id, preferredLanguage: 'ga', address: { country: 'IE', city: 'Galway', lines: ['1 Main Street'] } });
    expect(await revisionsOf(patient.id)).toBe(before + 1);
    expect((await auditTrail(t, patient.id)).at(-1)).toEqual({ action: 'patient.profile-updated', actor_id: me.id });
  });

  it('refuses the staff-only fields (names, birth date, MRN, gender, time zone) with BAD_REQUEST, changing nothing', async () => {
    const c = t.client(me.token);
    const row = await patientRow(patient.id);
    const revisions = await revisionsOf(patient.id);
    const staffOnly = { givenName: 'Vanessa', familyName: 'Smith', middleNames: ['Ann'], birthDate: '1950-01-01', mrn: 'SELF-1', gender: 'other', timeZone: 'Asia/Tokyo', status: 'archived' };
    for (const [key, value] of Object.entries(staffOnly)) {
      const input = { patientId: patient.id, phone: '+353 87 000 0000', [key]: value } as unknown as Parameters<typeof c.portal.updateProfile.mutate>[0];
      expect({ key, ...(await rejection(c.portal.updateProfile.mutate(input))) }).toMatchObject({ key, code: 'BAD_REQUEST', fieldErrors: { _: [expect.stringContaining(key)] } });
    }
    expect(await patientRow(patient.id)).toEqual(row);
    expect(await revisionsOf(patient.id)).toBe(revisions);
  });

  it('answers bad input with BAD_REQUEST naming each field, changing nothing', async () => {
    const row = await patientRow(patient.id);
    const e = await rejection(
      t.client(me.token).portal.updateProfile.mutate({
        patientId: patient.id,
        email: 'not-an-email',
        phone: '12',
        address: { lines: [], city: '', country: 'Ireland' },
        preferredLanguage: 'English!',
        emergencyContact: { name: 'Rory', relationship: 'brother', phone: 'call me' },
      }),
    );
    expect(e).toMatchObject({ code: 'BAD_REQUEST' });
    expect(Object.keys(e.fieldErrors ?? {}).sort()).toEqual(['address.city', 'address.country', 'address.lines', 'email', 'emergencyContact.phone', 'phone', 'preferredLanguage']);
    expect(await patientRow(patient.id)).toEqual(row);
  });

  it('lets a guardian edit a dependent’s details, and no one else’s', async () => {
    const parent = await createPatient(t, clinician.token, { email: newEmail('parent') });
    const child = await createPatient(t, clinician.token, { givenName: 'Saoirse' });
    const guardian = await invitePatientToPortal(t, clinician.token, parent.id);
    const c = t.client(guardian.token);
    const change = { patientId: child.id, emergencyContact: { name: 'Parent', relationship: 'mother', phone: '+353 87 111 2222' } };
    expect(await rejection(c.portal.updateProfile.mutate(change))).toMatchObject({ code: 'NOT_FOUND' });
    await t.client(clinician.token).patients.addGuardian.mutate({ patientId: child.id, guardianPatientId: parent.id });
    expect(await c.portal.updateProfile.mutate(change)).toMatchObject({ id: child.id, givenName: 'Saoirse', self: false, emergencyContact: { phone: '+353871112222' } });
    expect((await t.client(clinician.token).patients.history.query({ id: child.id })).map((r) => r.changedBy)).toEqual([guardian.id]);
    // Another patient's record, and the dependent's once the guardianship ends: NOT_FOUND, nothing changed.
    expect(await rejection(c.portal.updateProfile.mutate({ patientId: patient.id, phone: '+353 87 333 4444' }))).toMatchObject({ code: 'NOT_FOUND' });
    await t.client(clinician.token).patients.removeGuardian.mutate({ patientId: child.id, guardianPatientId: parent.id });
    expect(await rejection(c.portal.updateProfile.mutate({ ...change, emergencyContact: null }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.client(clinician.token).patients.byId.query({ id: child.id })).emergencyContact).toMatchObject({ name: 'Parent' });
    expect((await t.client(clinician.token).patients.byId.query({ id: patient.id })).phone).toBeNull();
  });

  it('is FORBIDDEN for staff, and NOT_FOUND for a patient of another practice', async () => {
    for (const user of [clinician, admin]) {
      expect(await rejection(t.client(user.token).portal.updateProfile.mutate({ patientId: patient.id, phone: '+353 87 555 6666' }))).toMatchObject({ code: 'FORBIDDEN' });
    }
    const other = await createPractice(t, 'Other Portal Practice');
    const otherClinician = await inviteUser(t, other.admin);
    const stranger = await invitePatientToPortal(t, otherClinician.token, (await createPatient(t, otherClinician.token, { email: newEmail('far') })).id);
    expect(await rejection(t.client(stranger.token).portal.updateProfile.mutate({ patientId: patient.id, phone: '+353 87 555 6666' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.client(clinician.token).patients.byId.query({ id: patient.id })).phone).toBeNull();
  });
});

describe('patients.history: the revisions of a patient’s details', () => {
  it('records staff edits too; the care team and admins read it, audited; NOT_FOUND outside the care team or the practice', async () => {
    const patient = await createPatient(t, clinician.token, { givenName: 'Eimear', familyName: 'Ryan', birthDate: '1990-01-01' });
    await t.client(clinician.token).patients.update.mutate({ id: patient.id, familyName: 'Ryan-Kelly', birthDate: '1990-01-02', timeZone: patient.timeZone });
    const expected = [
      {
        id: expect.any(String),
        changedBy: clinician.id,
        changedAt: expect.any(String),
        source: 'staff',
        sourceRef: null,
        before: { familyName: 'Ryan', birthDate: '1990-01-01' },
        after: { familyName: 'Ryan-Kelly', birthDate: '1990-01-02' },
      },
    ];
    expect(await t.client(clinician.token).patients.history.query({ id: patient.id })).toEqual(expected);
    expect(await t.client(admin.token).patients.history.query({ id: patient.id })).toEqual(expected);
    expect((await auditTrail(t, patient.id)).filter((e) => e.action === 'patient.history-read').map((e) => e.actor_id)).toEqual([clinician.id, admin.id]);

    const outsider = await inviteUser(t, admin);
    const { admin: otherAdmin } = await createPractice(t, 'History Elsewhere');
    for (const user of [outsider, otherAdmin]) expect(await rejection(t.client(user.token).patients.history.query({ id: patient.id }))).toMatchObject({ code: 'NOT_FOUND' });
    const me = await invitePatientToPortal(t, clinician.token, (await createPatient(t, clinician.token, { email: newEmail('own') })).id);
    expect(await rejection(t.client(me.token).patients.history.query({ id: patient.id }))).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('portal.careTeam', () => {
  it("lists the clinicians on the patient's own care team, and a dependent's to a guardian, with the directory's public fields only", async () => {
    const colleague = await inviteUser(t, admin);
    await t.client(clinician.token).clinicians.updateProfile.mutate({ id: clinician.id, displayName: 'Aoife Byrne', title: 'Dr', phone: '+353871234500', acceptsNewPatients: true });
    const adult = await createPatient(t, clinician.token, { email: newEmail('adult') });
    const child = await createPatient(t, clinician.token);
    await t.client(admin.token).careTeams.add.mutate({ patientId: child.id, clinicianId: colleague.id });
    const patient = await invitePatientToPortal(t, clinician.token, adult.id);
    await t.client(clinician.token).patients.addGuardian.mutate({ patientId: child.id, guardianPatientId: adult.id });
    const portal = t.client(patient.token);

    const aoife = { id: clinician.id, displayName: 'Aoife Byrne', title: 'Dr', specialty: null, languages: [], registration: null, bio: null, acceptsNewPatients: true, photo: null };
    // Exactly the public entry: no role, no email, no work phone.
    expect(await portal.portal.careTeam.query({ patientId: adult.id })).toEqual([aoife]);
    expect((await portal.portal.careTeam.query({ patientId: child.id })).map((c) => c.id).sort()).toEqual([clinician.id, colleague.id].sort());
    expect(JSON.stringify(await portal.portal.careTeam.query({ patientId: child.id }))).not.toMatch(/@|\+353|"role"|"contact"/);

    // Another patient of the practice, and one of another practice: not found.
    const stranger = await createPatient(t, clinician.token);
    expect(await rejection(portal.portal.careTeam.query({ patientId: stranger.id }))).toMatchObject({ code: 'NOT_FOUND' });
    const elsewhere = await createPractice(t);
    const foreign = await createPatient(t, elsewhere.admin.token, { email: newEmail('foreign') });
    const foreignPatient = await invitePatientToPortal(t, elsewhere.admin.token, foreign.id);
    expect(await rejection(t.client(foreignPatient.token).portal.careTeam.query({ patientId: adult.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(portal.portal.careTeam.query({ patientId: foreign.id }))).toMatchObject({ code: 'NOT_FOUND' });
    // Staff read careTeams.list instead.
    expect(await rejection(t.client(clinician.token).portal.careTeam.query({ patientId: adult.id }))).toMatchObject({ code: 'FORBIDDEN' });
  });
});
