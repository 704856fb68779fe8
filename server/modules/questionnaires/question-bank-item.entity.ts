import { defineEntity, p } from '@mikro-orm/core';
import type { QuestionItem } from '../../../shared/schemas/questionnaires.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/** A reusable item of a practice's question bank; questionnaires refer to it by `ref: <item id>`. */
export const QuestionBankItemSchema = defineEntity({
  name: 'QuestionBankItem',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    bank: p.string().length(64),
    itemId: p.string().length(64),
    definition: p.json<QuestionItem>(),
    contentHash: p.string().length(64),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['practice', 'itemId'] }],
  filters: practiceFilter(),
});
export class QuestionBankItem extends QuestionBankItemSchema.class {}
QuestionBankItemSchema.setClass(QuestionBankItem);
