import { idInput } from '../../../shared/schemas/common.ts';
import { listUsersInput, userOutput, userPageOutput } from '../../../shared/schemas/users.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { deactivateUser, getUser, listUsers, reactivateUser } from './users.service.ts';

export const usersRouter = router({
  list: adminProcedure
    .input(listUsersInput)
    .output(userPageOutput)
    .query(({ ctx, input }) => listUsers(ctx, input)),
  byId: adminProcedure
    .input(idInput)
    .output(userOutput)
    .query(({ ctx, input }) => getUser(ctx, input)),
  deactivate: adminProcedure
    .input(idInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => deactivateUser(ctx, input)),
  reactivate: adminProcedure
    .input(idInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => reactivateUser(ctx, input)),
});
