import type { ChargeItem } from '@medplum/fhirtypes';
import type { ChargeStatus } from '../../../../shared/schemas/billing.ts';
import { compact, concept, type Exported, type FhirSource, instant, notes, patientRef, practitionerRef } from '../fhir-source.ts';
import { fhirMoney, pamsSystem } from './billing-money.ts';

type Row = {
  id: string;
  practice_id: string;
  patient_id: string;
  status: ChargeStatus;
  service_code: string;
  service_name: string;
  quantity: number;
  unit_price: number;
  currency: string;
  clinician_id: string | null;
  clinician_name: string | null;
  appointment_id: string | null;
  starts_at: string | null;
  void_reason: string | null;
  created_at: string;
  updated_at: string;
};

const statuses: Record<ChargeStatus, ChargeItem['status']> = { uninvoiced: 'billable', invoiced: 'billed', void: 'entered-in-error' };

/**
 * A charge as a ChargeItem: the service by its code (the practice's code system), the patient, when (the
 * visit's start for a visit's charge, else when it was made), how many, at the unit price it was made with
 * (priceOverride: the price then, which a later price change does not touch), the clinician who provided it
 * (a Practitioner) and the visit (supportingInformation: PAMS has no Encounter). Its discount is on the
 * Invoice line that bills it.
 */
export const chargeItemSource: FhirSource<Row> = {
  resourceType: 'ChargeItem',
  columns: `t.id, t.practice_id, t.patient_id, t.status, s.code as service_code, s.name as service_name, t.quantity, t.unit_price, pr.currency,
    t.clinician_id, coalesce(cp.display_name, u.name) as clinician_name, t.appointment_id, a.starts_at, t.void_reason, t.created_at, t.updated_at`,
  from: `charge t join service s on s.id = t.service_id join practice pr on pr.id = t.practice_id left join users u on u.id = t.clinician_id
    left join clinician_profile cp on cp.user_id = t.clinician_id left join appointment a on a.id = t.appointment_id where t.practice_id = ?`,
  ofPatient: 't.patient_id = ?',
  changedAt: 't.updated_at',
  toResource: (r): Exported<ChargeItem> =>
    compact({
      resourceType: 'ChargeItem',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      status: statuses[r.status],
      code: concept(r.service_name, { system: pamsSystem(r.practice_id, 'service'), code: r.service_code, display: r.service_name }),
      subject: patientRef(r.patient_id),
      occurrenceDateTime: instant(r.starts_at ?? r.created_at),
      performer: r.clinician_id ? [{ actor: practitionerRef(r.clinician_id, r.clinician_name) }] : undefined,
      enteredDate: instant(r.created_at),
      quantity: { value: r.quantity },
      priceOverride: fhirMoney(r.unit_price, r.currency),
      supportingInformation: r.appointment_id ? [{ reference: `Appointment/${r.appointment_id}` }] : undefined,
      note: notes(r.void_reason && `Void: ${r.void_reason}`),
    }),
};
