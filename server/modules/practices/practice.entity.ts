import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';

export const PracticeSchema = defineEntity({
  name: 'Practice',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    name: p.string().length(200),
    timeZone: p.string().length(64).default('UTC'),
    mfaRequired: p.boolean().default(false),
    /** Hold care steps extracted from notes as proposed until a clinician accepts them (off: they start at once). */
    reviewExtractedSteps: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Practice extends PracticeSchema.class {}
PracticeSchema.setClass(Practice);
