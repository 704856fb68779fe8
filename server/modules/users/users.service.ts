import { LockMode } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { ListUsersInput } from '../../../shared/schemas/users.ts';
import { invalidateUserSessions } from '../../auth/session.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { Practice } from '../practices/practice.entity.ts';
import { revokeUserTokens } from '../tokens/tokens.service.ts';
import { toUserDto } from './user.dto.ts';
import { User } from './user.entity.ts';

const sort = newestFirst('createdAt');

export async function listUsers(ctx: AuthedCtx, input: ListUsersInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(User, { ...where, ...(input.role && { role: input.role }), ...(input.status && { status: input.status }) }, { orderBy, limit: input.limit + 1 });
  return toPage(rows, input.limit, sort, toUserDto);
}

export async function getUser(ctx: AuthedCtx, { id }: IdInput) {
  const user = await ctx.em.findOne(User, { id });
  if (!user) throw notFound('User');
  return toUserDto(user);
}

export async function deactivateUser(ctx: AuthedCtx, { id }: IdInput) {
  if (id === ctx.actor.userId) throw new AppError('CONFLICT', 'You cannot deactivate yourself', 'self-action');
  return ctx.em.transactional(async (em) => {
    // Lock the practice row: concurrent deactivations must not remove the last two admins at once.
    await em.findOneOrFail(Practice, { id: ctx.actor.practiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const user = await em.findOne(User, { id });
    if (!user) throw notFound('User');
    if (user.status === 'deactivated') return toUserDto(user);
    // Accepting the invite would activate the account again: an invite is stopped by revoking it.
    if (user.status === 'invited') throw new AppError('CONFLICT', 'An invited user has no access yet: revoke the invite instead');
    if (user.role === 'admin' && user.status === 'active') {
      const admins = await em.count(User, { role: 'admin', status: 'active' });
      if (admins <= 1) throw new AppError('CONFLICT', 'The last active admin cannot be deactivated', 'last-admin');
    }
    user.status = 'deactivated';
    await invalidateUserSessions(em, user.id);
    await revokeUserTokens(em, user.id);
    recordAudit({ ...ctx, em }, { action: 'user.deactivated', entityType: 'user', entityId: user.id });
    return toUserDto(user);
  });
}

export async function reactivateUser(ctx: AuthedCtx, { id }: IdInput) {
  const user = await ctx.em.findOne(User, { id });
  if (!user) throw notFound('User');
  if (user.status === 'invited') throw new AppError('CONFLICT', 'An invited user becomes active by accepting the invite');
  if (user.status === 'deactivated') {
    user.status = 'active';
    recordAudit(ctx, { action: 'user.reactivated', entityType: 'user', entityId: user.id });
    await ctx.em.flush();
  }
  return toUserDto(user);
}
