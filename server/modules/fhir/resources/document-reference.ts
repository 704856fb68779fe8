import type { DocumentReference } from '@medplum/fhirtypes';
import type { DocumentCategory } from '../../../../shared/enums.ts';
import { contentPath } from '../../files/file-names.ts';
import { compact, type Exported, type FhirSource, instant, patientRef } from '../fhir-source.ts';

type Row = {
  id: string;
  patient_id: string;
  title: string;
  category: DocumentCategory;
  created_at: string;
  uploaded_by_id: string;
  uploader_role: string;
  uploader_patient_id: string | null;
  file_id: string;
  media_type: string;
  size: string;
  sha1: string;
};

const categoryNames: Record<DocumentCategory, string> = {
  referral: 'Referral letter',
  result: 'Result',
  consent: 'Consent form',
  letter: 'Letter',
  image: 'Image',
  other: 'Other document',
};

/**
 * A patient's document (not deleted) as a DocumentReference: what it is as text, who uploaded it (a
 * Practitioner, or the Patient of the portal account), and its file as an attachment by URL, which the
 * same credentials download (`GET /files/{id}`), with its SHA-1 for checking.
 */
export const documentReferenceSource: FhirSource<Row> = {
  resourceType: 'DocumentReference',
  columns: `t.id, t.patient_id, t.title, t.category, t.created_at, t.uploaded_by_id, u.role as uploader_role,
    (select up.id from patient up where up.portal_user_id = t.uploaded_by_id) as uploader_patient_id, f.id as file_id, f.media_type, f.size, f.sha1`,
  from: 'document t join stored_file f on f.id = t.file_id join users u on u.id = t.uploaded_by_id where t.practice_id = ? and t.deleted_at is null',
  ofPatient: 't.patient_id = ?',
  changedAt: 't.created_at',
  toResource: (r, { appUrl }): Exported<DocumentReference> => {
    const author = r.uploader_role === 'patient' ? (r.uploader_patient_id ? patientRef(r.uploader_patient_id) : undefined) : { reference: `Practitioner/${r.uploaded_by_id}` };
    return compact({
      resourceType: 'DocumentReference',
      id: r.id,
      meta: { lastUpdated: instant(r.created_at) },
      status: 'current' as const,
      type: { text: categoryNames[r.category] },
      category: [{ text: r.category }],
      subject: patientRef(r.patient_id),
      date: instant(r.created_at),
      author: author ? [author] : undefined,
      description: r.title,
      content: [{ attachment: { contentType: r.media_type, size: Number(r.size), hash: r.sha1, title: r.title, creation: instant(r.created_at), url: `${appUrl}${contentPath(r.file_id)}` } }],
    });
  },
};
