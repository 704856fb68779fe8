import { readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, sql, type TestUser } from '../../fixtures.ts';
import { download, jpegOf, pdfOf, pngOf, upload, uploaded } from '../../file-samples.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';
import { runJobNow, startWorker } from '../../workers.ts';

const MAX_MB = 1;
let t: TestServer;
let admin: TestUser;
let clinician: TestUser;
let otherAdmin: TestUser;
let outsider: TestUser;
let ana: TestUser;
let anaId: string;

beforeAll(async () => {
  t = await startTestServer({ FILE_MAX_MB: String(MAX_MB) });
  ({ admin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  const patient = await createPatient(t, clinician.token, { email: 'ana.files@example.test' });
  anaId = patient.id;
  ana = await invitePatientToPortal(t, clinician.token, patient.id);
  await startWorker(t);
});
afterAll(() => t?.close());

const filesDir = () => join(t.config.dataDir, 'files');
const body = async (r: Response) => (await r.json()) as Record<string, unknown>;

describe('POST /files', () => {
  it('stores a PDF sealed at rest and streams it back whole, with its type from the bytes', async () => {
    const pdf = pdfOf('Referral letter for Ana Moran');
    const response = await upload(t, clinician.token, pdf, { 'content-disposition': 'attachment; filename="scan.png"' });
    expect(response.status).toBe(201);
    const file = await body(response);
    expect(file).toEqual({
      id: expect.any(String),
      mediaType: 'application/pdf',
      size: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      previewAvailable: false,
      createdAt: expect.any(String),
    });
    const atRest = await readFile(join(filesDir(), file.id as string));
    expect(atRest.includes(Buffer.from('Ana Moran'))).toBe(false);
    expect(atRest.includes(Buffer.from('%PDF'))).toBe(false);

    const back = await download(t, clinician.token, `/files/${file.id}`);
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('application/pdf');
    expect(back.headers.get('content-length')).toBe(String(pdf.length));
    expect(back.headers.get('cache-control')).toBe('private, no-store');
    expect(back.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(back.headers.get('content-disposition')).toBe(`attachment; filename="${file.id}.pdf"`);
    expect(Buffer.from(await back.arrayBuffer()).equals(pdf)).toBe(true);
    expect((await download(t, clinician.token, `/files/${file.id}/preview`)).status).toBe(404);
  });

  it('makes an image a WebP preview within 512×512, without its metadata', async () => {
    const jpeg = await jpegOf(1600, 900);
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const file = await body(await upload(t, ana.token, jpeg));
    expect(file).toMatchObject({ mediaType: 'image/jpeg', previewAvailable: true });
    const preview = await download(t, ana.token, `/files/${file.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    expect(preview.headers.get('content-disposition')).toMatch(/^inline/);
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 512, height: 288 });
    expect(meta.exif).toBeUndefined();
    const png = await body(await upload(t, ana.token, await pngOf(100, 80)));
    const small = await sharp(Buffer.from(await (await download(t, ana.token, `/files/${png.id}/preview`)).arrayBuffer())).metadata();
    expect([small.width, small.height]).toEqual([100, 80]); // never enlarged
  });

  it('refuses a body over FILE_MAX_MB, declared or chunked, and stores nothing', async () => {
    const before = await readdir(filesDir());
    const big = Buffer.concat([pdfOf(), Buffer.alloc(MAX_MB * 2 ** 20)]);
    const declared = await upload(t, clinician.token, big);
    expect(declared.status).toBe(413);
    expect(await body(declared)).toMatchObject({ reason: 'file-too-large' });
    const chunks = [pdfOf(), ...Array.from({ length: 20 }, () => Buffer.alloc(100_000))];
    const chunked = await upload(
      t,
      clinician.token,
      new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(new Uint8Array(next));
          else controller.close();
        },
      }),
    );
    expect(chunked.status).toBe(413);
    expect(await body(chunked)).toMatchObject({ reason: 'file-too-large', error: expect.stringContaining('1 MiB') });
    expect(await readdir(filesDir())).toEqual(before);
  });

  it('refuses what is not an allowed type by its bytes, whatever it is called', async () => {
    const before = await readdir(filesDir());
    const cases = {
      text: Buffer.from('just some text, not a document'),
      exe: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300)]),
      empty: Buffer.alloc(0),
      zip: Buffer.from('504b0304140000000800', 'hex'),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const response = await upload(t, clinician.token, bytes, { 'x-file-name': `${name}.pdf` });
      expect(response.status, name).toBe(415);
      const answer = await body(response);
      expect(answer, name).toMatchObject({ reason: 'file-type-not-allowed', error: expect.stringContaining('application/pdf, image/jpeg') });
    }
    expect((await body(await upload(t, clinician.token, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300)])))).error).toMatch(/could not be recognised|application\/x-msdownload/);
    expect(await readdir(filesDir())).toEqual(before);
  });

  it('refuses an image that does not decode, and another content type', async () => {
    const png = await pngOf(200, 200);
    const broken = Buffer.concat([png.subarray(0, 100), Buffer.alloc(500)]);
    const response = await upload(t, clinician.token, broken);
    expect(response.status).toBe(400);
    expect(await body(response)).toMatchObject({ reason: 'file-unreadable' });
    const json = await upload(t, clinician.token, png, { 'content-type': 'image/png' });
    expect(json.status).toBe(415);
    expect((await body(json)).error).toMatch(/application\/octet-stream/);
  });

  it('answers 401 without a credential, in the plain JSON error shape', async () => {
    const response = await upload(t, null, pdfOf());
    expect(response.status).toBe(401);
    expect(await body(response)).toEqual({ error: 'Not logged in', requestId: expect.any(String) });
  });
});

describe('GET /files/:id', () => {
  it('lets only the uploader read an unclaimed upload, and audits it', async () => {
    const id = await uploaded(t, clinician.token, pdfOf());
    expect((await download(t, admin.token, `/files/${id}`)).status).toBe(404);
    expect((await download(t, ana.token, `/files/${id}`)).status).toBe(404);
    expect((await download(t, otherAdmin.token, `/files/${id}`)).status).toBe(404);
    expect((await download(t, null, `/files/${id}`)).status).toBe(401);
    expect(await t.client(clinician.token).files.byId.query({ id })).toMatchObject({ id, mediaType: 'application/pdf' });
    expect(await rejection(t.client(admin.token).files.byId.query({ id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(t, `select action from audit_event where entity_id = ? and entity_type = 'file'`, [id])).toContainEqual({ action: 'file.read' });
  });

  it('fails the transfer, never answering wrong bytes, when the stored bytes were altered', async () => {
    const pdf = Buffer.concat([pdfOf(), Buffer.alloc(200_000, 'a')]);
    const id = await uploaded(t, clinician.token, pdf);
    const path = join(filesDir(), id);
    const stored = await readFile(path);
    stored[stored.length - 30]! ^= 1;
    await writeFile(path, stored);
    const response = await fetch(`${t.url}/files/${id}`, { headers: { authorization: `Bearer ${clinician.token}` } });
    await expect(response.arrayBuffer()).rejects.toThrow();
  });
});

describe('profile photos', () => {
  it("are set by staff and by the patient, replace and release the old one, and are seen by the patient's readers", async () => {
    const first = await uploaded(t, clinician.token, await pngOf(120, 120));
    const updated = await t.client(clinician.token).patients.update.mutate({ id: anaId, photoFileId: first });
    expect(updated.photo).toEqual({ fileId: first, url: `/files/${first}`, previewUrl: `/files/${first}/preview` });
    expect((await download(t, ana.token, `/files/${first}/preview`)).status).toBe(200);
    expect((await download(t, outsider.token, `/files/${first}`)).status).toBe(404);

    const second = await uploaded(t, ana.token, await jpegOf(300, 200));
    const portal = await t.client(ana.token).portal.updateProfile.mutate({ patientId: anaId, photoFileId: second });
    expect(portal.photo).toMatchObject({ fileId: second });
    expect(await sql(t, 'select id, purpose, released_at is not null as released from stored_file where id in (?, ?) order by id', [first, second])).toEqual(
      [
        { id: first, purpose: 'patient-photo', released: true },
        { id: second, purpose: 'patient-photo', released: false },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect((await download(t, clinician.token, `/files/${first}`)).status).toBe(404); // released: no one reads it

    const pdf = await uploaded(t, ana.token, pdfOf());
    expect(await rejection(t.client(ana.token).portal.updateProfile.mutate({ patientId: anaId, photoFileId: pdf }))).toMatchObject({
      reason: 'not-an-image',
      fieldErrors: { photoFileId: [expect.any(String)] },
    });
    const removed = await t.client(clinician.token).patients.update.mutate({ id: anaId, photoFileId: null });
    expect(removed.photo).toBeNull();

    await runJobNow(t, 'files.sweep');
    expect(await sql(t, 'select id from stored_file where id in (?, ?)', [first, second])).toEqual([]);
    expect(await readdir(filesDir())).not.toContain(first);
  });

  it("a clinician's is set by them (or an admin), and seen by everyone at the practice", async () => {
    const photo = await uploaded(t, clinician.token, await pngOf(64, 64));
    const entry = await t.client(clinician.token).clinicians.updateProfile.mutate({ id: clinician.id, photoFileId: photo });
    expect(entry.photo).toEqual({ fileId: photo, url: `/files/${photo}`, previewUrl: `/files/${photo}/preview` });
    expect((await t.client(ana.token).clinicians.byId.query({ id: clinician.id })).photo).toMatchObject({ fileId: photo });
    for (const user of [ana, admin, outsider]) expect((await download(t, user.token, `/files/${photo}`)).status).toBe(200);
    expect((await download(t, otherAdmin.token, `/files/${photo}`)).status).toBe(404);
    const someoneElses = await uploaded(t, admin.token, await pngOf(64, 64));
    expect(await rejection(t.client(clinician.token).clinicians.updateProfile.mutate({ id: clinician.id, photoFileId: someoneElses }))).toMatchObject({ reason: 'file-not-available' });
    await t.client(admin.token).clinicians.updateProfile.mutate({ id: clinician.id, photoFileId: someoneElses });
    expect(await sql(t, 'select released_at is not null as released from stored_file where id = ?', [photo])).toEqual([{ released: true }]);
  });
});

describe('the files sweep', () => {
  it('removes uploads unclaimed for a day, and bytes without a row after an hour, and keeps the rest', async () => {
    const stale = await uploaded(t, clinician.token, await pngOf(50, 50));
    const fresh = await uploaded(t, clinician.token, pdfOf());
    await sql(t, `update stored_file set created_at = now() - interval '25 hours' where id = ?`, [stale]);
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    await writeFile(join(filesDir(), '0190a3c2-0000-7000-8000-000000000000'), 'crashed before its row');
    await utimes(join(filesDir(), '0190a3c2-0000-7000-8000-000000000000'), hourAgo, hourAgo);
    await writeFile(join(filesDir(), 'not-a-key.partial-1'), 'partial');
    await utimes(join(filesDir(), 'not-a-key.partial-1'), hourAgo, hourAgo);
    await writeFile(join(filesDir(), '0190a3c2-0000-7000-8000-000000000001'), 'being written just now');
    await runJobNow(t, 'files.sweep');
    const left = await readdir(filesDir());
    expect(left).not.toContain(stale);
    expect(left).not.toContain(`${stale}.preview`);
    expect(await sql(t, 'select id from stored_file where id = ?', [stale])).toEqual([]);
    expect(left).toContain(fresh);
    expect(left).not.toContain('0190a3c2-0000-7000-8000-000000000000');
    expect(left).not.toContain('not-a-key.partial-1');
    expect(left).toContain('0190a3c2-0000-7000-8000-000000000001');
    expect((await download(t, clinician.token, `/files/${fresh}`)).status).toBe(200);
  });
});
