import { sosNotice, type SosOutput } from '../../../shared/schemas/sos.ts';
import type { Config } from '../../config.ts';
import { openOutcomeNote, openSosDetail } from './sos-crypto.ts';
import type { SosRequest } from './sos-request.entity.ts';

/** A request as its reader sees it, opened; the resolving note is for staff. Every answer carries the emergency number and the notice. */
export function toSosDto(keys: Config['encryptionKeys'], sos: SosRequest, { emergencyNumber, staff }: { emergencyNumber: string; staff: boolean }): SosOutput {
  const detail = openSosDetail(keys, sos);
  return {
    id: sos.id,
    patientId: sos.patient.id,
    raisedBy: sos.raisedBy,
    text: detail.text,
    location: detail.location && { latitude: detail.location.latitude, longitude: detail.location.longitude, accuracy: detail.location.accuracy ?? null },
    callbackPhone: detail.callbackPhone,
    status: sos.status,
    acknowledgedBy: sos.acknowledgedBy ?? null,
    acknowledgedAt: sos.acknowledgedAt?.toISOString() ?? null,
    resolvedBy: sos.resolvedBy ?? null,
    resolvedAt: sos.resolvedAt?.toISOString() ?? null,
    outcome: sos.outcome ?? null,
    outcomeNote: staff && sos.outcomeNoteCiphertext ? openOutcomeNote(keys, sos, sos.outcomeNoteCiphertext) : null,
    escalationStep: sos.escalationStep,
    createdAt: sos.createdAt.toISOString(),
    emergencyNumber,
    notice: sosNotice(emergencyNumber),
  };
}
