import type { EntityManager } from '@mikro-orm/postgresql';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { fileTypeFromBuffer } from 'file-type';
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { allowedFileTypes, type AllowedFileType } from '../../../shared/schemas/files.ts';
import type { ErrorReason } from '../../../shared/errors.ts';
import type { Actor, AppDeps } from '../../context.ts';
import { newDataKey } from '../../envelope.ts';
import { newId } from '../../ids.ts';
import { toFileDto } from './file.dto.ts';
import { previewKey } from './file-names.ts';
import { sealStream } from './sealed-stream.ts';
import { StoredFile } from './stored-file.entity.ts';

/** Enough of the head for file-type to recognise every allowed type (its own reasonable sample size). */
const SAMPLE_BYTES = 4100;
/** Images larger than this in pixels are refused before they are decoded (a small file can decode huge). */
const MAX_IMAGE_PIXELS = 40_000_000;
const PREVIEW_EDGE = 512;

/** An upload refused for what it is: answered with this status code and reason, and nothing is stored. */
export class UploadRefusedError extends Error {
  readonly code: TRPC_ERROR_CODE_KEY;
  readonly reason: ErrorReason | null;
  constructor(code: TRPC_ERROR_CODE_KEY, reason: ErrorReason | null, message: string) {
    super(message);
    this.name = 'UploadRefusedError';
    this.code = code;
    this.reason = reason;
  }
}

const isImage = (type: AllowedFileType) => type.startsWith('image/');

/**
 * Watches the plaintext go by: counts it against the limit, detects the type from the first bytes (held
 * back until then, never more), hashes it, and keeps an image whole for its preview (an image is at most
 * the limit; a PDF is never held).
 */
function inspector(maxBytes: number) {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let size = 0;
  let head: Buffer[] = [];
  let headBytes = 0;
  let mediaType: AllowedFileType | null = null;
  const image: Buffer[] = [];

  const detect = async () => {
    const found = await fileTypeFromBuffer(Buffer.concat(head));
    const type = allowedFileTypes.find((t) => t === found?.mime);
    if (!type) {
      throw new UploadRefusedError(
        'UNSUPPORTED_MEDIA_TYPE',
        'file-type-not-allowed',
        `${found ? `This file is ${found.mime}` : 'The type of this file could not be recognised from its content'}: allowed are ${allowedFileTypes.join(', ')}`,
      );
    }
    mediaType = type;
  };
  const release = (stream: Transform, chunk: Buffer) => {
    if (mediaType && isImage(mediaType)) image.push(chunk);
    stream.push(chunk);
  };

  const stream = new Transform({
    async transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        size += chunk.length;
        if (size > maxBytes) throw new UploadRefusedError('PAYLOAD_TOO_LARGE', 'file-too-large', `File too large: at most ${+(maxBytes / 2 ** 20).toFixed(2)} MiB (FILE_MAX_MB)`);
        sha256.update(chunk);
        sha1.update(chunk);
        if (mediaType) {
          release(this, chunk);
          return done();
        }
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= SAMPLE_BYTES) {
          await detect();
          release(this, Buffer.concat(head));
          head = [];
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    async flush(done: TransformCallback) {
      try {
        if (!mediaType) {
          await detect();
          release(this, Buffer.concat(head));
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  return {
    stream,
    result: () => ({ mediaType: mediaType!, size, sha256: sha256.digest('hex'), sha1: sha1.digest('base64'), image: mediaType && isImage(mediaType) ? Buffer.concat(image) : null }),
  };
}

/** A WebP within 512×512, without the original's metadata (no GPS, no camera), or the reason it cannot be made. */
async function previewOf(image: Buffer): Promise<Buffer> {
  try {
    return await sharp(image, { limitInputPixels: MAX_IMAGE_PIXELS }).rotate().resize(PREVIEW_EDGE, PREVIEW_EDGE, { fit: 'inside', withoutEnlargement: true }).webp().toBuffer();
  } catch (e) {
    const tooMany = /pixel limit/i.test((e as Error).message);
    throw new UploadRefusedError(
      'BAD_REQUEST',
      'file-unreadable',
      tooMany ? `The image has more than ${MAX_IMAGE_PIXELS / 1e6} megapixels` : 'The image could not be decoded: it is damaged or not what its first bytes say',
    );
  }
}

/** Streams `body` through the inspector and the sealer into the store under `key`; the first error that says why wins over the ones it caused. */
async function storeSealed(files: AppDeps['files'], key: string, body: Readable, through: Transform[]) {
  const out = new PassThrough();
  const results = await Promise.allSettled([pipeline([body, ...through, out]), files.put(key, out)]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length) throw failures.find((e) => e instanceof UploadRefusedError) ?? failures[0];
}

/**
 * `POST /files`: a logged-in user's upload, streamed from the request into the store, sealed under its own
 * data key, with the type taken from its bytes and the size counted as it comes. The bytes (and an
 * image's preview) are written first and the row after; on any failure what was written is removed.
 * The upload is the uploader's until a document or a photo claims it (file-claim.ts).
 */
export async function uploadFile({ config, files }: Pick<AppDeps, 'config' | 'files'>, em: EntityManager, actor: Actor, body: ReadableStream<Uint8Array>) {
  const id = newId();
  const { dataKey, envelope } = newDataKey(config.encryptionKeys, id);
  const inspect = inspector(config.bodyLimits.files);
  let previewSize: number | null = null;
  try {
    await storeSealed(files, id, Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), [inspect.stream, sealStream(dataKey, id)]);
    const found = inspect.result();
    if (found.image) {
      const preview = await previewOf(found.image);
      previewSize = preview.length;
      await storeSealed(files, previewKey(id), Readable.from([preview]), [sealStream(dataKey, previewKey(id))]);
    }
    const row = em.create(StoredFile, {
      id,
      practice: actor.practiceId,
      uploadedBy: actor.userId,
      mediaType: found.mediaType,
      size: found.size,
      sha256: found.sha256,
      sha1: found.sha1,
      kekId: envelope.kekId,
      wrappedKey: envelope.wrappedKey,
      previewSize,
      purpose: null,
      releasedAt: null,
    });
    await em.flush();
    return toFileDto(row);
  } catch (e) {
    await Promise.all([files.delete(id), files.delete(previewKey(id))]);
    throw e;
  }
}
