import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { download, pdfOf, pngOf, uploaded } from '../file-samples.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runCliAs } from '../run-cli.ts';

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let outsider: TestUser;
let otherAdmin: TestUser;
/** Ana's portal account: her own record, and her son Ben's as his guardian. */
let ana: TestUser;
let anaId: string;
let benId: string;
let strangerId: string;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  carer = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  anaId = (await createPatient(t, carer.token, { givenName: 'Ana', familyName: 'Moran', email: 'ana.docs@example.test' })).id;
  benId = (await createPatient(t, carer.token, { givenName: 'Ben', familyName: 'Moran', birthDate: '2015-05-05' })).id;
  strangerId = (await createPatient(t, carer.token)).id;
  ana = await invitePatientToPortal(t, carer.token, anaId);
  await t.client(carer.token).patients.addGuardian.mutate({ patientId: benId, guardianPatientId: anaId });
});
afterAll(() => t?.close());

const addDocument = async (
  user: TestUser,
  patientId: string,
  extra: { staffOnly?: boolean; title?: string; category?: 'referral' | 'result' | 'consent' | 'letter' | 'image' | 'other'; bytes?: Buffer } = {},
) =>
  t.client(user.token).documents.create.mutate({
    patientId,
    fileId: await uploaded(t, user.token, extra.bytes ?? pdfOf()),
    title: extra.title ?? 'Referral letter',
    category: extra.category ?? 'referral',
    ...(extra.staffOnly !== undefined && { staffOnly: extra.staffOnly }),
  });
const titles = async (user: TestUser, patientId: string, extra: { includeDeleted?: boolean; category?: 'referral' | 'image' } = {}) =>
  (await t.client(user.token).documents.list.query({ patientId, ...extra })).items.map((d) => d.title);

