import type { ConversationOutput } from '../../../shared/schemas/conversations.ts';
import type { Conversation } from './conversation.entity.ts';

export type ConversationStats = { unreadCount: number; lastMessageAt: Date | null };

export function toConversationDto(c: Conversation, stats: ConversationStats): ConversationOutput {
  return {
    id: c.id,
    patientId: c.patient.id,
    kind: c.kind,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    lastMessageAt: stats.lastMessageAt?.toISOString() ?? null,
    unreadCount: stats.unreadCount,
  };
}
