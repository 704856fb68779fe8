import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPages, auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, loginAs, newEmail, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';

/**
 * A patient chooses a clinician: the portal asks one of the directory who accepts new patients, the
 * clinician asked (or an admin) accepts (they join the care team) or declines with a reason the patient
 * reads, the patient may cancel while it waits, and a practice may accept every request at once. A
 * patient, or a guardian, may leave a clinician's care, never the last one's.
 */

let t: TestServer;
// Practice A: an admin; the GP who registered the patients (on their care teams), Dr Chosen and Dr Other
// (taking new patients), Dr Closed (not), Dr Gone (deactivated). Practice B: an admin, a clinician, a patient.
let admin: TestUser;
let gp: TestUser;
let chosen: TestUser;
let other: TestUser;
let closed: TestUser;
let gone: TestUser;
let adminB: TestUser;
let clinicianB: TestUser;
let patientB: TestUser;

/** A new patient registered by the GP, with a portal account: each test asks for its own. */
async function portalPatient(): Promise<{ patientId: string; user: TestUser }> {
  const { id } = await createPatient(t, gp.token, { givenName: 'Nora', familyName: 'Quinn', birthDate: '1985-03-04', email: newEmail('pat') });
  return { patientId: id, user: await invitePatientToPortal(t, gp.token, id) };
}

const ask = (user: TestUser, patientId: string, clinicianId: string, message?: string) => t.client(user.token).careRequests.create.mutate({ patientId, clinicianId, ...(message && { message }) });
const listed = async (user: TestUser, input: { state?: 'pending' | 'accepted' | 'declined' | 'cancelled'; patientId?: string } = {}) =>
  (await allPages((cursor) => t.client(user.token).careRequests.list.query({ ...input, cursor }))).items;
const careTeam = async (patientId: string) =>
  (await sql<{ clinician_id: string }>(t, 'select clinician_id from care_team_member where patient_id = ? order by clinician_id', [patientId])).map((r) => r.clinician_id);
const count = async (table: string) => (await sql<{ n: number }>(t, `select count(*)::int as n from ${table}`))[0]!.n;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  [gp, chosen, other, closed, gone] = [await inviteUser(t, admin), await inviteUser(t, admin), await inviteUser(t, admin), await inviteUser(t, admin), await inviteUser(t, admin)];
  const profile = (user: TestUser, displayName: string, acceptsNewPatients: boolean) => t.client(user.token).clinicians.updateProfile.mutate({ id: user.id, displayName, acceptsNewPatients });
  await profile(chosen, 'Dr Chosen', true);
  await profile(other, 'Dr Other', true);
  await profile(closed, 'Dr Closed', false);
  await profile(gone, 'Dr Gone', true);
  await t.client(admin.token).users.deactivate.mutate({ id: gone.id });
  ({ admin: adminB } = await createPractice(t));
  clinicianB = await inviteUser(t, adminB);
  await t.client(clinicianB.token).clinicians.updateProfile.mutate({ id: clinicianB.id, displayName: 'Dr Elsewhere', acceptsNewPatients: true });
  const { id } = await createPatient(t, clinicianB.token, { email: newEmail('patb') });
  patientB = await invitePatientToPortal(t, clinicianB.token, id);
});
afterAll(() => t.close());

