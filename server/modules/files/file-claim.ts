import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilePurpose } from '../../../shared/schemas/files.ts';
import type { Actor } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { StoredFile } from './stored-file.entity.ts';

/** How long an upload waits to be claimed before the sweep removes it. */
export const UNCLAIMED_TTL_MS = 24 * 3600 * 1000;

const photoPurposes: readonly FilePurpose[] = ['patient-photo', 'clinician-photo'];

/**
 * Claims the caller's own upload for `purpose` (a document, a photo): from then on who may read it follows
 * what claimed it (file-access.ts). `field` names the input field in the error. A photo must be an image.
 * The claim is written with the caller's unit of work, so it commits with what claimed the file.
 */
export async function claimFile(em: EntityManager, actor: Actor, now: Date, { fileId, field, purpose }: { fileId: string; field: string; purpose: FilePurpose }): Promise<StoredFile> {
  const file = await em.findOne(StoredFile, { id: fileId, uploadedBy: actor.userId, purpose: null, createdAt: { $gt: new Date(now.getTime() - UNCLAIMED_TTL_MS) } });
  if (!file)
    throw new AppError('BAD_REQUEST', 'No such upload of yours to use: upload the file (POST /files) and use its id within a day', 'file-not-available', {
      [field]: ['is not an unused upload of yours'],
    });
  if (photoPurposes.includes(purpose) && !file.mediaType.startsWith('image/')) {
    throw new AppError('BAD_REQUEST', 'A photo must be an image (JPEG, PNG, WebP, GIF or TIFF)', 'not-an-image', { [field]: ['must be an image'] });
  }
  file.purpose = purpose;
  return file;
}

/**
 * A profile photo set to the caller's upload `fileId` (claimed as `purpose`), or removed (null); the one it
 * replaces is released, for the sweep to remove. `undefined` keeps the current one. Answers the photo to keep.
 */
export async function replacePhoto(
  em: EntityManager,
  actor: Actor,
  now: Date,
  current: StoredFile | null | undefined,
  { fileId, purpose }: { fileId: string | null | undefined; purpose: 'patient-photo' | 'clinician-photo' },
): Promise<StoredFile | null | undefined> {
  if (fileId === undefined || fileId === (current?.id ?? null)) return current;
  const next = fileId === null ? null : await claimFile(em, actor, now, { fileId, field: 'photoFileId', purpose });
  if (current) em.assign(await em.findOneOrFail(StoredFile, current.id), { releasedAt: now });
  return next;
}
