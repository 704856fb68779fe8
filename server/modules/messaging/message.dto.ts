import type { MessageOutput } from '../../../shared/schemas/messages.ts';
import type { Config } from '../../config.ts';
import { openMessageBody } from './message-crypto.ts';
import type { Message } from './message.entity.ts';

/** A message as its readers see it: once retracted, that it was, and neither its body nor its attachments. */
export function toMessageDto(keys: Config['encryptionKeys'], m: Message): MessageOutput {
  const retracted = Boolean(m.retractedAt);
  return {
    id: m.id,
    conversationId: m.conversation.id,
    senderId: m.senderId,
    body: retracted ? null : openMessageBody(keys, m),
    attachmentIds: retracted ? [] : m.attachmentIds,
    retracted,
    retractedAt: m.retractedAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}
