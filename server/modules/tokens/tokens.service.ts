import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiTokenOutput, CreateTokenInput, TokenIdInput } from '../../../shared/schemas/tokens.ts';
import { generateSecretToken } from '../../auth/secret-token.ts';
import { API_TOKEN_PREFIX } from '../../auth/session.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { ApiToken } from './api-token.entity.ts';

function toApiTokenDto(t: ApiToken): ApiTokenOutput {
  return {
    id: t.id,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/** The token's secret is in the answer once; only its hash is kept. It acts with its user's role. */
export async function createApiToken(ctx: AuthedCtx, input: CreateTokenInput) {
  const { id, token, secretHash } = generateSecretToken(API_TOKEN_PREFIX);
  const expiresAt = input.expiresInDays ? new Date(ctx.clock.now().getTime() + input.expiresInDays * 86_400_000) : null;
  const apiToken = ctx.em.create(ApiToken, { id, user: ctx.actor.userId, name: input.name, secretHash, expiresAt });
  recordAudit(ctx, { action: 'token.created', entityType: 'api-token', entityId: id });
  await ctx.em.flush();
  return { token, apiToken: toApiTokenDto(apiToken) };
}

export async function listApiTokens(ctx: AuthedCtx) {
  const tokens = await ctx.em.find(ApiToken, { user: ctx.actor.userId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  return tokens.map(toApiTokenDto);
}

export async function revokeApiToken(ctx: AuthedCtx, { id }: TokenIdInput) {
  const apiToken = await ctx.em.findOne(ApiToken, { id, user: ctx.actor.userId });
  if (!apiToken) throw notFound('Token');
  if (!apiToken.revokedAt) {
    apiToken.revokedAt = new Date();
    recordAudit(ctx, { action: 'token.revoked', entityType: 'api-token', entityId: id });
    await ctx.em.flush();
  }
  return toApiTokenDto(apiToken);
}

export async function revokeUserTokens(em: EntityManager, userId: string): Promise<void> {
  await em.nativeUpdate(ApiToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
}
