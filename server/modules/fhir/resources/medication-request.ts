import type { MedicationRequest } from '@medplum/fhirtypes';
import type { DeliveryRequestStatus } from '../../../../shared/schemas/deliveries.ts';
import { compact, concept, type Exported, type FhirSource, instant, notes, patientRef } from '../fhir-source.ts';
import { deliveryRequestColumns, deliveryRequestsFrom, type DeliveryRequestRow } from './delivery-request-row.ts';

/** The request stands until it is delivered; declined or cancelled it was withdrawn before any supply, failed it was halted. */
const statuses: Record<DeliveryRequestStatus, MedicationRequest['status']> = {
  requested: 'active',
  approved: 'active',
  dispatched: 'active',
  delivered: 'completed',
  declined: 'cancelled',
  cancelled: 'cancelled',
  failed: 'stopped',
};

/**
 * A patient's delivery request as a MedicationRequest of intent `proposal`: the patient (or guardian)
 * asks without the authority to order, for a supply (dispenseRequest.quantity) of a medication the record
 * already holds (supportingInformation: its MedicationStatement). Where it stands is its Task (task.ts).
 */
export const medicationRequestSource: FhirSource<DeliveryRequestRow> = {
  resourceType: 'MedicationRequest',
  columns: deliveryRequestColumns,
  from: deliveryRequestsFrom,
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Exported<MedicationRequest> =>
    compact({
      resourceType: 'MedicationRequest',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      status: statuses[r.status],
      statusReason: (r.status === 'declined' || r.status === 'cancelled') && r.reason ? { text: r.reason } : undefined,
      intent: 'proposal' as const,
      medicationCodeableConcept: concept(r.medication.name, r.medication.code),
      subject: patientRef(r.patient_id),
      supportingInformation: [{ reference: `MedicationStatement/${r.medication_id}` }],
      authoredOn: instant(r.created_at),
      requester: r.by_patient ? patientRef(r.patient_id) : { display: r.requester_name ? `${r.requester_name} (guardian)` : 'Guardian' },
      note: notes(r.note),
      dispenseRequest: { quantity: { value: r.quantity } },
    }),
};
