import type { EntityManager } from '@mikro-orm/postgresql';
import type { CareRequestOutput } from '../../../shared/schemas/care-requests.ts';
import { ClinicianProfile } from '../clinicians/clinician-profile.entity.ts';
import type { CareRequest } from './care-request.entity.ts';

function toCareRequestDto(r: CareRequest, clinicianName: string): CareRequestOutput {
  const { id, givenName, familyName, birthDate } = r.patient;
  return {
    id: r.id,
    state: r.state,
    patient: { id, givenName, familyName, birthDate },
    clinician: { id: r.clinician.id, displayName: clinicianName },
    message: r.message ?? null,
    declineReason: r.declineReason ?? null,
    requestedBy: r.requestedBy,
    decidedBy: r.decidedBy ?? null,
    createdAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
  };
}

/** The requests as their readers see them: the patient as the clinician needs to know them, the clinician by their directory name. */
export async function toCareRequestDtos(em: EntityManager, requests: CareRequest[]): Promise<CareRequestOutput[]> {
  await em.populate(requests, ['patient', 'clinician']);
  const profiles = await em.find(ClinicianProfile, { user: { $in: [...new Set(requests.map((r) => r.clinician.id))] } });
  const displayNames = new Map(profiles.map((p) => [p.user.id, p.displayName]));
  return requests.map((r) => toCareRequestDto(r, displayNames.get(r.clinician.id) ?? r.clinician.name ?? ''));
}
