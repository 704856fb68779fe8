import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { Patient } from './patient.entity.ts';

/** A patient portal account that may act for a dependent patient (a child, say). */
export const GuardianshipSchema = defineEntity({
  name: 'Guardianship',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    dependent: () => p.manyToOne(Patient).deleteRule('cascade'),
    guardian: () => p.manyToOne(User).index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['dependent', 'guardian'] }],
  filters: practiceFilter(),
});
export class Guardianship extends GuardianshipSchema.class {}
GuardianshipSchema.setClass(Guardianship);
