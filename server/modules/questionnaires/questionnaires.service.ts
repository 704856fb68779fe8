import type { z } from 'zod';
import type { questionBankItemOutput, questionnaireOutput, questionnaireVersionOutput, QuestionnaireRefInput } from '../../../shared/schemas/questionnaires.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { QuestionBankItem } from './question-bank-item.entity.ts';
import { QuestionnaireVersion } from './questionnaire-version.entity.ts';
import { Questionnaire } from './questionnaire.entity.ts';

const toQuestionnaireDto = (q: Questionnaire): z.infer<typeof questionnaireOutput> => ({ id: q.id, key: q.key, title: q.title, latestVersion: q.latestVersion, builtIn: !q.practice });

/** The practice's questionnaires and the built-in ones (the tenant filter admits both). */
export async function listQuestionnaires(ctx: AuthedCtx) {
  const questionnaires = await ctx.em.find(Questionnaire, {}, { orderBy: { key: 'asc' } });
  return questionnaires.map(toQuestionnaireDto);
}

/** One version (default: the latest) with its full definition. */
export async function findQuestionnaireVersion(ctx: AuthedCtx, { key, version }: QuestionnaireRefInput) {
  const questionnaire = await ctx.em.findOne(Questionnaire, { key });
  if (!questionnaire) throw notFound('Questionnaire');
  const found = await ctx.em.findOne(QuestionnaireVersion, { questionnaire, version: version ?? questionnaire.latestVersion });
  if (!found) throw notFound('Questionnaire version');
  return found;
}

export async function getQuestionnaire(ctx: AuthedCtx, input: QuestionnaireRefInput): Promise<z.infer<typeof questionnaireVersionOutput>> {
  const v = await findQuestionnaireVersion(ctx, input);
  return { ...toQuestionnaireDto(v.questionnaire), version: v.version, versionId: v.id, createdAt: v.createdAt.toISOString(), definition: v.definition };
}

export async function listQuestionBank(ctx: AuthedCtx): Promise<z.infer<typeof questionBankItemOutput>[]> {
  const items = await ctx.em.find(QuestionBankItem, {}, { orderBy: { bank: 'asc', itemId: 'asc' } });
  return items.map((i) => ({ bank: i.bank, id: i.itemId, definition: i.definition, updatedAt: i.updatedAt.toISOString() }));
}
