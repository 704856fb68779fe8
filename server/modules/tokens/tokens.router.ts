import { apiTokenListOutput, apiTokenOutput, createdApiTokenOutput, createTokenInput, tokenIdInput } from '../../../shared/schemas/tokens.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.service.ts';

export const tokensRouter = router({
  list: authedProcedure.output(apiTokenListOutput).query(({ ctx }) => listApiTokens(ctx)),
  create: authedProcedure
    .input(createTokenInput)
    .output(createdApiTokenOutput)
    .mutation(({ ctx, input }) => createApiToken(ctx, input)),
  revoke: authedProcedure
    .input(tokenIdInput)
    .output(apiTokenOutput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx, input)),
});
