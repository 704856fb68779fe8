import { z } from 'zod';
import { idInput, instantOutput, uuid } from './common.ts';

/** What an upload may be: detected from its bytes, never from a name or a header. */
export const allowedFileTypes = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff'] as const;
export type AllowedFileType = (typeof allowedFileTypes)[number];

/** What a stored file was claimed for; null while it is an upload nothing has claimed yet. */
export const filePurposes = ['document', 'patient-photo', 'clinician-photo'] as const;
export type FilePurpose = (typeof filePurposes)[number];

export const fileIdInput = idInput;

/** A profile photo to set: an image upload of your own (POST /files); null removes the photo. */
export const photoFileIdInput = uuid.nullable().describe('An image you uploaded (POST /files) and nothing has claimed yet; null removes the photo');

/* Outputs */
/** An uploaded file (`POST /files` answers it); its bytes are at `GET /files/{id}`, an image's preview at `GET /files/{id}/preview`. */
export const fileOutput = z.object({
  id: z.string(),
  mediaType: z.enum(allowedFileTypes).describe('Detected from the bytes'),
  size: z.number().describe('Bytes'),
  sha256: z.string().describe('Hex SHA-256 of the bytes'),
  previewAvailable: z.boolean().describe('Images have a WebP preview within 512×512'),
  createdAt: instantOutput,
});
export type FileOutput = z.infer<typeof fileOutput>;

/** A profile photo (a patient's, a clinician's): its bytes and its WebP preview, for the same credentials. */
export const photoOutput = z.object({ fileId: z.string(), url: z.string(), previewUrl: z.string() }).nullable().describe('Null: no photo');
export type PhotoOutput = z.infer<typeof photoOutput>;
