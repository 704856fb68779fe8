import { z } from 'zod';
import { isoDateTime, text } from './common.ts';

/** The FHIR R4 resource types PAMS exports, in the order a bulk export writes them. */
export const fhirResourceTypes = [
  'Patient',
  'RelatedPerson',
  'AllergyIntolerance',
  'MedicationStatement',
  'Condition',
  'Observation',
  'Questionnaire',
  'QuestionnaireResponse',
  'Appointment',
  'CarePlan',
] as const;
export type FhirResourceType = (typeof fhirResourceTypes)[number];

/** One page of a bulk export of one resource type (FHIR Bulk Data: one NDJSON file per type). */
export const exportFhirInput = z.object({
  type: z.enum(fhirResourceTypes),
  /** Only resources created or changed at or after this instant (Bulk Data `_since`). */
  since: isoDateTime.optional(),
  cursor: text().max(200).optional(),
  limit: z.number().int().min(1).max(1000).default(500),
});
export type ExportFhirInput = z.infer<typeof exportFhirInput>;
