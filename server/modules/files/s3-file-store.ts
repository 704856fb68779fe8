import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { FileMissingError, type FileStore } from './file-store.ts';

export type S3StoreOptions = {
  bucket: string;
  /** An S3-compatible service's URL (MinIO, Ceph, R2, s3rver…); AWS's own endpoint for the region when unset. */
  endpoint: string | undefined;
  region: string;
  /** Unset: the SDK's default chain (AWS_* variables, shared config files, instance or task role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key`: what most S3-compatible services expect. */
  forcePathStyle: boolean;
  /** Put before every key as is ('' or e.g. `pams/`), so PAMS can share a bucket; list() sees only its own keys. */
  prefix: string;
};

/** Parts of 8 MiB, at most 4 in flight: an upload holds about 40 MB however large the file. */
const PART_BYTES = 8 * 2 ** 20;
const PARTS_IN_FLIGHT = 4;

export function s3FileStore(options: S3StoreOptions): FileStore {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    forcePathStyle: options.forcePathStyle,
    // The SDK's default CRC32 checksums on every request are not understood by all S3-compatible services (a streamed
    // body is then framed as aws-chunked with a trailer, which s3rver stores as part of the object); the bytes are
    // encrypted and authenticated by PAMS anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = options.bucket;
  const objectKey = (key: string) => `${options.prefix}${key}`;

  return {
    async put(key, body) {
      // Multipart from 8 MiB on; lib-storage aborts the multipart upload when the body fails (leavePartsOnError off),
      // and below one part nothing is sent until the body has ended, so a failed stream leaves nothing under the key.
      const upload = new Upload({ client, params: { Bucket, Key: objectKey(key), Body: body }, partSize: PART_BYTES, queueSize: PARTS_IN_FLIGHT, leavePartsOnError: false });
      try {
        await upload.done();
      } catch (e) {
        // The body's own error is the one to report (the caller may have failed it on purpose, e.g. over a size limit),
        // even when aborting the multipart upload failed too; an unfinished upload holds no object under the key.
        throw body.errored ?? e;
      }
    },

    async get(key) {
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key) }));
        // In Node the SDK's body is the response's IncomingMessage, a Readable.
        return Body as Readable;
      } catch (e) {
        if (e instanceof NoSuchKey) throw new FileMissingError(`no stored file under ${key}`, { cause: e });
        throw e;
      }
    },

    async delete(key) {
      // S3 answers 204 for a key that is not there.
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },

    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: options.prefix || undefined, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          if (object.Key && object.LastModified) yield { key: object.Key.slice(options.prefix.length), writtenAt: object.LastModified };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },

    close: () => client.destroy(),
  };
}
