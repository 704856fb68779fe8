import { LockMode } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AddExceptionInput, ClinicianIdInput, SetWeeklyHoursInput } from '../../../shared/schemas/scheduling.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { AvailabilityException } from './availability-exception.entity.ts';
import { AvailabilityRule } from './availability-rule.entity.ts';
import { toDatabaseTime, toExceptionDto, toWeeklyHours } from './availability.dto.ts';
import { assertManagesSchedule, findClinician, managesSchedule } from './clinician-schedule.ts';

/** Replaces the clinician's weekly hours with `hours` (the input schema has refused overlaps). */
export async function setWeeklyHours(ctx: AuthedCtx, { clinicianId, hours }: SetWeeklyHoursInput) {
  assertManagesSchedule(ctx.actor, clinicianId);
  const byTime = [...hours].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  const rules = await ctx.em.transactional(async (em) => {
    // Locking the clinician serialises two replacements of one week, which would otherwise both delete
    // the old hours and then both insert, leaving the two new weeks merged.
    const clinician = await findClinician(em, clinicianId, LockMode.PESSIMISTIC_WRITE);
    await em.nativeDelete(AvailabilityRule, { clinician });
    const created = byTime.map((h) =>
      em.create(AvailabilityRule, { practice: ctx.actor.practiceId, clinician, weekday: h.weekday, startTime: toDatabaseTime(h.start), endTime: toDatabaseTime(h.end) }),
    );
    recordAudit({ ...ctx, em }, { action: 'availability.hours-set', entityType: 'user', entityId: clinicianId, detail: { stretches: hours.length } });
    return created;
  });
  return rules.map(toWeeklyHours);
}

/**
 * A clinician's weekly hours and the time off not yet over: what a scheduling screen shows. Any
 * clinician may read a colleague's (to book around it); the reasons only the clinician and admins.
 */
export async function listAvailability(ctx: AuthedCtx, { clinicianId }: ClinicianIdInput) {
  const clinician = await findClinician(ctx.em, clinicianId);
  const rules = await ctx.em.find(AvailabilityRule, { clinician }, { orderBy: { weekday: 'asc', startTime: 'asc' } });
  const timeOff = await ctx.em.find(AvailabilityException, { clinician, endsAt: { $gt: new Date() } }, { orderBy: { startsAt: 'asc', id: 'asc' } });
  return {
    clinicianId,
    timeZone: ctx.actor.identity.practice.timeZone,
    weeklyHours: rules.map(toWeeklyHours),
    exceptions: timeOff.map((e) => toExceptionDto(e, managesSchedule(ctx.actor, clinicianId))),
  };
}

/** Time off. Visits already booked in it stay: someone has to move or cancel them with the patient. */
export async function addException(ctx: AuthedCtx, { clinicianId, startsAt, endsAt, reason }: AddExceptionInput) {
  assertManagesSchedule(ctx.actor, clinicianId);
  const clinician = await findClinician(ctx.em, clinicianId);
  const exception = ctx.em.create(AvailabilityException, {
    practice: ctx.actor.practiceId,
    clinician,
    startsAt: new Date(startsAt),
    endsAt: new Date(endsAt),
    reason,
    createdBy: ctx.actor.userId,
  });
  recordAudit(ctx, { action: 'availability.exception-added', entityType: 'availability-exception', entityId: exception.id, detail: { clinicianId } });
  await ctx.em.flush();
  return toExceptionDto(exception, true); // assertManagesSchedule passed
}

export async function removeException(ctx: AuthedCtx, { id }: IdInput) {
  const exception = await ctx.em.findOne(AvailabilityException, { id });
  if (!exception) throw notFound('Time off');
  assertManagesSchedule(ctx.actor, exception.clinician.id);
  ctx.em.remove(exception);
  recordAudit(ctx, { action: 'availability.exception-removed', entityType: 'availability-exception', entityId: id, detail: { clinicianId: exception.clinician.id } });
  await ctx.em.flush();
  return { ok: true as const };
}
