import { z } from 'zod';
import { invitableRoles, inviteStatuses, userRoles } from '../enums.ts';
import { email, instantOutput, pageInput, pageOutput, password, personName, text } from './common.ts';

export const createInviteInput = z.object({ email, role: z.enum(invitableRoles) });
export type CreateInviteInput = z.infer<typeof createInviteInput>;

export const listInvitesInput = pageInput.extend({ status: z.enum(inviteStatuses).optional() });
export type ListInvitesInput = z.infer<typeof listInvitesInput>;

export const inviteTokenInput = z.object({ token: text().min(10).max(200) });
export type InviteTokenInput = z.infer<typeof inviteTokenInput>;

export const acceptInviteInput = inviteTokenInput.extend({ name: personName, password });
export type AcceptInviteInput = z.infer<typeof acceptInviteInput>;

export const inviteOutput = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(userRoles),
  status: z.enum(inviteStatuses),
  userId: z.string().nullable().describe('The invited account; null once a revoke removed it'),
  createdAt: instantOutput,
  expiresAt: instantOutput,
  acceptedAt: instantOutput.nullable(),
  revokedAt: instantOutput.nullable(),
});
export type InviteOutput = z.infer<typeof inviteOutput>;

export const invitePageOutput = pageOutput(inviteOutput);

/** An invite just mailed (created or resent). */
export const sentInviteOutput = inviteOutput.extend({
  mailSent: z.boolean().describe('False: the mail server failed; the invite exists, resend it later'),
});

/** What an accept page shows before the user sets a password. */
export const inviteLookupOutput = z.object({
  email: z.string(),
  role: z.enum(userRoles),
  practiceName: z.string(),
  expiresAt: instantOutput,
});

/** The new account's first session (also set as the session cookie). */
export const acceptedInviteOutput = z.object({
  token: z.string().describe('The session token, for `Authorization: Bearer`'),
  expiresAt: instantOutput,
  userId: z.string(),
});
