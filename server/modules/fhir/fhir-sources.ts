import type { FhirSource } from './fhir-source.ts';
import { allergyIntoleranceSource } from './resources/allergy-intolerance.ts';
import { appointmentSource } from './resources/appointment.ts';
import { assessmentObservationSource } from './resources/assessment-observation.ts';
import { carePlanSource } from './resources/care-plan.ts';
import { chargeItemSource } from './resources/charge-item.ts';
import { conditionSource } from './resources/condition.ts';
import { documentReferenceSource } from './resources/document-reference.ts';
import { invoiceSource } from './resources/invoice.ts';
import { medicationRequestSource } from './resources/medication-request.ts';
import { medicationStatementSource } from './resources/medication-statement.ts';
import { observationSource } from './resources/observation.ts';
import { organizationSource } from './resources/organization.ts';
import { patientSource } from './resources/patient.ts';
import { paymentReconciliationSource } from './resources/payment-reconciliation.ts';
import { practitionerRoleSource } from './resources/practitioner-role.ts';
import { practitionerSource } from './resources/practitioner.ts';
import { questionnaireResponseSource } from './resources/questionnaire-response.ts';
import { questionnaireSource } from './resources/questionnaire.ts';
import { relatedPersonSource } from './resources/related-person.ts';
import { taskSource } from './resources/task.ts';

/**
 * Every source of exported resources, listed by hand. A new resource type is one file in resources/,
 * one line here and its name in `fhirResourceTypes` (shared/schemas/fhir.ts).
 */
export const fhirSources: readonly FhirSource[] = [
  patientSource,
  relatedPersonSource,
  practitionerSource,
  practitionerRoleSource,
  allergyIntoleranceSource,
  medicationStatementSource,
  conditionSource,
  observationSource,
  assessmentObservationSource,
  questionnaireSource,
  questionnaireResponseSource,
  appointmentSource,
  carePlanSource,
  medicationRequestSource,
  taskSource,
  documentReferenceSource,
  organizationSource,
  chargeItemSource,
  invoiceSource,
  paymentReconciliationSource,
];
