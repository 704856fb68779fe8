import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobDeps } from '../../jobs.ts';
import { drainMailOutbox, type MailOutbox } from '../../mail-outbox.ts';
import type { Mail } from '../../mailer.ts';
import { newId } from '../../ids.ts';
import { pgArray } from '../../pg-array.ts';
import { executePrepared } from '../../prepared-statements.ts';
import { userMayReadSql } from './conversation-access.ts';
import type { Conversation } from './conversation.entity.ts';
import { hasUnreadSql } from './message-reads.ts';

const messageOutbox: MailOutbox = {
  table: 'message_mail',
  alias: 'mm',
  status: 'status',
  sentAt: 'sent_at',
  nextAttemptAt: 'next_attempt_at',
  attempts: 'attempts',
  lastError: 'last_error',
  job: 'messaging.send-mails',
  kind: 'new-message',
};

/**
 * An email due at `dueAt` for each of `users` about the conversation, unless one is pending for them
 * already (its partial unique index): however many messages arrive meanwhile, one email. A message after
 * that email has gone queues the next, one delay later, so one conversation mails one user at most once per delay.
 */
export async function queueMessageMails(em: EntityManager, { conversation, users, dueAt, now }: { conversation: Conversation; users: string[]; dueAt: Date; now: Date }) {
  if (!users.length) return;
  await executePrepared(
    em,
    `insert into message_mail (id, practice_id, conversation_id, user_id, status, attempts, next_attempt_at, created_at)
     select v.id, ?, ?, v.user_id, 'pending', 0, ?, ? from unnest(?::uuid[], ?::uuid[]) as v(id, user_id)
     on conflict (conversation_id, user_id) where status = 'pending' do nothing`,
    [conversation.practice.id, conversation.id, dueAt, now, pgArray(users.map(() => newId())), pgArray(users)],
  );
}

type Claimed = { id: string; attempts: number; conversation_id: string; role: string; email: string | null; may_read: boolean; unread: boolean; practice_name: string };

/**
 * Sends the due "new message" emails (drainMailOutbox: claimed by lease, retried). Each is checked when it
 * falls due: one whose recipient has read the conversation since is settled `read` and not sent; one whose
 * account is gone, or who may no longer read the conversation, `skipped`.
 */
export async function sendMessageMails({ orm, clock, mailer, log, config }: Pick<JobDeps, 'orm' | 'clock' | 'mailer' | 'log' | 'config'>): Promise<{ sent: number; failed: number }> {
  const conn = orm.em.fork().getConnection();
  return drainMailOutbox(
    { conn, clock, log },
    messageOutbox,
    {
      from: 'conversation c, patient p, users u, practice pr',
      on: 'c.id = mm.conversation_id and p.id = c.patient_id and u.id = mm.user_id and pr.id = mm.practice_id',
      returning: `mm.conversation_id, u.role, case when u.status = 'active' then u.email end as email,
                  ${userMayReadSql} as may_read, ${hasUnreadSql} as unread, pr.name as practice_name`,
    },
    async (row: Claimed) => {
      if (!row.email || !row.may_read) return 'skipped';
      if (!row.unread) return 'read';
      await mailer.send(newMessageMail({ ...row, email: row.email }, config.appUrl));
      return 'sent';
    },
  );
}

/**
 * "You have a new message", and a link to the conversation: in the portal for a patient, in the app for
 * staff. Nothing of the message, the patient or the sender: mail passes through servers outside the
 * practice, and the link asks the reader to log in.
 */
function newMessageMail(row: Claimed & { email: string }, appUrl: string): Mail {
  const link = row.role === 'patient' ? `${appUrl}/portal/messages/${row.conversation_id}` : `${appUrl}/messages/${row.conversation_id}`;
  const text = [
    `You have a new message from ${row.practice_name}.`,
    '',
    'Read it here (you will be asked to log in):',
    link,
    '',
    'For your privacy this email does not say who wrote or what it says.',
  ].join('\n');
  return { to: row.email, subject: 'You have a new message', text };
}
