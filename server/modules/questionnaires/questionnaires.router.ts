import { questionnaireRefInput, seedQuestionnairesInput } from '../../../shared/schemas/questionnaires.ts';
import { adminProcedure, authedProcedure, router } from '../../trpc.ts';
import { getQuestionnaire, listQuestionBank, listQuestionnaires } from './questionnaires.service.ts';
import { seedQuestionnaires } from './seed.service.ts';

export const questionnairesRouter = router({
  list: authedProcedure.query(({ ctx }) => listQuestionnaires(ctx)),
  byKey: authedProcedure.input(questionnaireRefInput).query(({ ctx, input }) => getQuestionnaire(ctx, input)),
  bank: authedProcedure.query(({ ctx }) => listQuestionBank(ctx)),
  seed: adminProcedure.input(seedQuestionnairesInput).mutation(({ ctx, input }) => seedQuestionnaires(ctx, input)),
});
