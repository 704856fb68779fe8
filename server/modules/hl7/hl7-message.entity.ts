import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * An HL7 v2 message that was applied, by its control id (MSH-10): the same id again is acknowledged
 * but not applied twice. Only accepted messages are kept; a rejected one writes nothing.
 */
export const Hl7MessageSchema = defineEntity({
  name: 'Hl7Message',
  tableName: 'hl7_message',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    controlId: p.string().length(199),
    /** MSH-9 as received, e.g. ADT^A01. */
    messageType: p.string().length(40),
    patientId: p.uuid().nullable(),
    receivedAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['practice', 'controlId'] }],
  filters: practiceFilter(),
});
export class Hl7Message extends Hl7MessageSchema.class {}
Hl7MessageSchema.setClass(Hl7Message);
