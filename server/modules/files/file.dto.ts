import type { FileOutput } from '../../../shared/schemas/files.ts';
import type { StoredFile } from './stored-file.entity.ts';

export function toFileDto(f: StoredFile): FileOutput {
  return { id: f.id, mediaType: f.mediaType, size: f.size, sha256: f.sha256, previewAvailable: f.previewSize != null, createdAt: f.createdAt.toISOString() };
}