describe('documents', () => {
  it('are added by staff from their upload, and read, listed and downloaded by the record’s rules, audited', async () => {
    const doc = await addDocument(carer, anaId, { title: 'Cardiology referral' });
    expect(doc).toMatchObject({
      patientId: anaId,
      title: 'Cardiology referral',
      category: 'referral',
      staffOnly: false,
      file: { mediaType: 'application/pdf', previewAvailable: false },
      contentUrl: `/files/${doc.file.id}`,
      previewUrl: null,
      uploadedBy: carer.id,
      deletedAt: null,
      deletionReason: null,
    });
    for (const user of [carer, admin, ana]) {
      expect(await t.client(user.token).documents.byId.query({ id: doc.id })).toEqual(doc);
      expect((await download(t, user.token, doc.contentUrl)).status).toBe(200);
    }
    for (const user of [outsider, otherAdmin]) {
      expect(await rejection(t.client(user.token).documents.byId.query({ id: doc.id }))).toMatchObject({ code: 'NOT_FOUND' });
      expect((await download(t, user.token, doc.contentUrl)).status).toBe(404);
      expect(await rejection(t.client(user.token).documents.list.query({ patientId: anaId }))).toMatchObject({ code: 'NOT_FOUND' });
    }
    const actions = (await sql(t, `select action from audit_event where entity_id = ? order by at`, [anaId])).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['document.created', 'document.read', 'file.read']));
  });

  it('are added by the patient and by a guardian, never staff-only, and an upload is claimed once, by its uploader', async () => {
    const own = await addDocument(ana, anaId, { title: 'My scan', category: 'image', bytes: await pngOf(300, 200) });
    expect(own).toMatchObject({ uploadedBy: ana.id, previewUrl: `/files/${own.file.id}/preview`, file: { mediaType: 'image/png', previewAvailable: true } });
    expect((await download(t, carer.token, own.previewUrl!)).status).toBe(200);
    const bens = await addDocument(ana, benId, { title: 'School form', category: 'consent' });
    expect(await t.client(carer.token).documents.byId.query({ id: bens.id })).toMatchObject({ patientId: benId });

    const staffOnly = await rejection(addDocument(ana, anaId, { staffOnly: true }));
    expect(staffOnly).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { staffOnly: [expect.any(String)] } });
    expect(await rejection(addDocument(ana, strangerId))).toMatchObject({ code: 'NOT_FOUND' });

    const fileId = await uploaded(t, carer.token, pdfOf());
    const claimedByOther = await rejection(t.client(admin.token).documents.create.mutate({ patientId: anaId, fileId, title: 'Not mine', category: 'other' }));
    expect(claimedByOther).toMatchObject({ code: 'BAD_REQUEST', reason: 'file-not-available', fieldErrors: { fileId: [expect.any(String)] } });
    await t.client(carer.token).documents.create.mutate({ patientId: anaId, fileId, title: 'Once', category: 'other' });
    expect(await rejection(t.client(carer.token).documents.create.mutate({ patientId: benId, fileId, title: 'Twice', category: 'other' }))).toMatchObject({ reason: 'file-not-available' });

    const stale = await uploaded(t, carer.token, pdfOf());
    await sql(t, `update stored_file set created_at = now() - interval '25 hours' where id = ?`, [stale]);
    expect(await rejection(t.client(carer.token).documents.create.mutate({ patientId: anaId, fileId: stale, title: 'Late', category: 'other' }))).toMatchObject({ reason: 'file-not-available' });
  });

  it('staff-only documents are hidden from the patient and guardians, in lists, by id and as files', async () => {
    const secret = await addDocument(carer, benId, { title: 'Safeguarding note', staffOnly: true, category: 'letter' });
    const open = await addDocument(carer, benId, { title: 'Vaccination record', category: 'result' });
    expect(secret.staffOnly).toBe(true);
    expect(await titles(carer, benId)).toEqual(expect.arrayContaining(['Safeguarding note', 'Vaccination record']));
    expect(await titles(ana, benId)).not.toContain('Safeguarding note');
    expect(await titles(ana, benId)).toContain('Vaccination record');
    expect(await rejection(t.client(ana.token).documents.byId.query({ id: secret.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await download(t, ana.token, secret.contentUrl)).status).toBe(404);
    expect((await download(t, ana.token, open.contentUrl)).status).toBe(200);
    expect(await titles(carer, benId, { category: 'referral' })).not.toContain('Vaccination record');
  });

  it('are deleted softly, by staff only, with a reason; staff can still list and read them', async () => {
    const doc = await addDocument(carer, anaId, { title: 'Wrong patient’s letter' });
    expect(await rejection(t.client(ana.token).documents.delete.mutate({ id: doc.id, reason: 'not mine' }))).toMatchObject({ code: 'FORBIDDEN' });
    const deleted = await t.client(carer.token).documents.delete.mutate({ id: doc.id, reason: 'Filed under the wrong patient' });
    expect(deleted).toMatchObject({ deletedAt: expect.any(String), deletionReason: 'Filed under the wrong patient' });
    expect(await titles(carer, anaId)).not.toContain('Wrong patient’s letter');
    expect(await titles(carer, anaId, { includeDeleted: true })).toContain('Wrong patient’s letter');
    expect(await titles(ana, anaId)).not.toContain('Wrong patient’s letter');
    expect(await rejection(t.client(ana.token).documents.list.query({ patientId: anaId, includeDeleted: true }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await rejection(t.client(ana.token).documents.byId.query({ id: doc.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await download(t, carer.token, doc.contentUrl)).status).toBe(200); // the bytes stay
    expect(await sql(t, `select deleted_by_id from document where id = ?`, [doc.id])).toEqual([{ deleted_by_id: carer.id }]);
    expect(await sql(t, `select action from audit_event where action = 'document.deleted' and detail->>'documentId' = ?`, [doc.id])).toHaveLength(1);
  });

  it('move with a merge, and a merged record takes no new ones', async () => {
    const duplicate = (await createPatient(t, carer.token, { givenName: 'Ana', familyName: 'Moran' })).id;
    const doc = await addDocument(carer, duplicate, { title: 'From the duplicate' });
    await t.client(admin.token).patients.merge.mutate({ sourceId: duplicate, targetId: anaId });
    expect((await t.client(carer.token).documents.byId.query({ id: doc.id })).patientId).toBe(anaId);
    expect(await rejection(addDocument(admin, duplicate))).toMatchObject({ code: 'CONFLICT', reason: 'patient-merged' });
  });

  it('are uploaded, listed and downloaded by the CLI, which streams the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pams-docs-cli-'));
    const path = join(dir, 'letter.pdf');
    await writeFile(path, pdfOf('From the CLI'));
    const added = await runCliAs(t, carer, dir, ['documents', 'upload', benId, path, '--title', 'Scanned letter', '--category', 'letter', '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ patientId: benId, title: 'Scanned letter', category: 'letter', file: { mediaType: 'application/pdf' } });
    const listed = await runCliAs(t, ana, dir, ['documents', 'list', benId, '--json']);
    expect(listed.json().map((d: { title: string }) => d.title)).toContain('Scanned letter');
    const out = join(dir, 'back.pdf');
    const downloaded = await runCliAs(t, ana, dir, ['documents', 'download', added.json().id, '--out', out, '--json']);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect((await readFile(out)).equals(pdfOf('From the CLI'))).toBe(true);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(downloaded.stderr).toMatch(/download: \d+ bytes in/);
    await writeFile(join(dir, 'notes.txt'), 'plain text');
    const refused = await runCliAs(t, carer, dir, ['documents', 'upload', benId, join(dir, 'notes.txt'), '--title', 'Text']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Upload refused: The type of this file could not be recognised/);
  });

  it('page newest first', async () => {
    const patientId = (await createPatient(t, carer.token)).id;
    for (const title of ['one', 'two', 'three']) await addDocument(carer, patientId, { title });
    const first = await t.client(carer.token).documents.list.query({ patientId, limit: 2 });
    expect(first.items.map((d) => d.title)).toEqual(['three', 'two']);
    const second = await t.client(carer.token).documents.list.query({ patientId, limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ title: 'one' }], nextCursor: null });
  });
});
