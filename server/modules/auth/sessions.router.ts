import { revokeSessionInput, sessionListOutput } from '../../../shared/schemas/auth.ts';
import { okOutput } from '../../../shared/schemas/common.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { listSessions, revokeSession } from './auth.service.ts';

export const sessionsRouter = router({
  list: authedProcedure
    .meta({ allowWithoutMfa: true })
    .output(sessionListOutput)
    .query(({ ctx }) => listSessions(ctx)),
  revoke: authedProcedure
    .meta({ allowWithoutMfa: true })
    .input(revokeSessionInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => revokeSession(ctx, input)),
});
