import { z } from 'zod';
import { invitableRoles, inviteStatuses } from '../enums.ts';
import { email, pageInput, password, personName, text } from './common.ts';

export const createInviteInput = z.object({ email, role: z.enum(invitableRoles) });
export type CreateInviteInput = z.infer<typeof createInviteInput>;

export const listInvitesInput = pageInput.extend({ status: z.enum(inviteStatuses).optional() });
export type ListInvitesInput = z.infer<typeof listInvitesInput>;

export const inviteTokenInput = z.object({ token: text().min(10).max(200) });
export type InviteTokenInput = z.infer<typeof inviteTokenInput>;

export const acceptInviteInput = inviteTokenInput.extend({ name: personName, password });
export type AcceptInviteInput = z.infer<typeof acceptInviteInput>;
