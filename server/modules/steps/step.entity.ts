import { defineEntity, p } from '@mikro-orm/core';
import { cadences, stepKinds, stepStates } from '../../../shared/schemas/steps.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Note } from '../notes/note.entity.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * A checklist item (one-off) or a plan item (an action on a schedule, reminded daily until check-in),
 * extracted from a note. Its provenance, the note's passage it came from, is encrypted under the note's
 * data key like the note itself.
 */
export const StepSchema = defineEntity({
  name: 'Step',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    note: () => p.manyToOne(Note),
    kind: p.enum(stepKinds),
    state: p.enum(stepStates),
    title: p.string().length(300),
    provenanceCiphertext: p.text(),
    cadence: p.enum(cadences).nullable(),
    startDate: p.date().nullable(),
    /** Inclusive; for a plan given as a count, the date of the last occurrence. */
    endDate: p.date().nullable(),
    count: p.integer().nullable(),
    /** HH:MM in the patient's time zone. */
    timeOfDay: p.string().length(5).nullable(),
    /**
     * A plan item's bookmark for the reminders sweep: when its next reminder falls due. Null asks the sweep
     * to work it out (a new item, or one whose schedule, state or patient's time zone changed: the
     * migration's triggers clear it); an item past its end date is parked at NO_MORE_REMINDERS.
     */
    nextReminderAt: p.datetime().nullable(),
    doneAt: p.datetime().nullable(),
    doneBy: p.uuid().nullable(),
    cancelledAt: p.datetime().nullable(),
    cancelledBy: p.uuid().nullable(),
    cancelReason: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [
    { properties: ['patient', 'state', 'createdAt', 'id'] },
    { properties: ['practice', 'createdAt', 'id'] },
    /** The sweep's walk: only the active plan items whose bookmark is unset or due. */
    { name: 'step_reminder_due_idx', expression: `create index "step_reminder_due_idx" on "step" ("next_reminder_at") where "kind" = 'plan' and "state" = 'active'` },
    { name: 'step_active_plan_idx', expression: `create index "step_active_plan_idx" on "step" ("patient_id") where "kind" = 'plan' and "state" = 'active'` },
  ],
  filters: practiceFilter(),
});
export class Step extends StepSchema.class {}
StepSchema.setClass(Step);
