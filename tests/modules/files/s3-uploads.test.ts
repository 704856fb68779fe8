import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, type TestUser } from '../../fixtures.ts';
import { download, pdfOf, pngOf, uploaded } from '../../file-samples.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { startS3Server } from '../../s3-server.ts';

/** PAMS configured with S3_* settings: the same uploads, documents and downloads, with the sealed bytes in the bucket and none on disk. */
let s3: Awaited<ReturnType<typeof startS3Server>>;
let t: TestServer;
let clinician: TestUser;
let ana: TestUser;
let anaId: string;

beforeAll(async () => {
  s3 = await startS3Server();
  t = await startTestServer({ S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_PREFIX: 'pams' });
  const { admin } = await createPractice(t);
  clinician = await inviteUser(t, admin);
  const patient = await createPatient(t, clinician.token, { email: 'ana.s3@example.test' });
  anaId = patient.id;
  ana = await invitePatientToPortal(t, clinician.token, patient.id);
});
afterAll(async () => {
  await t?.close();
  await s3?.close();
});

const bucket = () => new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

describe('documents on an S3-compatible store', () => {
  it('stores the sealed bytes under the prefix, serves them back to who may read them, and writes nothing to disk', async () => {
    const pdf = pdfOf('Discharge summary for Ana');
    const fileId = await uploaded(t, ana.token, pdf);
    const document = await t.client(ana.token).documents.create.mutate({ patientId: anaId, fileId, title: 'Discharge summary', category: 'letter' });

    const listed = await bucket().send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([`pams/${fileId}`]);
    const atRest = Buffer.from(await (await bucket().send(new GetObjectCommand({ Bucket: s3.bucket, Key: `pams/${fileId}` }))).Body!.transformToByteArray());
    expect(atRest.includes(Buffer.from('Ana'))).toBe(false);

    const back = await download(t, clinician.token, document.contentUrl);
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(pdf)).toBe(true);
    expect(await readdir(join(t.config.dataDir, 'files')).catch(() => [])).toEqual([]);
  });

  it("keeps an image's preview beside it in the bucket", async () => {
    const fileId = await uploaded(t, clinician.token, await pngOf(1200, 900));
    const preview = await download(t, clinician.token, `/files/${fileId}/preview`);
    expect(preview.status).toBe(200);
    const { width, height, format } = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect({ format, fits: Math.max(width!, height!) <= 512 }).toEqual({ format: 'webp', fits: true });
    const keys = (await bucket().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `pams/${fileId}` }))).Contents?.map((o) => o.Key);
    expect(keys?.sort()).toEqual([`pams/${fileId}`, `pams/${fileId}.preview`]);
  });
});
