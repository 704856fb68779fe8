import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AlertOutput, ListAlertsInput } from '../../../shared/schemas/assessments.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import { Alert } from './alert.entity.ts';

const sort = newestFirst('createdAt');

const toAlertDto = (a: Alert): AlertOutput => ({
  id: a.id,
  patientId: a.patient.id,
  assessmentId: a.assessment.id,
  code: a.code,
  label: a.label,
  createdAt: a.createdAt.toISOString(),
  acknowledgedBy: a.acknowledgedBy ?? null,
  acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
});

/** Alerts of the patients the caller cares for (every patient, for an admin), open ones by default. */
export async function listAlerts(ctx: AuthedCtx, input: ListAlertsInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(
    Alert,
    {
      $and: [where, { patient: visiblePatients(ctx.actor) }],
      acknowledgedAt: input.acknowledged ? { $ne: null } : null,
      ...(input.patientId && { patient: input.patientId }),
    },
    { orderBy, limit: input.limit + 1 },
  );
  const page = toPage(rows, input.limit, sort, toAlertDto);
  await auditRead(ctx, { action: 'alert.listed', entityType: 'alert', detail: { results: page.items.length } });
  return page;
}

export async function acknowledgeAlert(ctx: AuthedCtx, { id }: IdInput) {
  const alert = await ctx.em.findOne(Alert, { id, patient: visiblePatients(ctx.actor) });
  if (!alert) throw notFound('Alert');
  if (!alert.acknowledgedAt) {
    Object.assign(alert, { acknowledgedBy: ctx.actor.userId, acknowledgedAt: new Date() });
    recordAudit(ctx, { action: 'alert.acknowledged', entityType: 'alert', entityId: id, detail: { patientId: alert.patient.id } });
    await ctx.em.flush();
  }
  return toAlertDto(alert);
}
