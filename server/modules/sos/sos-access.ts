import type { FilterQuery } from '@mikro-orm/core';
import type { Actor } from '../../context.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import type { SosRequest } from './sos-request.entity.ts';

/**
 * Who sees which SOS: whoever sees the patient (patient-access.ts: the patient and guardians, the care
 * team, admins), and the clinicians it was sent to (on call, or everyone once escalated), who must be able
 * to read what they are asked to answer although the patient is not theirs.
 */
export function visibleSos(actor: Actor): FilterQuery<SosRequest> {
  if (actor.role !== 'clinician') return { patient: visiblePatients(actor) };
  return { $or: [{ patient: visiblePatients(actor) }, { routedTo: { $contains: [actor.userId] } }] };
}
