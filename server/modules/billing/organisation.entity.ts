import { defineEntity, p } from '@mikro-orm/core';
import type { z } from 'zod';
import { organisationKinds } from '../../../shared/schemas/billing.ts';
import type { address } from '../../../shared/schemas/patients.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/** A payer an invoice may be addressed to on a patient's behalf: an insurer, an employer. Archived, it stays for the invoices that name it. */
export const OrganisationSchema = defineEntity({
  name: 'Organisation',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    name: p.string().length(200),
    kind: p.enum(organisationKinds),
    address: p.json<z.infer<typeof address>>().nullable(),
    taxId: p.string().length(50).nullable(),
    email: p.string().length(320).nullable(),
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  filters: practiceFilter(),
});
export class Organisation extends OrganisationSchema.class {}
OrganisationSchema.setClass(Organisation);
