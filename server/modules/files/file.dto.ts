import type { FileOutput, PhotoOutput } from '../../../shared/schemas/files.ts';
import { contentPath, previewPath } from './file-names.ts';
import type { StoredFile } from './stored-file.entity.ts';

export function toFileDto(f: StoredFile): FileOutput {
  return { id: f.id, mediaType: f.mediaType, size: f.size, sha256: f.sha256, previewAvailable: f.previewSize != null, createdAt: f.createdAt.toISOString() };
}

/** A photo by its file's id (an entity's reference, or a hand-written query's uuid column). */
export function toPhotoDto(file: { id: string } | string | null | undefined): PhotoOutput {
  const fileId = typeof file === 'string' ? file : file?.id;
  return fileId ? { fileId, url: contentPath(fileId), previewUrl: previewPath(fileId) } : null;
}