describe('careRequests.create', () => {
  it('asks a clinician who accepts new patients: pending, seen by them, an admin and the patient, and nobody else', async () => {
    const { patientId, user } = await portalPatient();
    const request = await ask(user, patientId, chosen.id, 'I would like a GP who speaks Irish.');
    expect(request).toEqual({
      id: expect.any(String),
      state: 'pending',
      patient: { id: patientId, givenName: 'Nora', familyName: 'Quinn', birthDate: '1985-03-04' },
      clinician: { id: chosen.id, displayName: 'Dr Chosen' },
      message: 'I would like a GP who speaks Irish.',
      declineReason: null,
      requestedBy: user.id,
      decidedBy: null,
      createdAt: expect.any(String),
      decidedAt: null,
    });
    expect(await careTeam(patientId)).toEqual([gp.id]);
    expect(await auditTrail(t, request.id)).toEqual([{ action: 'care-request.created', actor_id: user.id }]);

    for (const reader of [chosen, admin, user]) expect((await listed(reader)).map((r) => r.id)).toContain(request.id);
    for (const outsider of [other, gp, adminB, clinicianB, patientB]) expect((await listed(outsider)).map((r) => r.id)).not.toContain(request.id);
    // The request shows the clinician who the patient is; it does not open the record to them.
    expect(await rejection(t.client(chosen.token).patients.byId.query({ id: patientId }))).toMatchObject({ code: 'NOT_FOUND' });
    const listings = await sql(t, "select actor_id from audit_event where action = 'care-request.listed' and actor_id = ?", [chosen.id]);
    expect(listings.length).toBeGreaterThan(0);
  });

  it('refuses a clinician not taking new patients (BAD_REQUEST), one outside the directory (NOT_FOUND), and writes nothing', async () => {
    const { patientId, user } = await portalPatient();
    const before = [await count('care_request'), await count('audit_event')];
    expect(await rejection(ask(user, patientId, closed.id))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'not-accepting-new-patients',
      message: 'Dr Closed is not taking new patients: choose another clinician',
      fieldErrors: { clinicianId: ['does not accept new patients'] },
    });
    // Deactivated, of another practice, an admin without a profile, a patient, no one.
    for (const id of [gone.id, clinicianB.id, admin.id, user.id, '0190a000-0000-7000-8000-000000000000']) {
      expect(await rejection(ask(user, patientId, id))).toMatchObject({ code: 'NOT_FOUND', message: 'Clinician not found' });
    }
    expect([await count('care_request'), await count('audit_event')]).toEqual(before);
  });

  it('answers a clinician already on the care team, or a request already waiting, with a reason', async () => {
    const { patientId, user } = await portalPatient();
    await t.client(gp.token).clinicians.updateProfile.mutate({ id: gp.id, acceptsNewPatients: true });
    expect(await rejection(ask(user, patientId, gp.id))).toMatchObject({ code: 'CONFLICT', reason: 'already-on-care-team' });
    await t.client(gp.token).clinicians.updateProfile.mutate({ id: gp.id, acceptsNewPatients: false });
    await ask(user, patientId, chosen.id);
    expect(await rejection(ask(user, patientId, chosen.id, 'Again'))).toMatchObject({
      code: 'CONFLICT',
      reason: 'care-request-pending',
      message: 'A request to Dr Chosen is already waiting for an answer',
    });
    // Another clinician may be asked at the same time.
    expect(await ask(user, patientId, other.id)).toMatchObject({ state: 'pending', clinician: { id: other.id } });
  });

  it('is for the patient themself or a dependent: another patient is NOT_FOUND, staff FORBIDDEN', async () => {
    const mine = await portalPatient();
    const theirs = await portalPatient();
    expect(await rejection(ask(mine.user, theirs.patientId, chosen.id))).toMatchObject({ code: 'NOT_FOUND', message: 'Patient not found' });
    expect(await rejection(ask(patientB, mine.patientId, clinicianB.id))).toMatchObject({ code: 'NOT_FOUND' });
    for (const staff of [admin, gp]) expect(await rejection(ask(staff, mine.patientId, chosen.id))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('makes one pending request of many sent at once, from several sessions', async () => {
    const { patientId, user } = await portalPatient();
    const sessions = await Promise.all(Array.from({ length: 6 }, async () => ({ ...user, token: await loginAs(t, user.email, user.password) })));
    const results = await Promise.allSettled(sessions.map((session) => ask(session, patientId, chosen.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect(await rejection(Promise.reject(r.reason))).toMatchObject({ code: 'CONFLICT', reason: 'care-request-pending' });
    expect(await sql(t, 'select state from care_request where patient_id = ?', [patientId])).toEqual([{ state: 'pending' }]);
  });
});

describe('careRequests.accept and decline', () => {
  it('the clinician asked accepts: they join the care team, in one transaction, and may see the patient; a retry changes nothing', async () => {
    const { patientId, user } = await portalPatient();
    const { id } = await ask(user, patientId, chosen.id);
    for (const caller of [other, gp, adminB, clinicianB]) expect(await rejection(t.client(caller.token).careRequests.accept.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(user.token).careRequests.accept.mutate({ id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await careTeam(patientId)).toEqual([gp.id]);

    const accepted = await t.client(chosen.token).careRequests.accept.mutate({ id });
    expect(accepted).toMatchObject({ id, state: 'accepted', decidedBy: chosen.id, decidedAt: expect.any(String), declineReason: null });
    expect(await careTeam(patientId)).toEqual([gp.id, chosen.id].sort());
    expect((await t.client(chosen.token).patients.byId.query({ id: patientId })).id).toBe(patientId);
    expect(await auditTrail(t, id)).toEqual([
      { action: 'care-request.created', actor_id: user.id },
      { action: 'care-request.accepted', actor_id: chosen.id },
    ]);
    expect(await sql(t, "select actor_id, detail->>'clinicianId' as clinician from audit_event where action = 'care-team.added' and entity_id = ?", [patientId])).toEqual([
      { actor_id: chosen.id, clinician: chosen.id },
    ]);

    expect(await t.client(chosen.token).careRequests.accept.mutate({ id })).toEqual(accepted);
    expect(await rejection(t.client(chosen.token).careRequests.decline.mutate({ id, reason: 'Too late' }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect(await rejection(t.client(user.token).careRequests.cancel.mutate({ id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect(await listed(user, { state: 'accepted' })).toEqual([accepted]);
  });

  it('an admin accepts or declines any request of the practice', async () => {
    const { patientId, user } = await portalPatient();
    const first = await ask(user, patientId, chosen.id);
    const second = await ask(user, patientId, other.id);
    expect(await t.client(admin.token).careRequests.accept.mutate({ id: first.id })).toMatchObject({ state: 'accepted', decidedBy: admin.id });
    expect(await t.client(admin.token).careRequests.decline.mutate({ id: second.id, reason: 'Dr Other is on leave until March' })).toMatchObject({
      state: 'declined',
      decidedBy: admin.id,
      declineReason: 'Dr Other is on leave until March',
    });
    expect(await careTeam(patientId)).toEqual([gp.id, chosen.id].sort());
  });

  it('a decline keeps the patient off the care team, and its reason reaches the patient (not the audit trail); they may ask again', async () => {
    const { patientId, user } = await portalPatient();
    const { id } = await ask(user, patientId, other.id);
    const declined = await t.client(other.token).careRequests.decline.mutate({ id, reason: 'My list is full: Dr Chosen has room.' });
    expect(declined).toMatchObject({ state: 'declined', declineReason: 'My list is full: Dr Chosen has room.', decidedBy: other.id });
    expect(await careTeam(patientId)).toEqual([gp.id]);
    expect(await listed(user, { state: 'declined' })).toEqual([declined]);
    expect(await listed(user, { state: 'pending' })).toEqual([]);
    const trail = await sql<{ detail: object }>(t, "select detail from audit_event where entity_id = ? and action = 'care-request.declined'", [id]);
    expect(JSON.stringify(trail)).not.toContain('list is full');
    // A retry keeps the first reason; accepting a declined request is refused.
    expect(await t.client(other.token).careRequests.decline.mutate({ id, reason: 'Something else' })).toEqual(declined);
    expect(await rejection(t.client(other.token).careRequests.accept.mutate({ id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect(await ask(user, patientId, other.id)).toMatchObject({ state: 'pending' });
  });

  it('a decline needs a reason', async () => {
    const { patientId, user } = await portalPatient();
    const { id } = await ask(user, patientId, other.id);
    expect(await rejection(t.client(other.token).careRequests.decline.mutate({ id, reason: '  ' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { reason: ['is required'] } });
  });
});

describe('careRequests.cancel', () => {
  it('the patient withdraws a pending request; staff cannot, nor may it then be accepted', async () => {
    const { patientId, user } = await portalPatient();
    const { id } = await ask(user, patientId, chosen.id);
    expect(await rejection(t.client(chosen.token).careRequests.cancel.mutate({ id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(t.client(patientB.token).careRequests.cancel.mutate({ id }))).toMatchObject({ code: 'NOT_FOUND' });
    const cancelled = await t.client(user.token).careRequests.cancel.mutate({ id });
    expect(cancelled).toMatchObject({ state: 'cancelled', decidedBy: user.id });
    expect(await t.client(user.token).careRequests.cancel.mutate({ id })).toEqual(cancelled);
    expect(await rejection(t.client(chosen.token).careRequests.accept.mutate({ id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
    expect(await careTeam(patientId)).toEqual([gp.id]);
    expect((await auditTrail(t, id)).map((e) => e.action)).toEqual(['care-request.created', 'care-request.cancelled', 'care-request.cancelled']);
  });
});

describe('a guardian', () => {
  it("asks, reads, cancels and leaves for a dependent, with the dependent's care team", async () => {
    const parent = await portalPatient();
    const dependent = await createPatient(t, gp.token, { givenName: 'Ella', familyName: 'Quinn', birthDate: '2018-06-01' });
    await t.client(admin.token).patients.addGuardian.mutate({ patientId: dependent.id, guardianPatientId: parent.patientId });
    const guardian = parent.user;

    const toChosen = await ask(guardian, dependent.id, chosen.id, 'For my daughter Ella');
    expect(toChosen).toMatchObject({ patient: { id: dependent.id, givenName: 'Ella' }, requestedBy: guardian.id });
    const toOther = await ask(guardian, dependent.id, other.id);
    expect(await t.client(guardian.token).careRequests.cancel.mutate({ id: toOther.id })).toMatchObject({ state: 'cancelled' });
    expect((await listed(guardian, { patientId: dependent.id })).map((r) => [r.clinician.displayName, r.state])).toEqual([
      ['Dr Other', 'cancelled'],
      ['Dr Chosen', 'pending'],
    ]);

    await t.client(chosen.token).careRequests.accept.mutate({ id: toChosen.id });
    expect(await careTeam(dependent.id)).toEqual([gp.id, chosen.id].sort());
    expect(await t.client(guardian.token).careTeams.leave.mutate({ patientId: dependent.id, clinicianId: gp.id })).toEqual({ ok: true });
    expect(await careTeam(dependent.id)).toEqual([chosen.id]);
    expect(await careTeam(parent.patientId)).toEqual([gp.id]);
  });
});

describe('autoAcceptCareRequests', () => {
  it('off by default; on, a request is accepted as it is made and the clinician joins the care team', async () => {
    expect((await t.client(admin.token).practices.current.query()).autoAcceptCareRequests).toBe(false);
    expect(await t.client(admin.token).practices.update.mutate({ autoAcceptCareRequests: true })).toMatchObject({ autoAcceptCareRequests: true });
    try {
      const { patientId, user } = await portalPatient();
      const request = await ask(user, patientId, chosen.id);
      expect(request).toMatchObject({ state: 'accepted', decidedBy: null, decidedAt: expect.any(String) });
      expect(await careTeam(patientId)).toEqual([gp.id, chosen.id].sort());
      expect(await sql(t, "select action, actor_id, detail->>'automatic' as automatic from audit_event where entity_id = ? order by at, id", [request.id])).toEqual([
        { action: 'care-request.created', actor_id: user.id, automatic: null },
        { action: 'care-request.accepted', actor_id: user.id, automatic: 'true' },
      ]);
      // Still only for clinicians who take new patients.
      expect(await rejection(ask(user, patientId, closed.id))).toMatchObject({ code: 'BAD_REQUEST', reason: 'not-accepting-new-patients' });
    } finally {
      await t.client(admin.token).practices.update.mutate({ autoAcceptCareRequests: false });
    }
    const { patientId, user } = await portalPatient();
    expect(await ask(user, patientId, chosen.id)).toMatchObject({ state: 'pending' });
    expect(await careTeam(patientId)).toEqual([gp.id]);
  });
});

describe('careTeams.leave', () => {
  it("the patient leaves a clinician's care, audited; never their last clinician; staff keep their own controls", async () => {
    const { patientId, user } = await portalPatient();
    await t.client(admin.token).careTeams.add.mutate({ patientId, clinicianId: chosen.id });
    for (const staff of [admin, gp]) expect(await rejection(t.client(staff.token).careTeams.leave.mutate({ patientId, clinicianId: chosen.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(t.client(patientB.token).careTeams.leave.mutate({ patientId, clinicianId: chosen.id }))).toMatchObject({ code: 'NOT_FOUND', message: 'Patient not found' });
    expect(await rejection(t.client(user.token).careTeams.leave.mutate({ patientId, clinicianId: other.id }))).toMatchObject({ code: 'NOT_FOUND', message: 'Care team member not found' });

    expect(await t.client(user.token).careTeams.leave.mutate({ patientId, clinicianId: chosen.id })).toEqual({ ok: true });
    expect(await careTeam(patientId)).toEqual([gp.id]);
    expect(await rejection(t.client(chosen.token).patients.byId.query({ id: patientId }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(t, "select actor_id, detail->>'clinicianId' as clinician from audit_event where action = 'care-team.left' and entity_id = ?", [patientId])).toEqual([
      { actor_id: user.id, clinician: chosen.id },
    ]);

    expect(await rejection(t.client(user.token).careTeams.leave.mutate({ patientId, clinicianId: gp.id }))).toMatchObject({ code: 'CONFLICT', reason: 'last-care-team-member' });
    expect(await careTeam(patientId)).toEqual([gp.id]);
    // The practice may still take the last clinician off.
    expect(await t.client(admin.token).careTeams.remove.mutate({ patientId, clinicianId: gp.id })).toEqual({ ok: true });
  });

  it('two departures at once (two sessions) leave one clinician on the team', async () => {
    const { patientId, user } = await portalPatient();
    await t.client(admin.token).careTeams.add.mutate({ patientId, clinicianId: chosen.id });
    const tokens = [user.token, await loginAs(t, user.email, user.password)];
    const results = await Promise.allSettled([gp, chosen].map((c, i) => t.client(tokens[i]).careTeams.leave.mutate({ patientId, clinicianId: c.id })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await careTeam(patientId)).toHaveLength(1);
  });
});

describe('careRequests.list', () => {
  it('pages newest first, filters by state, patient and clinician', async () => {
    const { patientId, user } = await portalPatient();
    const first = await ask(user, patientId, chosen.id);
    const second = await ask(user, patientId, other.id);
    await t.client(other.token).careRequests.decline.mutate({ id: second.id, reason: 'Full' });
    const page1 = await t.client(user.token).careRequests.list.query({ patientId, limit: 1 });
    expect(page1.items.map((r) => r.id)).toEqual([second.id]);
    const page2 = await t.client(user.token).careRequests.list.query({ patientId, limit: 1, cursor: page1.nextCursor! });
    expect(page2).toEqual({ items: [expect.objectContaining({ id: first.id })], nextCursor: null });
    expect((await listed(admin, { patientId, state: 'pending' })).map((r) => r.id)).toEqual([first.id]);
    const byClinician = (await allPages((cursor) => t.client(admin.token).careRequests.list.query({ patientId, clinicianId: other.id, cursor }))).items;
    expect(byClinician.map((r) => r.id)).toEqual([second.id]);
    // A clinician filtering on a colleague's requests gets none of them.
    expect((await t.client(chosen.token).careRequests.list.query({ clinicianId: other.id })).items).toEqual([]);
    expect(await rejection(t.client(user.token).careRequests.list.query({ cursor: 'not-a-cursor' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
