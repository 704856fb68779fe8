import { updatePracticeInput } from '../../../shared/schemas/practices.ts';
import { adminProcedure, authedProcedure, router } from '../../trpc.ts';
import { getPractice, updatePractice } from './practices.service.ts';

export const practicesRouter = router({
  current: authedProcedure.query(({ ctx }) => getPractice(ctx)),
  update: adminProcedure.input(updatePracticeInput).mutation(({ ctx, input }) => updatePractice(ctx, input)),
});
