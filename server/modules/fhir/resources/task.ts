import type { Task, TaskOutput } from '@medplum/fhirtypes';
import type { DeliveryRequestStatus } from '../../../../shared/schemas/deliveries.ts';
import { compact, type Exported, type FhirSource, instant, patientRef } from '../fhir-source.ts';
import { deliveryRequestColumns, deliveryRequestsFrom, fhirAddress, type DeliveryRequestRow } from './delivery-request-row.ts';

/** Our statuses are Task's, one for one: approval is acceptance, dispatch is progress. */
const statuses: Record<DeliveryRequestStatus, Task['status']> = {
  requested: 'requested',
  approved: 'accepted',
  declined: 'rejected',
  dispatched: 'in-progress',
  delivered: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * The fulfilment of a delivery request (the MedicationRequest of the same id) as a Task of code
 * `fulfill`: its status, the address as input, the courier and tracking reference as outputs, and
 * from dispatch to delivery (or failure) as the execution period.
 */
export const taskSource: FhirSource<DeliveryRequestRow> = {
  resourceType: 'Task',
  columns: deliveryRequestColumns,
  from: deliveryRequestsFrom,
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Exported<Task> => {
    const output: TaskOutput[] = [];
    if (r.courier) output.push({ type: { text: 'Courier' }, valueString: r.courier });
    if (r.tracking_reference) output.push({ type: { text: 'Tracking reference' }, valueString: r.tracking_reference });
    return compact({
      resourceType: 'Task',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      status: statuses[r.status],
      statusReason: r.reason && (r.status === 'declined' || r.status === 'failed' || r.status === 'cancelled') ? { text: r.reason } : undefined,
      businessStatus: { text: r.status },
      intent: 'order' as const,
      code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill', display: 'Fulfill the focal request' }] },
      focus: { reference: `MedicationRequest/${r.id}` },
      for: patientRef(r.patient_id),
      authoredOn: instant(r.created_at),
      lastModified: instant(r.updated_at),
      executionPeriod: r.dispatched_at ? compact({ start: instant(r.dispatched_at), end: r.ended_at ? instant(r.ended_at) : undefined }) : undefined,
      input: [{ type: { text: 'Delivery address' }, valueAddress: fhirAddress(r.address) }],
      output,
    });
  },
};
