import { z } from 'zod';
import { documentCategories } from '../enums.ts';
import { instantOutput, pageInput, pageOutput, text, uuid } from './common.ts';
import { fileOutput } from './files.ts';

/**
 * A patient's documents (referral letters, scanned results, consent forms): a file uploaded first
 * (`POST /files`), then claimed for a patient with a title and a category. Staff may mark one staff-only,
 * which the patient and their guardians then do not see; deleting is soft and for staff only.
 */
export const createDocumentInput = z.object({
  patientId: uuid,
  fileId: uuid.describe('An upload of your own (POST /files) that nothing has claimed yet'),
  title: text().trim().min(1, 'is required').max(200),
  category: z.enum(documentCategories),
  staffOnly: z.boolean().optional().describe('Staff only: hidden from the patient and their guardians'),
});
export type CreateDocumentInput = z.infer<typeof createDocumentInput>;

export const listDocumentsInput = pageInput.extend({
  patientId: uuid,
  category: z.enum(documentCategories).optional(),
  includeDeleted: z.boolean().optional().describe('Staff only: deleted documents too'),
});
export type ListDocumentsInput = z.infer<typeof listDocumentsInput>;

export const deleteDocumentInput = z.object({ id: uuid, reason: text().trim().min(1, 'is required').max(500) });
export type DeleteDocumentInput = z.infer<typeof deleteDocumentInput>;

/* Outputs */
export const documentOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  title: z.string(),
  category: z.enum(documentCategories),
  staffOnly: z.boolean().describe('Always false for patients and guardians, who see no staff-only document'),
  file: fileOutput,
  contentUrl: z.string().describe('The bytes: GET it with the same credentials'),
  previewUrl: z.string().nullable().describe("An image's WebP preview; null for a PDF"),
  uploadedBy: z.string().describe('The id of the user who uploaded it'),
  createdAt: instantOutput,
  deletedAt: instantOutput.nullable(),
  deletionReason: z.string().nullable(),
});
export type DocumentOutput = z.infer<typeof documentOutput>;
export const documentPageOutput = pageOutput(documentOutput);
