import { revokeSessionInput } from '../../../shared/schemas/auth.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { listSessions, revokeSession } from './auth.service.ts';

export const sessionsRouter = router({
  list: authedProcedure.meta({ allowWithoutMfa: true }).query(({ ctx }) => listSessions(ctx)),
  revoke: authedProcedure
    .meta({ allowWithoutMfa: true })
    .input(revokeSessionInput)
    .mutation(({ ctx, input }) => revokeSession(ctx, input)),
});
