import type { ReminderOutput } from '../../../shared/schemas/reminders.ts';
import type { ListRemindersInput } from '../../../shared/schemas/steps.ts';
import type { AuthedCtx } from '../../context.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead } from '../audit/audit.service.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import { ReminderDelivery } from './reminder-delivery.entity.ts';

const sort = newestFirst('createdAt');

function toReminderDto(d: ReminderDelivery): ReminderOutput {
  return {
    id: d.id,
    stepId: d.step.id,
    patientId: d.patient.id,
    title: d.step.title,
    localDay: d.localDay,
    channel: d.channel,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError ?? null,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? null,
  };
}

/**
 * The reminders: for a patient, their in-app list in the portal (newest first); for staff, the delivery
 * log of the patients they may see, every channel with its outcome.
 */
export async function listReminders(ctx: AuthedCtx, input: ListRemindersInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(
    ReminderDelivery,
    {
      $and: [where, { patient: visiblePatients(ctx.actor) }],
      ...(input.patientId && { patient: input.patientId }),
      ...(ctx.actor.role === 'patient' && { channel: 'in-app' as const }),
    },
    { populate: ['step'], orderBy, limit: input.limit + 1 },
  );
  const page = toPage(rows, input.limit, sort, toReminderDto);
  await auditRead(ctx, { action: 'reminder.listed', entityType: 'reminder', detail: { results: page.items.length, patientId: input.patientId ?? null } });
  return page;
}
