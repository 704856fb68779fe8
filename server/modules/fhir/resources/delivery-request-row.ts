import type { Address } from '@medplum/fhirtypes';
import type { DeliveryRequestStatus } from '../../../../shared/schemas/deliveries.ts';
import { compact } from '../fhir-source.ts';

/**
 * A row of delivery_request, as its two resources select it: the request (MedicationRequest) and its
 * fulfilment (Task). `by_patient`: the patient asked, not a guardian.
 */
export type DeliveryRequestRow = {
  id: string;
  patient_id: string;
  medication_id: string;
  medication: { name: string; code?: { system: string; code: string; display?: string } };
  quantity: number;
  address: { lines: string[]; city: string; region?: string; postalCode?: string; country: string };
  note: string | null;
  status: DeliveryRequestStatus;
  courier: string | null;
  tracking_reference: string | null;
  reason: string | null;
  by_patient: boolean;
  requester_name: string | null;
  created_at: string;
  updated_at: string;
  dispatched_at: string | null;
  ended_at: string | null;
};

const eventAt = (statuses: string) => `(select max(e.at) from delivery_event e where e.delivery_id = t.id and e.status in (${statuses}))`;

export const deliveryRequestColumns = `t.id, t.patient_id, t.medication_id, m.data as medication, t.quantity, t.address, t.note, t.status, t.courier, t.tracking_reference,
  t.reason, t.requested_by = p.portal_user_id as by_patient, u.name as requester_name, t.created_at, t.updated_at,
  ${eventAt("'dispatched'")} as dispatched_at, ${eventAt("'delivered', 'failed'")} as ended_at`;

export const deliveryRequestsFrom =
  'delivery_request t join clinical_record m on m.id = t.medication_id join patient p on p.id = t.patient_id join users u on u.id = t.requested_by where t.practice_id = ?';

export const fhirAddress = (a: DeliveryRequestRow['address']): Address => compact({ line: a.lines, city: a.city, state: a.region, postalCode: a.postalCode, country: a.country });
