import type { DeliveryOutput } from '../../../shared/schemas/deliveries.ts';
import type { DeliveryRequest } from './delivery-request.entity.ts';

/** A request with its medication and events loaded. */
export function toDeliveryDto(d: DeliveryRequest): DeliveryOutput {
  return {
    id: d.id,
    patientId: d.patient.id,
    medicationId: d.medication.id,
    medicationName: String(d.medication.data.name),
    quantity: d.quantity,
    address: d.address,
    note: d.note ?? null,
    status: d.status,
    courier: d.courier ?? null,
    trackingReference: d.trackingReference ?? null,
    reason: d.reason ?? null,
    requestedBy: d.requestedBy,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    history: d.events.getItems().map((e) => ({ status: e.status, at: e.at.toISOString(), by: e.by, reason: e.reason ?? null })),
  };
}
