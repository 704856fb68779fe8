import { idInput } from '../../../shared/schemas/common.ts';
import { acceptInviteInput, createInviteInput, inviteTokenInput, listInvitesInput } from '../../../shared/schemas/invites.ts';
import { adminProcedure, publicProcedure, router } from '../../trpc.ts';
import { acceptInvite, createInvite, listInvites, lookupInvite, resendInvite, revokeInvite } from './invites.service.ts';

export const invitesRouter = router({
  create: adminProcedure.input(createInviteInput).mutation(({ ctx, input }) => createInvite(ctx, input)),
  list: adminProcedure.input(listInvitesInput).query(({ ctx, input }) => listInvites(ctx, input)),
  resend: adminProcedure.input(idInput).mutation(({ ctx, input }) => resendInvite(ctx, input)),
  revoke: adminProcedure.input(idInput).mutation(({ ctx, input }) => revokeInvite(ctx, input)),
  lookup: publicProcedure.input(inviteTokenInput).query(({ ctx, input }) => lookupInvite(ctx, input)),
  accept: publicProcedure.input(acceptInviteInput).mutation(({ ctx, input }) => acceptInvite(ctx, input)),
});
