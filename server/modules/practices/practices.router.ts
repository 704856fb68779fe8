import { practiceSettingsOutput, updatedPracticeOutput, updatePracticeInput } from '../../../shared/schemas/practices.ts';
import { adminProcedure, authedProcedure, router } from '../../trpc.ts';
import { getPractice, updatePractice } from './practices.service.ts';

export const practicesRouter = router({
  current: authedProcedure.output(practiceSettingsOutput).query(({ ctx }) => getPractice(ctx)),
  update: adminProcedure
    .input(updatePracticeInput)
    .output(updatedPracticeOutput)
    .mutation(({ ctx, input }) => updatePractice(ctx, input)),
});
