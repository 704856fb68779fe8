import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { auditRead } from '../audit/audit.service.ts';
import { ClinicianProfile } from '../clinicians/clinician-profile.entity.ts';
import { findVisibleDocument } from '../documents/document-access.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import { Patient } from '../patients/patient.entity.ts';
import { StoredFile } from './stored-file.entity.ts';

/**
 * The patient whose file it is (null for an upload nobody has claimed, or a clinician's photo), if the
 * actor may read it; NOT_FOUND otherwise. Who may read a file follows what claimed it: an unclaimed upload
 * only its uploader; a document's file whoever may see the document; a patient's photo whoever may see the
 * patient; a clinician's photo anyone at the practice (the tenant filter keeps it there).
 */
async function readableFor(ctx: AuthedCtx, file: StoredFile): Promise<{ patientId: string | null } | null> {
  const { em, actor } = ctx;
  switch (file.purpose) {
    case null:
      return file.uploadedBy.id === actor.userId ? { patientId: null } : null;
    case 'document': {
      const document = await findVisibleDocument(em, actor, { file: file.id }).catch(() => null);
      return document && { patientId: document.patient.id };
    }
    case 'patient-photo': {
      const patient = await em.findOne(Patient, { $and: [{ photoFile: file.id }, visiblePatients(actor)] }, { fields: ['id'] });
      return patient && { patientId: patient.id };
    }
    case 'clinician-photo':
      return (await em.count(ClinicianProfile, { photoFile: file.id })) ? { patientId: null } : null;
    default:
      return null;
  }
}

/** The file, if the actor may read it; NOT_FOUND otherwise. Every read is audited, under the patient's id when it is theirs. */
export async function findReadableFile(ctx: AuthedCtx, id: string): Promise<StoredFile> {
  const file = await ctx.em.findOne(StoredFile, { id, releasedAt: null });
  const readable = file && (await readableFor(ctx, file));
  if (!file || !readable) throw notFound('File');
  await auditRead(
    ctx,
    readable.patientId ? { action: 'file.read', entityType: 'patient', entityId: readable.patientId, detail: { fileId: id } } : { action: 'file.read', entityType: 'file', entityId: id },
  );
  return file;
}
