import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/** A questionnaire of a practice, or a built-in one (no practice) every practice sees. */
export const QuestionnaireSchema = defineEntity({
  name: 'Questionnaire',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice).nullable().deleteRule('cascade'),
    key: p.string().length(64),
    title: p.string().length(200),
    latestVersion: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ name: 'questionnaire_practice_key_unique', expression: 'create unique index "questionnaire_practice_key_unique" on "questionnaire" ("practice_id", "key") nulls not distinct' }],
  filters: practiceFilter('practice', { withShared: true }),
});
export class Questionnaire extends QuestionnaireSchema.class {}
QuestionnaireSchema.setClass(Questionnaire);
