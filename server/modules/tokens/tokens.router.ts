import { createTokenInput, tokenIdInput } from '../../../shared/schemas/tokens.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.service.ts';

export const tokensRouter = router({
  list: authedProcedure.query(({ ctx }) => listApiTokens(ctx)),
  create: authedProcedure.input(createTokenInput).mutation(({ ctx, input }) => createApiToken(ctx, input)),
  revoke: authedProcedure.input(tokenIdInput).mutation(({ ctx, input }) => revokeApiToken(ctx, input)),
});
