import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { v7 } from 'uuid';
import { loadConfig } from '../server/config.ts';
import { sealNote, sealPassage } from '../server/modules/notes/note-crypto.ts';
import { withClient } from './pg-client.ts';

/**
 * Reminder throughput: `items` plan items due now (one a patient, round the seeded patients, each with its
 * note), then `pams worker` processes against a local SMTP sink that counts messages. Timed from the
 * workers' start (their first sweep creates the day's deliveries) to the last email received; run with one
 * worker, then again (deliveries cleared) with two.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

export type ReminderRun = { workers: number; items: number; ms: number; perSecond: number };

export async function benchReminders({
  url,
  practiceId,
  encryptionKeys,
  items,
  log,
}: {
  url: string;
  practiceId: string;
  encryptionKeys: string;
  items: number;
  log: (line: string) => void;
}): Promise<ReminderRun[]> {
  // The notes the HTTP runs created have no LLM to go to here: keep their jobs out of this measurement.
  await withClient(url, async (c) => {
    await c.query(`delete from agenda_jobs where name = 'notes.extract'`);
    await c.query(`update note set extraction_state = 'failed', extraction_reason = 'bench: no LLM' where extraction_state = 'pending'`);
  });
  await seedPlanItems(url, practiceId, encryptionKeys, items);
  const runs: ReminderRun[] = [];
  for (const workers of [1, 2]) {
    await withClient(url, (c) => c.query('truncate reminder_delivery'));
    runs.push(await timeDelivery({ url, encryptionKeys, items, workers, log }));
  }
  return runs;
}

/** One note and one daily plan item at 00:00 (so due now) per patient, up to `items`; patients get an email address. */
async function seedPlanItems(url: string, practiceId: string, encryptionKeys: string, items: number) {
  const keys = loadConfig({ PAMS_ENCRYPTION_KEYS: encryptionKeys }).encryptionKeys;
  await withClient(url, async (c) => {
    const { rows: patients } = await c.query<{ id: string }>('select id from patient where practice_id = $1 order by id limit $2', [practiceId, items]);
    await c.query(`update patient set email = 'p' || left(id::text, 8) || right(id::text, 12) || '@bench.test' where practice_id = $1 and email is null`, [practiceId]);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10); // started already in every time zone
    const authorId = (await c.query<{ id: string }>(`select id from users where practice_id = $1 and role = 'clinician' limit 1`, [practiceId])).rows[0]!.id;
    for (let start = 0; start < items; start += 5000) {
      const notes: string[][] = [[], [], [], [], [], []];
      const steps: string[][] = [[], [], [], [], [], []];
      for (let i = start; i < Math.min(items, start + 5000); i++) {
        const patientId = patients[i % patients.length]!.id;
        const noteId = v7();
        const stepId = v7();
        const passage = 'Walk 30 minutes every day';
        const sealed = sealNote(keys, noteId, `Reviewed today.\n${passage}.`);
        [noteId, patientId, sealed.kekId, sealed.wrappedKey, sealed.bodyCiphertext, practiceId].forEach((v, k) => notes[k]!.push(v));
        [stepId, patientId, noteId, practiceId, sealPassage(sealed.dataKey, stepId, passage), yesterday].forEach((v, k) => steps[k]!.push(v));
      }
      await c.query(
        `insert into note (id, patient_id, kek_id, wrapped_key, body_ciphertext, practice_id, author_id, extraction_state, extraction_attempts, steps_created, steps_rejected, created_at, updated_at)
         select n.*, $7::uuid, 'done', 1, 1, 0, now(), now()
         from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[]) as n`,
        [...notes, authorId],
      );
      await c.query(
        `insert into step (id, patient_id, note_id, practice_id, provenance_ciphertext, start_date, kind, state, title, cadence, time_of_day, created_at, updated_at)
         select s.*, 'plan', 'active', 'Walk 30 minutes every day', 'daily', '00:00', now(), now()
         from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::date[]) as s`,
        steps,
      );
    }
    await c.query('analyze note; analyze step; analyze patient');
  });
}

async function timeDelivery({ url, encryptionKeys, items, workers, log }: { url: string; encryptionKeys: string; items: number; workers: number; log: (line: string) => void }): Promise<ReminderRun> {
  const sink = await startSmtpSink();
  const children: ChildProcess[] = [];
  const started = performance.now();
  try {
    for (let i = 0; i < workers; i++) {
      children.push(
        spawn(process.execPath, ['cli/pams.ts', 'worker'], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: url,
            PAMS_ENCRYPTION_KEYS: encryptionKeys,
            LOG_LEVEL: 'warn',
            NODE_ENV: 'development',
            // A pooled transport: a connection per message would measure TCP set-up, not PAMS.
            SMTP_URL: `${sink.url}?pool=true&maxConnections=5`,
            REMINDER_SWEEP_INTERVAL: '1 second',
          },
        }),
      );
    }
    let last = 0;
    while (sink.count() < items) {
      await new Promise((r) => setTimeout(r, 200));
      if (sink.count() - last >= items / 10 || sink.count() === items) log(`  ${workers} worker(s): ${sink.count().toLocaleString('en')} of ${items.toLocaleString('en')} reminders received`);
      if (sink.count() - last >= items / 10) last = sink.count();
      if (children.some((c) => c.exitCode !== null)) throw new Error('a worker exited during the reminder bench');
      if (performance.now() - started > 30 * 60_000) throw new Error('reminders not delivered within 30 minutes');
    }
    const ms = performance.now() - started;
    return { workers, items, ms, perSecond: (items * 1000) / ms };
  } finally {
    for (const child of children) {
      child.kill('SIGINT');
      if (child.exitCode === null) await once(child, 'exit');
    }
    await sink.close();
  }
}

/** Counts messages; keeps nothing. */
export async function startSmtpSink() {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        count++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, count: () => count, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function renderRemindersSection(runs: ReminderRun[], noteCreate: string): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `## Care loop

${noteCreate}

Reminder throughput: ${runs[0]!.items.toLocaleString('en')} daily plan items due now (one a patient, each with its encrypted note), delivered by
\`pams worker\` processes into a local SMTP sink (nodemailer with a pooled transport, 5 connections a worker).
Timed from the workers' start, whose first sweep creates the day's delivery rows (in-app and email), to the
last email received. The rows are cleared between the two runs.

| workers | reminders | time | reminders/s |
|---:|---:|---:|---:|
${runs.map((r) => `| ${r.workers} | ${r.items.toLocaleString('en')} | ${s(r.ms)} | ${Math.round(r.perSecond).toLocaleString('en')} |`).join('\n')}
`;
}
