import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AcceptInviteInput, CreateInviteInput, InviteOutput, InviteTokenInput, ListInvitesInput } from '../../../shared/schemas/invites.ts';
import { hashPassword } from '../../auth/password.ts';
import { generateSecretToken, parseSecretToken, secretMatches } from '../../auth/secret-token.ts';
import { createSession } from '../../auth/session.ts';
import type { UserRole } from '../../../shared/enums.ts';
import type { AuthedCtx, Ctx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Patient } from '../patients/patient.entity.ts';
import { User } from '../users/user.entity.ts';
import { Invite } from './invite.entity.ts';

const sort = newestFirst('createdAt');

function toInviteDto(invite: Invite, now: Date): InviteOutput {
  return {
    id: invite.id,
    email: invite.email,
    role: invite.role,
    status: invite.statusAt(now),
    userId: invite.user?.id ?? null,
    createdAt: invite.createdAt.toISOString(),
    expiresAt: invite.expiresAt.toISOString(),
    acceptedAt: invite.acceptedAt?.toISOString() ?? null,
    revokedAt: invite.revokedAt?.toISOString() ?? null,
  };
}

/**
 * The invite is committed before the mail goes out. If the mail server fails, the answer says so
 * (`mailSent: false`) instead of failing a call whose invite exists: the admin resends it later.
 */
async function sendInviteMail(ctx: Ctx, invite: Invite, token: string, practiceName: string): Promise<boolean> {
  return ctx.mailer
    .send({
      to: invite.email,
      subject: `You are invited to ${practiceName} on PAMS`,
      text: [
        invite.role === 'patient'
          ? `${practiceName} invites you to its patient portal on PAMS.`
          : `You have been invited to join ${practiceName} on PAMS as ${invite.role === 'admin' ? 'an admin' : 'a clinician'}.`,
        `Accept the invite by ${invite.expiresAt.toUTCString()}:`,
        '',
        `${ctx.config.appUrl}/invite?token=${token}`,
        '',
        `Or from a terminal: pams invites accept ${token} --url ${ctx.config.appUrl} --name "Your Name"`,
      ].join('\n'),
    })
    .then(
      () => true,
      (err: Error & { code?: string }) => {
        ctx.log.warn({ inviteId: invite.id, err: { name: err.name, code: err.code } }, 'invite mail not sent');
        return false;
      },
    );
}

/** An admin invites a clinician or another admin. */
export async function createInvite(ctx: AuthedCtx, input: CreateInviteInput) {
  return issueInvite(ctx, input);
}

/**
 * The account exists from now on, as `invited`: it cannot log in until the invite is accepted. A patient
 * invite carries the Patient whose portal account it becomes.
 */
export async function issueInvite(ctx: AuthedCtx, { email, role, patient = null }: { email: string; role: UserRole; patient?: Patient | null }) {
  const taken = await ctx.em.count(User, { email }, { filters: false });
  if (taken) throw new AppError('CONFLICT', 'That email already has an account', 'email-taken');
  const { id: tokenId, token, secretHash } = generateSecretToken();
  const user = ctx.em.create(User, { practice: ctx.actor.practiceId, email, role, status: 'invited' });
  const invite = ctx.em.create(Invite, {
    practice: ctx.actor.practiceId,
    user,
    email,
    role,
    patient,
    invitedBy: ctx.actor.userId,
    tokenId,
    secretHash,
    expiresAt: new Date(ctx.clock.now().getTime() + ctx.config.inviteTtlMs),
  });
  recordAudit(ctx, { action: 'invite.created', entityType: 'invite', entityId: invite.id, detail: { role } });
  await ctx.em.flush();
  const mailSent = await sendInviteMail(ctx, invite, token, (await ctx.em.populate(invite, ['practice'])).practice.name);
  return { ...toInviteDto(invite, ctx.clock.now()), mailSent };
}

export async function listInvites(ctx: AuthedCtx, input: ListInvitesInput) {
  const now = ctx.clock.now();
  const byStatus = {
    pending: { acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } },
    accepted: { acceptedAt: { $ne: null } },
    revoked: { acceptedAt: null, revokedAt: { $ne: null } },
    expired: { acceptedAt: null, revokedAt: null, expiresAt: { $lte: now } },
  } as const;
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(Invite, { ...where, ...(input.status && byStatus[input.status]) }, { orderBy, limit: input.limit + 1 });
  return toPage(rows, input.limit, sort, (i) => toInviteDto(i, now));
}

