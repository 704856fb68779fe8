import type { CreateConversationInput, ListConversationsInput } from '../../../shared/schemas/conversations.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { keyset, toPage, type SortKey } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { findVisiblePatient, findWritablePatient } from '../patients/patient-access.ts';
import { visibleConversations } from './conversation-access.ts';
import { Conversation } from './conversation.entity.ts';
import { toConversationDto } from './conversation.dto.ts';
import { toMessageDto } from './message.dto.ts';
import { conversationStats } from './message-reads.ts';
import { postMessage } from './messages.service.ts';

const sort: SortKey[] = [{ field: 'lastActivityAt', dir: 'desc', date: true }];

/**
 * Begins a conversation about a patient the caller may see, with its first message if given, in one
 * transaction. Staff-only conversations are for staff: a patient may not begin one.
 */
export async function createConversation(ctx: AuthedCtx, { patientId, kind, firstMessage }: CreateConversationInput) {
  if (kind === 'staff' && ctx.actor.role === 'patient') throw new AppError('FORBIDDEN', 'Only staff may begin a staff conversation');
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    await findWritablePatient(em, ctx.actor, patientId);
    const now = ctx.clock.now();
    const conversation = em.create(Conversation, { id: newId(), practice: ctx.actor.practiceId, patient: patientId, kind, createdBy: ctx.actor.userId, createdAt: now, lastActivityAt: now });
    recordAudit(tx, { action: 'conversation.created', entityType: 'conversation', entityId: conversation.id, detail: { patientId, kind } });
    await em.flush();
    const message = firstMessage ? await postMessage(tx, conversation, firstMessage) : null;
    return {
      ...toConversationDto(conversation, { unreadCount: 0, lastMessageAt: message?.createdAt ?? null }),
      firstMessage: message && toMessageDto(ctx.config.encryptionKeys, message),
    };
  });
}

/** The conversations the caller may read (of one patient, or all), latest activity first, each with the caller's unread count. Audited. */
export async function listConversations(ctx: AuthedCtx, input: ListConversationsInput) {
  if (input.patientId) await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(Conversation, { $and: [where, visibleConversations(ctx.actor), input.patientId ? { patient: input.patientId } : {}] }, { orderBy, limit: input.limit + 1 });
  const stats = await conversationStats(
    ctx.em,
    ctx.actor.userId,
    rows.map((c) => c.id),
  );
  const page = toPage(rows, input.limit, sort, (c) => toConversationDto(c, stats.get(c.id)!));
  await auditRead(ctx, {
    action: 'conversation.listed',
    entityType: input.patientId ? 'patient' : 'conversation',
    ...(input.patientId && { entityId: input.patientId }),
    detail: { results: page.items.length, patients: [...new Set(page.items.map((c) => c.patientId))].join(',') },
  });
  return page;
}
