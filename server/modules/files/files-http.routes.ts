import { TRPCError } from '@trpc/server';
import { Hono, type Context } from 'hono';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppDeps } from '../../context.ts';
import { unwrapDataKey } from '../../envelope.ts';
import { AppError } from '../../errors.ts';
import { errorResponse } from '../../http/error-response.ts';
import { callFailure, routerCalls, type RouterCallEnv } from '../../http/router-calls.ts';
import { authedActor } from '../../trpc.ts';
import { previewKey } from './file-names.ts';
import { openStream } from './sealed-stream.ts';
import { UploadRefusedError, uploadFile } from './file-upload.ts';
import { StoredFile } from './stored-file.entity.ts';

const OCTET_STREAM = 'application/octet-stream';
const extensions: Record<StoredFile['mediaType'], string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/tiff': 'tiff',
};

/** A failed call in the app's plain JSON error shape (`{ error, reason?, requestId }`), with the status of its code. */
function failure(c: Context, error: unknown, log: AppDeps['log']) {
  if (error instanceof UploadRefusedError) return errorResponse(c, error.code, error.message, error.reason);
  const cause = error instanceof AppError ? new TRPCError({ code: error.code, message: error.message, cause: error }) : error;
  const { status, message } = callFailure(c, cause, log, 'files request');
  return c.json({ error: message, ...(error instanceof AppError && error.reason && { reason: error.reason }), requestId: c.get('requestId') }, status);
}

/**
 * Files over plain HTTP, so their bytes stream instead of passing through JSON:
 * POST /files takes the raw bytes (`Content-Type: application/octet-stream`) and answers the file (201);
 * GET /files/{id} and GET /files/{id}/preview stream the bytes back, decrypted segment by segment, to
 * whoever `files.byId` lets read them (its access rules and audit). Authenticated like /trpc.
 */
export function filesRoutes(deps: AppDeps, socketIp: (c: Context) => string | null) {
  const calls = routerCalls(deps, socketIp);

  async function download(c: Context<RouterCallEnv>, preview: boolean) {
    try {
      const file = await c.var.caller.files.byId({ id: c.req.param('id')! });
      if (preview && !file.previewAvailable) return c.json({ error: 'This file has no preview', requestId: c.get('requestId') }, 404);
      const row = await c.var.ctx.em.fork().findOneOrFail(StoredFile, { id: file.id });
      const key = preview ? previewKey(file.id) : file.id;
      const dataKey = unwrapDataKey(deps.config.encryptionKeys, row, row.id);
      const opened = openStream(dataKey, key);
      const stored = await deps.files.get(key);
      // A segment that does not authenticate errors the body: the client sees a broken transfer, never wrong bytes.
      pipeline(stored, opened).catch((err: Error & { code?: string }) => {
        if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') deps.log.error({ requestId: c.get('requestId'), err: { name: err.name } }, 'file download failed'); // not the client going away
      });
      const type = preview ? 'image/webp' : file.mediaType;
      const name = `${file.id}${preview ? '-preview.webp' : `.${extensions[file.mediaType]}`}`;
      return c.body(Readable.toWeb(opened) as ReadableStream<Uint8Array>, 200, {
        'content-type': type,
        'content-length': String(preview ? row.previewSize : file.size),
        'cache-control': 'private, no-store',
        etag: `"${preview ? `${file.sha256}-preview` : file.sha256}"`,
        'content-disposition': `${type === 'application/pdf' ? 'attachment' : 'inline'}; filename="${name}"`,
        'x-content-type-options': 'nosniff',
      });
    } catch (error) {
      return failure(c, error, deps.log);
    }
  }

  return new Hono<RouterCallEnv>()
    .post('/', calls, async (c) => {
      try {
        const actor = authedActor(c.var.ctx);
        const type = c.req.header('content-type');
        if (type?.split(';', 1)[0]?.trim().toLowerCase() !== OCTET_STREAM) {
          throw new UploadRefusedError('UNSUPPORTED_MEDIA_TYPE', null, `${type ? `Unsupported content-type "${type}"` : 'Missing content-type header'}: send the file's bytes as ${OCTET_STREAM}`);
        }
        const body = c.req.raw.body ?? new Blob([]).stream(); // no body: an empty file, refused as of no known type
        return c.json(await uploadFile(deps, c.var.ctx.em.fork(), actor, body), 201);
      } catch (error) {
        // A refusal leaves (the rest of) the body unread: the connection closes after the answer, and a keep-alive client must not reuse it.
        c.header('connection', 'close');
        return failure(c, error, deps.log);
      }
    })
    .get('/:id', calls, (c) => download(c, false))
    .get('/:id/preview', calls, (c) => download(c, true));
}