/** A new token and a fresh expiry; the old link stops working. Pending or expired invites only. */
export async function resendInvite(ctx: AuthedCtx, { id }: IdInput) {
  const invite = await ctx.em.findOne(Invite, { id }, { populate: ['practice'] });
  if (!invite) throw notFound('Invite');
  assertOpen(invite);
  const { id: tokenId, token, secretHash } = generateSecretToken();
  Object.assign(invite, { tokenId, secretHash, expiresAt: new Date(ctx.clock.now().getTime() + ctx.config.inviteTtlMs) });
  recordAudit(ctx, { action: 'invite.resent', entityType: 'invite', entityId: invite.id });
  await ctx.em.flush();
  const mailSent = await sendInviteMail(ctx, invite, token, invite.practice.name);
  return { ...toInviteDto(invite, ctx.clock.now()), mailSent };
}

/** The never-activated account goes with the invite, so the email can be invited again. */
export async function revokeInvite(ctx: AuthedCtx, { id }: IdInput) {
  const invite = await ctx.em.findOne(Invite, { id }, { populate: ['user'] });
  if (!invite) throw notFound('Invite');
  assertOpen(invite);
  invite.revokedAt = ctx.clock.now();
  if (invite.user?.status === 'invited') {
    ctx.em.remove(invite.user);
    invite.user = null;
  }
  recordAudit(ctx, { action: 'invite.revoked', entityType: 'invite', entityId: invite.id });
  await ctx.em.flush();
  return toInviteDto(invite, ctx.clock.now());
}

function assertOpen(invite: Invite) {
  if (invite.acceptedAt) throw new AppError('CONFLICT', 'This invite was already accepted', 'invite-accepted');
  if (invite.revokedAt) throw new AppError('CONFLICT', 'This invite was revoked', 'invite-revoked');
}

/** Finds the invite a token opens, checking it is still usable. Tenant filters are off: no one is logged in. */
async function openInvite(ctx: Ctx, token: string) {
  const parsed = parseSecretToken(token);
  const invite = parsed && (await ctx.em.findOne(Invite, { tokenId: parsed.id }, { populate: ['practice', 'user', 'patient'], filters: false }));
  if (!parsed || !invite || !secretMatches(parsed.secret, invite.secretHash)) {
    throw new AppError('NOT_FOUND', 'This invite link is not valid', 'invite-invalid');
  }
  assertOpen(invite);
  if (invite.expiresAt <= ctx.clock.now()) throw new AppError('CONFLICT', 'This invite has expired: ask for a new one', 'invite-expired');
  return invite;
}

/** What an accept page shows before the user sets a password. */
export async function lookupInvite(ctx: Ctx, { token }: InviteTokenInput) {
  const invite = await openInvite(ctx, token);
  return { email: invite.email, role: invite.role, practiceName: invite.practice.name, expiresAt: invite.expiresAt.toISOString() };
}

/** Single use: activates the account, sets its name and password, and starts a session. */
export async function acceptInvite(ctx: Ctx, { token, name, password }: AcceptInviteInput) {
  const passwordHash = await hashPassword(password);
  const accepted = await ctx.em.transactional(async (em) => {
    const invite = await openInvite({ ...ctx, em }, token);
    const claimed = await em.nativeUpdate(Invite, { id: invite.id, acceptedAt: null }, { acceptedAt: ctx.clock.now() }, { filters: false });
    if (!claimed || !invite.user) throw new AppError('CONFLICT', 'This invite was already accepted', 'invite-accepted');
    // Two portal invites may be out for one patient (to different emails): the first accepted wins.
    if (invite.patient?.portalUser) throw new AppError('CONFLICT', 'This patient already has a portal account', 'portal-account-exists');
    Object.assign(invite.user, { name, passwordHash, status: 'active' });
    if (invite.patient) invite.patient.portalUser = invite.user;
    const { session, token: sessionToken } = createSession(em, invite.user, ctx, false);
    recordAudit({ ...ctx, em }, { action: 'invite.accepted', practiceId: invite.practice.id, actorId: invite.user.id, entityType: 'invite', entityId: invite.id });
    return { token: sessionToken, expiresAt: session.expiresAt, userId: invite.user.id };
  });
  ctx.cookie.set(accepted.token, accepted.expiresAt);
  return { ...accepted, expiresAt: accepted.expiresAt.toISOString() };
}
