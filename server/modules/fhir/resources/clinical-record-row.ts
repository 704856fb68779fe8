/** A row of clinical_record, as every record kind's source selects it. */
export type ClinicalRecordRow<Data> = { id: string; patient_id: string; status: string; data: Data; created_at: string; updated_at: string };

export const clinicalRecordColumns = 't.id, t.patient_id, t.status, t.data, t.created_at, t.updated_at';
export const clinicalRecordsOf = (kind: string) => `clinical_record t where t.practice_id = ? and t.kind = '${kind}'`;
