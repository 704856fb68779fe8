import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../pg-array.ts';
import { executePrepared } from '../../prepared-statements.ts';
import type { ConversationStats } from './conversation.dto.ts';
import type { Message } from './message.entity.ts';

/** Others' messages after the user's read mark, retracted ones not counted: SQL over `message m`, with the user's mark joined as `r`. */
const unreadBy = (user: string) => `m.sender_id <> ${user} and m.retracted_at is null and (r.user_id is null or (m.created_at, m.id) > (r.last_read_at, r.last_read_message_id))`;

/** For each conversation: how many messages the user has not read, and when the latest was sent. */
export async function conversationStats(em: EntityManager, userId: string, conversationIds: string[]): Promise<Map<string, ConversationStats>> {
  const rows = await em.execute<{ conversation_id: string; unread: number; last_message_at: string | Date | null }[]>(
    `select m.conversation_id, (count(*) filter (where ${unreadBy('?')}))::int as unread, max(m.created_at) as last_message_at
     from message m left join conversation_read r on r.conversation_id = m.conversation_id and r.user_id = ?
     where m.conversation_id = any(?::uuid[])
     group by m.conversation_id`,
    [userId, userId, pgArray(conversationIds)],
  );
  const stats = new Map(rows.map((r) => [r.conversation_id, { unreadCount: r.unread, lastMessageAt: r.last_message_at ? new Date(r.last_message_at) : null }]));
  return new Map(conversationIds.map((id) => [id, stats.get(id) ?? { unreadCount: 0, lastMessageAt: null }]));
}

/** Moves the user's read mark of the message's conversation up to it; never back. */
export async function markReadUpTo(em: EntityManager, userId: string, message: Message): Promise<void> {
  await executePrepared(
    em,
    `insert into conversation_read (conversation_id, user_id, practice_id, last_read_at, last_read_message_id) values (?, ?, ?, ?, ?)
     on conflict (conversation_id, user_id) do update set last_read_at = excluded.last_read_at, last_read_message_id = excluded.last_read_message_id
     where (conversation_read.last_read_at, conversation_read.last_read_message_id) < (excluded.last_read_at, excluded.last_read_message_id)`,
    [message.conversation.id, userId, message.practice.id, message.createdAt, message.id],
  );
}

/** Whether user `u` has a message of conversation `c` still unread, as SQL: the mail job asks when an email falls due. */
export const hasUnreadSql = `exists (select 1 from message m left join conversation_read r on r.conversation_id = m.conversation_id and r.user_id = u.id
  where m.conversation_id = c.id and ${unreadBy('u.id')})`;
