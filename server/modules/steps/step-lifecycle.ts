import type { EntityManager } from '@mikro-orm/postgresql';
import { ReminderDelivery } from '../reminders/reminder-delivery.entity.ts';
import { Step } from './step.entity.ts';

/** Reminders not yet sent for these steps will not be: the steps ended first. */
export async function cancelUnsentReminders(em: EntityManager, where: { step: string } | { patient: string }): Promise<void> {
  await em.nativeUpdate(ReminderDelivery, { ...where, status: 'pending' }, { status: 'cancelled', leaseUntil: null });
}

/** Cancels every proposed or active step of a patient, and their unsent reminders; returns how many steps. */
export async function cancelPendingSteps(em: EntityManager, { patientId, by, reason, now }: { patientId: string; by: string; reason: string; now: Date }): Promise<number> {
  const cancelled = await em.nativeUpdate(
    Step,
    { patient: patientId, state: { $in: ['proposed', 'active'] } },
    { state: 'cancelled', cancelledAt: now, cancelledBy: by, cancelReason: reason, updatedAt: now },
  );
  if (cancelled) await cancelUnsentReminders(em, { patient: patientId });
  return cancelled;
}
