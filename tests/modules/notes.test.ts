import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { openNoteBody } from '../../server/modules/notes/note-crypto.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, newEmail, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, TEST_ENCRYPTION_KEY, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runCli } from '../run-cli.ts';

/** Notes without any worker running: who reads them, addenda, audit, and key rotation while the server runs. */
const NEW_KEY = `new:${Buffer.alloc(32, 9).toString('base64')}`;

let t: TestServer;
let admin: TestUser;
let author: TestUser;
let other: TestUser;

beforeAll(async () => {
  // The server knows both keys, as it would during a rotation; the first still encrypts.
  t = await startTestServer({ PAMS_ENCRYPTION_KEYS: `${TEST_ENCRYPTION_KEY},${NEW_KEY}` });
  ({ admin } = await createPractice(t));
  author = await inviteUser(t, admin);
  other = await inviteUser(t, admin);
});
afterAll(() => t.close());

describe('notes', () => {
  it('are read by the author, the care team, admins and the patient; not by other clinicians; every read audited', async () => {
    const patient = await createPatient(t, author.token, { email: newEmail('p') });
    const portal = await invitePatientToPortal(t, author.token, patient.id);
    const note = await t.client(author.token).notes.create.mutate({ patientId: patient.id, body: 'Complains of insomnia since May.' });
    expect(note).toMatchObject({ authorId: author.id, body: 'Complains of insomnia since May.', extraction: { state: 'pending', attempts: 0 } });

    for (const reader of [author, admin, portal]) {
      expect((await t.client(reader.token).notes.byId.query({ id: note.id })).body).toBe('Complains of insomnia since May.');
    }
    expect(await rejection(t.client(other.token).notes.byId.query({ id: note.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(other.token).notes.create.mutate({ patientId: patient.id, body: 'x' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(portal.token).notes.create.mutate({ patientId: patient.id, body: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    const reads = await sql(t, `select actor_id from audit_event where action = 'note.read' and entity_id = ? order by at`, [note.id]);
    expect(reads.map((r) => r.actor_id)).toEqual([author.id, admin.id, portal.id]);

    // Off the care team, the author still reads their own note.
    await t.client(admin.token).careTeams.remove.mutate({ patientId: patient.id, clinicianId: author.id });
    expect((await t.client(author.token).notes.byId.query({ id: note.id })).body).toContain('insomnia');
  });

  it('are immutable: an addendum is a new note linked to the first, listed with it', async () => {
    const patient = await createPatient(t, author.token);
    const note = await t.client(author.token).notes.create.mutate({ patientId: patient.id, body: 'Started sertraline 50 mg.' });
    const addendum = await t.client(author.token).notes.addendum.mutate({ id: note.id, body: 'Correction: 25 mg.' });
    expect(addendum).toMatchObject({ addendumToId: note.id, extraction: null });
    expect(await rejection(t.client(author.token).notes.addendum.mutate({ id: addendum.id, body: 'x' }))).toMatchObject({ code: 'NOT_FOUND' });
    const read = await t.client(author.token).notes.byId.query({ id: note.id });
    expect(read.addenda.map((a) => a.body)).toEqual(['Correction: 25 mg.']);
    const list = await t.client(author.token).notes.list.query({ patientId: patient.id });
    expect(list.items.map((n) => n.body)).toEqual(['Correction: 25 mg.', 'Started sertraline 50 mg.']);
    expect(await rejection(t.client(author.token).notes.create.mutate({ patientId: patient.id, body: '   ' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { body: expect.any(Array) } });
    expect(await rejection(t.client(author.token).notes.retryExtraction.mutate({ id: note.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invalid-transition' });
  });

  it('are never stored in plaintext, and `pams keys rotate` re-wraps every data key under the newest key while the server runs', async () => {
    const patient = await createPatient(t, author.token);
    const bodies = Array.from({ length: 7 }, (_, i) => `Rotation note ${i}: knee pain, physiotherapy twice weekly.`);
    for (const body of bodies) await t.client(author.token).notes.create.mutate({ patientId: patient.id, body });
    const rows = await sql(t, 'select * from note where patient_id = ?', [patient.id]);
    expect(JSON.stringify(rows)).not.toMatch(/knee|physiotherapy|Rotation note/);
    expect(new Set(rows.map((r) => r.kek_id))).toEqual(new Set(['test1']));

    const env = { DATABASE_URL: t.dbUrl, PAMS_ENCRYPTION_KEYS: `${NEW_KEY},${TEST_ENCRYPTION_KEY}` };
    const rotated = await runCli(['keys', 'rotate', '--batch-size', '3', '--json'], { env });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json()).toMatchObject({ keyId: 'new', remaining: 0 });
    expect(rotated.json().rotated).toBeGreaterThanOrEqual(7);
    expect(rotated.stderr).toMatch(/Re-wrapping note keys/);

    // Only the new key is needed now; the bodies did not change.
    const onlyNew = loadConfig({ PAMS_ENCRYPTION_KEYS: NEW_KEY }).encryptionKeys;
    const after = await sql(t, 'select id, kek_id, wrapped_key, body_ciphertext from note where patient_id = ? order by created_at', [patient.id]);
    expect(after.map((r) => r.body_ciphertext)).toEqual(rows.sort((a, b) => +new Date(a.created_at) - +new Date(b.created_at)).map((r) => r.body_ciphertext));
    expect(after.map((r) => openNoteBody(onlyNew, { id: r.id, kekId: r.kek_id, wrappedKey: r.wrapped_key, bodyCiphertext: r.body_ciphertext }))).toEqual(bodies);
    // The running server, which knows both keys, still reads them.
    expect((await t.client(author.token).notes.byId.query({ id: after[0]!.id })).body).toBe(bodies[0]);
    expect((await runCli(['keys', 'rotate', '--json'], { env })).json()).toMatchObject({ rotated: 0, remaining: 0 });
  });

  it('`pams jobs list` shows the practice’s extraction jobs, and `pams jobs cancel` removes one', async () => {
    const patient = await createPatient(t, author.token);
    const note = await t.client(author.token).notes.create.mutate({ patientId: patient.id, body: 'Queued, no worker runs here.' });
    const env = { PAMS_URL: t.url, PAMS_TOKEN: admin.token };
    const listed = await runCli(['jobs', 'list', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const job = (listed.json() as { id: string; name: string; data: { noteId: string } }[]).find((j) => j.data.noteId === note.id)!;
    expect(job).toMatchObject({ name: 'notes.extract' });
    expect((await runCli(['jobs', 'list'], { env })).stdout).toMatch(/notes\.extract/);
    const cancelled = await runCli(['jobs', 'cancel', job.id, '--json'], { env });
    expect(cancelled.json()).toMatchObject({ id: job.id, state: 'cancelled' });
    expect((await runCli(['jobs', 'cancel', job.id], { env })).code).toBe(3);
    expect((await runCli(['jobs', 'list'], { env: { PAMS_URL: t.url, PAMS_TOKEN: author.token } })).code).toBe(2);
    // The note stays pending: the requeue sweep would enqueue it again.
    expect((await t.client(author.token).notes.byId.query({ id: note.id })).extraction).toMatchObject({ state: 'pending' });
  });
});
