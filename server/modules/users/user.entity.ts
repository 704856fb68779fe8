import { defineEntity, p } from '@mikro-orm/core';
import { userRoles, userStatuses } from '../../../shared/enums.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice).index(),
    email: p.string().length(320).unique(),
    name: p.string().length(200).nullable(),
    role: p.enum(userRoles),
    status: p.enum(userStatuses),
    passwordHash: p.text().nullable().lazy(),
    /** The TOTP key, encrypted with PAMS_ENCRYPTION_KEYS; set at enrolment, live once `mfaEnabled`. */
    mfaSecret: p.text().nullable().lazy(),
    mfaEnabled: p.boolean().default(false),
    /** The TOTP time step (unix time / 30 s) of the last code accepted: each code works once, then only later ones. */
    totpLastStep: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  filters: practiceFilter(),
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);
