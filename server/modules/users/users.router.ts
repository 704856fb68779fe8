import { idInput } from '../../../shared/schemas/common.ts';
import { listUsersInput } from '../../../shared/schemas/users.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { deactivateUser, getUser, listUsers, reactivateUser } from './users.service.ts';

export const usersRouter = router({
  list: adminProcedure.input(listUsersInput).query(({ ctx, input }) => listUsers(ctx, input)),
  byId: adminProcedure.input(idInput).query(({ ctx, input }) => getUser(ctx, input)),
  deactivate: adminProcedure.input(idInput).mutation(({ ctx, input }) => deactivateUser(ctx, input)),
  reactivate: adminProcedure.input(idInput).mutation(({ ctx, input }) => reactivateUser(ctx, input)),
});
