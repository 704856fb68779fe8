import type { IdInput } from '../../../shared/schemas/common.ts';
import type { ListMessagesInput, MarkMessagesReadInput, MessageContent, SendMessageInput } from '../../../shared/schemas/messages.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { visibleDocuments } from '../documents/document-access.ts';
import { Document } from '../documents/document.entity.ts';
import { publishNotifications } from '../notifications/publish-notifications.ts';
import { findWritablePatient } from '../patients/patient-access.ts';
import { audienceOf, findVisibleConversation, findWritableConversation, visibleConversations } from './conversation-access.ts';
import type { Conversation } from './conversation.entity.ts';
import { sealMessage } from './message-crypto.ts';
import { toMessageDto } from './message.dto.ts';
import { Message } from './message.entity.ts';
import { queueMessageMails } from './message-mail.service.ts';
import { conversationStats, markReadUpTo } from './message-reads.ts';

const sort = newestFirst('createdAt');

const audit = (ctx: AuthedCtx, action: string, m: Message, conversation: Conversation) =>
  recordAudit(ctx, { action: `message.${action}`, entityType: 'message', entityId: m.id, detail: { conversationId: conversation.id, patientId: conversation.patient.id } });

/**
 * Attachments must be documents of the conversation's patient that the sender may read, and none
 * staff-only in a conversation the patient reads.
 */
async function checkAttachments(ctx: AuthedCtx, conversation: Conversation, ids: readonly string[]) {
  const unique = [...new Set(ids)];
  if (!unique.length) return unique;
  const found = await ctx.em.count(Document, {
    $and: [{ id: { $in: unique }, patient: conversation.patient, deletedAt: null }, visibleDocuments(ctx.actor), conversation.kind === 'care-team' ? { staffOnly: false } : {}],
  });
  if (found !== unique.length) {
    const rule = conversation.kind === 'care-team' ? "documents of this patient's that you may read and that are not staff-only" : "documents of this patient's that you may read";
    throw new AppError('BAD_REQUEST', 'An attachment is not one this conversation may carry', null, { attachmentIds: [`must be ${rule}`] });
  }
  return unique;
}

/**
 * Posts a message in the caller's transaction (`ctx.em`): sealed, the conversation's activity moved on,
 * the sender's read mark moved to it, audited, its audience told live (publishNotifications, committed
 * with it) and queued an email each after the delay.
 */
export async function postMessage(ctx: AuthedCtx, conversation: Conversation, content: MessageContent, clientMessageId: string | null = null) {
  const { em, actor, clock, config } = ctx;
  const attachmentIds = await checkAttachments(ctx, conversation, content.attachmentIds ?? []);
  const id = newId();
  const now = clock.now();
  const message = em.create(Message, {
    id,
    practice: actor.practiceId,
    conversation,
    senderId: actor.userId,
    clientMessageId,
    ...sealMessage(config.encryptionKeys, id, content.body),
    attachmentIds,
    createdAt: now,
  });
  conversation.lastActivityAt = now;
  audit(ctx, 'sent', message, conversation);
  const audience = await publishNotifications(em, {
    kind: 'message.received',
    practiceId: actor.practiceId,
    patientId: conversation.patient.id,
    subject: { type: 'message', id },
    data: { conversationId: conversation.id, messageId: id },
    to: audienceOf(conversation),
    by: actor.userId,
  });
  await em.flush();
  await markReadUpTo(em, actor.userId, message);
  await queueMessageMails(em, { conversation, users: audience, dueAt: new Date(now.getTime() + config.messaging.mailDelayMs), now });
  return message;
}

/**
 * Sends a message. The conversation row is locked, so sends to it are serialised: a retry with the same
 * `clientMessageId` finds the first and answers it, sending nothing more. A merged patient's
 * conversations are read-only (findWritableConversation).
 */
export async function sendMessage(ctx: AuthedCtx, { conversationId, clientMessageId, ...content }: SendMessageInput) {
  const message = await ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const conversation = await findWritableConversation(em, ctx.actor, conversationId);
    const earlier = clientMessageId ? await em.findOne(Message, { senderId: ctx.actor.userId, clientMessageId }) : null;
    if (earlier && earlier.conversation.id !== conversation.id) throw new AppError('CONFLICT', 'This clientMessageId was used for another conversation');
    return earlier ?? postMessage(tx, conversation, content, clientMessageId);
  });
  return toMessageDto(ctx.config.encryptionKeys, message);
}

/** A conversation's messages, newest first (a chat opens on its latest and pages back), their bodies opened. Audited as one read. */
export async function listMessages(ctx: AuthedCtx, input: ListMessagesInput) {
  const conversation = await findVisibleConversation(ctx.em, ctx.actor, input.conversationId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(Message, { $and: [where, { conversation }] }, { orderBy, limit: input.limit + 1 });
  const page = toPage(rows, input.limit, sort, (m) => toMessageDto(ctx.config.encryptionKeys, m));
  await auditRead(ctx, {
    action: 'message.listed',
    entityType: 'conversation',
    entityId: conversation.id,
    detail: { patientId: conversation.patient.id, results: page.items.length },
  });
  return page;
}

/** Marks the conversation read up to a message of it (never back), and says what is still unread. */
export async function markMessagesRead(ctx: AuthedCtx, { conversationId, upToMessageId }: MarkMessagesReadInput) {
  const conversation = await findVisibleConversation(ctx.em, ctx.actor, conversationId);
  const message = await ctx.em.findOne(Message, { id: upToMessageId, conversation });
  if (!message) throw notFound('Message');
  await markReadUpTo(ctx.em, ctx.actor.userId, message);
  await auditRead(ctx, { action: 'message.read-marked', entityType: 'conversation', entityId: conversation.id, detail: { patientId: conversation.patient.id, upToMessageId } });
  return { unreadCount: (await conversationStats(ctx.em, ctx.actor.userId, [conversation.id])).get(conversation.id)!.unreadCount };
}

/**
 * The sender takes a message back within MESSAGE_RETRACT_MINUTES of sending it. The row and its
 * ciphertext stay (messages are immutable; the retraction is kept, audited); readers see only that it was
 * retracted, and those the message was for are told live (`message.retracted`).
 */
export async function retractMessage(ctx: AuthedCtx, { id }: IdInput) {
  const message = await ctx.em.findOne(Message, { id, conversation: visibleConversations(ctx.actor) }, { populate: ['conversation'] });
  if (!message) throw notFound('Message');
  const conversation = message.conversation;
  await findWritablePatient(ctx.em, ctx.actor, conversation.patient.id);
  if (message.senderId !== ctx.actor.userId) throw new AppError('FORBIDDEN', 'Only the sender may retract a message');
  if (!message.retractedAt) {
    const now = ctx.clock.now();
    if (now.getTime() - message.createdAt.getTime() > ctx.config.messaging.retractMs) {
      throw new AppError('CONFLICT', `A message may be retracted only within ${ctx.config.messaging.retractMs / 60_000} minutes of sending it`, 'retract-window-closed');
    }
    message.retractedAt = now;
    audit(ctx, 'retracted', message, conversation);
    await publishNotifications(ctx.em, {
      kind: 'message.retracted',
      practiceId: ctx.actor.practiceId,
      patientId: conversation.patient.id,
      subject: { type: 'message', id },
      data: { conversationId: conversation.id, messageId: id },
      to: audienceOf(conversation),
      by: ctx.actor.userId,
    });
    await ctx.em.flush();
  }
  return toMessageDto(ctx.config.encryptionKeys, message);
}
