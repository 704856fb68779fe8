import type { StepOutput } from '../../../shared/schemas/steps.ts';
import type { Step } from './step.entity.ts';

export function toStepDto(s: Step, provenance: string): StepOutput {
  return {
    id: s.id,
    patientId: s.patient.id,
    noteId: s.note.id,
    kind: s.kind,
    state: s.state,
    title: s.title,
    provenance,
    schedule: s.kind === 'plan' ? { cadence: s.cadence!, startDate: s.startDate!, endDate: s.endDate ?? null, count: s.count ?? null, timeOfDay: s.timeOfDay! } : null,
    doneAt: s.doneAt?.toISOString() ?? null,
    doneBy: s.doneBy ?? null,
    cancelledAt: s.cancelledAt?.toISOString() ?? null,
    cancelReason: s.cancelReason ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
