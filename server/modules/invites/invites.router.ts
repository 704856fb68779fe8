import { idInput } from '../../../shared/schemas/common.ts';
import {
  acceptedInviteOutput,
  acceptInviteInput,
  createInviteInput,
  inviteLookupOutput,
  inviteOutput,
  invitePageOutput,
  inviteTokenInput,
  listInvitesInput,
  sentInviteOutput,
} from '../../../shared/schemas/invites.ts';
import { adminProcedure, publicProcedure, router } from '../../trpc.ts';
import { acceptInvite, createInvite, listInvites, lookupInvite, resendInvite, revokeInvite } from './invites.service.ts';

export const invitesRouter = router({
  create: adminProcedure
    .input(createInviteInput)
    .output(sentInviteOutput)
    .mutation(({ ctx, input }) => createInvite(ctx, input)),
  list: adminProcedure
    .input(listInvitesInput)
    .output(invitePageOutput)
    .query(({ ctx, input }) => listInvites(ctx, input)),
  resend: adminProcedure
    .input(idInput)
    .output(sentInviteOutput)
    .mutation(({ ctx, input }) => resendInvite(ctx, input)),
  revoke: adminProcedure
    .input(idInput)
    .output(inviteOutput)
    .mutation(({ ctx, input }) => revokeInvite(ctx, input)),
  lookup: publicProcedure
    .input(inviteTokenInput)
    .output(inviteLookupOutput)
    .query(({ ctx, input }) => lookupInvite(ctx, input)),
  accept: publicProcedure
    .input(acceptInviteInput)
    .output(acceptedInviteOutput)
    .mutation(({ ctx, input }) => acceptInvite(ctx, input)),
});
