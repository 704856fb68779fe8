import type { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { User } from '../users/user.entity.ts';
import { AvailabilityException } from './availability-exception.entity.ts';
import { AvailabilityRule } from './availability-rule.entity.ts';
import { toWeeklyHours } from './availability.dto.ts';
import { fitsAvailability, type Availability, type Interval } from './free-slots.ts';

/** The practice filter keeps this to the caller's practice; only active clinicians have a schedule. */
export async function findClinician(em: EntityManager, id: string, lockMode?: LockMode): Promise<User> {
  const clinician = await em.findOne(User, { id, role: 'clinician', status: 'active' }, { lockMode });
  if (!clinician) throw notFound('Clinician');
  return clinician;
}

/** Admins manage every clinician's availability, a clinician only their own; they alone read the reasons for time off. */
export const managesSchedule = (actor: Actor, clinicianId: string): boolean => actor.role === 'admin' || actor.userId === clinicianId;

export function assertManagesSchedule(actor: Actor, clinicianId: string): void {
  if (!managesSchedule(actor, clinicianId)) throw new AppError('FORBIDDEN', 'Clinicians manage only their own availability');
}

/** The clinician's weekly hours, and their time off that overlaps `range` as the busy times. */
export async function loadAvailability(ctx: AuthedCtx, clinicianId: string, timeZone: string, range: Interval): Promise<Availability> {
  const rules = await ctx.em.find(AvailabilityRule, { clinician: clinicianId });
  const timeOff = await ctx.em.find(AvailabilityException, { clinician: clinicianId, startsAt: { $lt: range.end }, endsAt: { $gt: range.start } });
  return { timeZone, weeklyHours: rules.map(toWeeklyHours), busy: timeOff.map((e) => ({ start: e.startsAt, end: e.endsAt })) };
}

/** A visit is booked or moved only within the clinician's hours and outside their time off. */
export async function assertWithinAvailability(ctx: AuthedCtx, clinicianId: string, visit: Interval): Promise<void> {
  const availability = await loadAvailability(ctx, clinicianId, ctx.actor.identity.practice.timeZone, visit);
  if (!fitsAvailability(availability, visit)) {
    throw new AppError('BAD_REQUEST', "That time is outside the clinician's availability", 'outside-availability');
  }
}
