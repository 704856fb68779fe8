import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Service } from '../billing/service.entity.ts';
import { Practice } from '../practices/practice.entity.ts';

/** What can be booked and for how long. Retired types stay (past appointments point at them) but are inactive. */
export const AppointmentTypeSchema = defineEntity({
  name: 'AppointmentType',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    name: p.string().length(100),
    durationMinutes: p.smallint(),
    active: p.boolean().default(true),
    /** Patients may book it themselves in the portal (off: only staff book it). */
    bookableByPatients: p.boolean().default(false),
    /** What a completed visit of this type is charged as (billing), when the practice charges completed visits. */
    service: () => p.manyToOne(Service).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['practice', 'name'] }],
  checks: [{ name: 'appointment_type_duration_check', expression: 'duration_minutes >= 5 and duration_minutes <= 480' }],
  filters: practiceFilter(),
});
export class AppointmentType extends AppointmentTypeSchema.class {}
AppointmentTypeSchema.setClass(AppointmentType);
