import type { DocumentOutput } from '../../../shared/schemas/documents.ts';
import { toFileDto } from '../files/file.dto.ts';
import { contentPath, previewPath } from '../files/file-names.ts';
import type { StoredFile } from '../files/stored-file.entity.ts';
import type { Document } from './document.entity.ts';

export function toDocumentDto(d: Document): DocumentOutput {
  const file = toFileDto(d.file as StoredFile);
  return {
    id: d.id,
    patientId: d.patient.id,
    title: d.title,
    category: d.category,
    staffOnly: d.staffOnly,
    file,
    contentUrl: contentPath(file.id),
    previewUrl: file.previewAvailable ? previewPath(file.id) : null,
    uploadedBy: d.uploadedBy.id,
    createdAt: d.createdAt.toISOString(),
    deletedAt: d.deletedAt?.toISOString() ?? null,
    deletionReason: d.deletionReason ?? null,
  };
}
