import {
  questionBankOutput,
  questionnaireListOutput,
  questionnaireRefInput,
  questionnaireVersionOutput,
  seedQuestionnairesInput,
  seedQuestionnairesOutput,
} from '../../../shared/schemas/questionnaires.ts';
import { adminProcedure, authedProcedure, router } from '../../trpc.ts';
import { getQuestionnaire, listQuestionBank, listQuestionnaires } from './questionnaires.service.ts';
import { seedQuestionnaires } from './seed.service.ts';

export const questionnairesRouter = router({
  list: authedProcedure.output(questionnaireListOutput).query(({ ctx }) => listQuestionnaires(ctx)),
  byKey: authedProcedure
    .input(questionnaireRefInput)
    .output(questionnaireVersionOutput)
    .query(({ ctx, input }) => getQuestionnaire(ctx, input)),
  bank: authedProcedure.output(questionBankOutput).query(({ ctx }) => listQuestionBank(ctx)),
  seed: adminProcedure
    .input(seedQuestionnairesInput)
    .output(seedQuestionnairesOutput)
    .mutation(({ ctx, input }) => seedQuestionnaires(ctx, input)),
});
