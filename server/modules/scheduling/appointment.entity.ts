import { defineEntity, p } from '@mikro-orm/core';
import { DateTime } from 'luxon';
import { appointmentStatuses, bookingChannels, type AppointmentStatus } from '../../../shared/schemas/scheduling.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { AppointmentType } from './appointment-type.entity.ts';

/** Where a visit may go next. A booked visit is still open; every other status but `arrived` is final. */
const nextStatuses: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  booked: ['arrived', 'completed', 'no-show', 'cancelled'],
  arrived: ['completed'],
  completed: [],
  cancelled: [],
  'no-show': [],
};

/** Only an exclusion constraint is safe against concurrent bookings; a cancelled visit frees its time. */
const noOverlap = (column: string) => `exclude using gist (${column} with =, tstzrange(starts_at, ends_at) with &&) where (status <> 'cancelled')`;

export const AppointmentSchema = defineEntity({
  name: 'Appointment',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    clinician: () => p.manyToOne(User),
    patient: () => p.manyToOne(Patient).deleteRule('cascade'),
    type: () => p.manyToOne(AppointmentType),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    status: p.enum(appointmentStatuses).default('booked'),
    cancelReason: p.string().length(500).nullable(),
    bookedBy: p.uuid(),
    bookedVia: p.enum(bookingChannels).default('staff'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['practice', 'startsAt', 'id'] }, { properties: ['clinician', 'startsAt', 'id'] }, { properties: ['patient', 'startsAt', 'id'] }],
  checks: [
    { name: 'appointment_time_order_check', expression: 'starts_at < ends_at' },
    { name: 'appointment_clinician_no_overlap', expression: noOverlap('clinician_id') },
    { name: 'appointment_patient_no_overlap', expression: noOverlap('patient_id') },
  ],
  filters: practiceFilter(),
});

/** What happened at a visit, marked by staff: arrived, completed or a no-show. */
export type VisitOutcome = 'arrived' | 'completed' | 'no-show';

export class Appointment extends AppointmentSchema.class {
  /** Moves the visit along its lifecycle. Asking for the status it has already changes nothing (a retry). */
  transitionTo(status: AppointmentStatus): void {
    const current: AppointmentStatus = this.status;
    if (current === status) return;
    if (!nextStatuses[current].includes(status)) {
      throw new AppError('CONFLICT', `A ${this.status} appointment cannot be marked ${status}`, 'invalid-transition');
    }
    this.status = status;
  }

  /**
   * Marks what happened, never ahead of time: arrived or completed from the start of the visit's day in
   * the practice's time zone, a no-show once the visit has started.
   */
  mark(outcome: VisitOutcome, now: Date, timeZone: string): void {
    const current: AppointmentStatus = this.status;
    // Only a real move is timed: transitionTo answers a retry (nothing changes) and a move not allowed.
    if (current !== outcome && nextStatuses[current].includes(outcome)) {
      const start = DateTime.fromJSDate(this.startsAt, { zone: timeZone });
      const rule =
        outcome === 'no-show'
          ? { from: start, words: `marked a no-show only once it has started (${start.toFormat('yyyy-MM-dd HH:mm')}, ${timeZone})` }
          : { from: start.startOf('day'), words: `marked ${outcome} only on or after its day (${start.toISODate()}, ${timeZone})` };
      if (now < rule.from.toJSDate()) throw new AppError('CONFLICT', `A visit can be ${rule.words}`, 'too-early');
    }
    this.transitionTo(outcome);
  }

  /** A retried cancel keeps the first reason. */
  cancel(reason: string): void {
    if (this.status === 'cancelled') return;
    this.transitionTo('cancelled');
    this.cancelReason = reason;
  }

  /** Only a booked visit moves; it keeps its length, even if its type's duration has changed since. */
  reschedule(startsAt: Date): void {
    if (this.status !== 'booked') throw new AppError('CONFLICT', `A ${this.status} appointment cannot be rescheduled`, 'invalid-transition');
    const length = this.endsAt.getTime() - this.startsAt.getTime();
    this.startsAt = startsAt;
    this.endsAt = new Date(startsAt.getTime() + length);
  }
}
AppointmentSchema.setClass(Appointment);
