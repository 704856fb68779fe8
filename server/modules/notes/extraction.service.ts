import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { calendarDate } from '../../../shared/schemas/common.ts';
import { stepTitle, type Schedule } from '../../../shared/schemas/steps.ts';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config.ts';
import { newId } from '../../ids.ts';
import type { Logger } from '../../logger.ts';
import type { Orm } from '../../orm.ts';
import { practiceEm } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Step } from '../steps/step.entity.ts';
import { endDateOf } from '../steps/schedule.ts';
import { ExtractionError, extractSteps, passageInNote, type Extraction } from './extraction.ts';
import { noteDataKey, openNoteBody, sealPassage } from './note-crypto.ts';
import { Note } from './note.entity.ts';

export type ExtractionDeps = { orm: Orm; config: Config; clock: Clock; log: Logger };

/** Tells Agenda when to try again; the note already says why the attempt failed. */
export class RetryExtractionLater extends Error {
  readonly delayMs: number;
  constructor(reason: string, delayMs: number) {
    super(reason);
    this.name = 'RetryExtractionLater';
    this.delayMs = delayMs;
  }
}

/** Exponential backoff from LLM_RETRY_DELAY_MS, capped at an hour. */
const retryDelay = (config: Config, attempt: number) => Math.min(config.llm.retryDelayMs * 2 ** (attempt - 1), 3_600_000);

/**
 * One extraction attempt for a pending note. The attempt is claimed with a lease, so a duplicate job or
 * a second worker leaves it alone; a worker that dies mid-call leaves a lease that expires, and the
 * requeue sweep starts the note again. The note stays saved whatever the LLM does.
 */
export async function runExtraction({ orm, config, clock, log }: ExtractionDeps, { noteId, practiceId }: { noteId: string; practiceId: string }) {
  // A job: no one is logged in; it acts as the system, on the note's practice only.
  const em = practiceEm(orm.em, practiceId);
  const now = clock.now();
  const lease = new Date(now.getTime() + config.llm.timeoutMs + 30_000);
  const claimed = await em.getConnection().execute(
    `update note set extraction_lease_until = ?, extraction_attempts = extraction_attempts + 1
     where id = ? and practice_id = ? and extraction_state = 'pending' and (extraction_lease_until is null or extraction_lease_until < ?) returning id`,
    [lease, noteId, practiceId, now],
  );
  if (!claimed.length) return { outcome: 'skipped' as const };

  const note = await em.findOneOrFail(Note, noteId, { populate: ['patient'] });
  const body = openNoteBody(config.encryptionKeys, note);
  const noteDay = DateTime.fromJSDate(note.createdAt, { zone: note.patient.timeZone }).toISODate()!;
  let extraction: Extraction;
  try {
    extraction = await extractSteps(config.llm, body, noteDay);
  } catch (err) {
    const reason = err instanceof ExtractionError ? err : new ExtractionError('the extraction failed');
    const last = !reason.retryable || note.extractionAttempts >= config.llm.maxAttempts;
    const delayMs = retryDelay(config, note.extractionAttempts);
    Object.assign(note, {
      extractionState: last ? 'failed' : 'pending',
      extractionReason: reason.message,
      extractionLeaseUntil: null,
      extractionDueAt: last ? null : new Date(now.getTime() + delayMs),
    });
    await em.flush();
    log.warn({ noteId, attempt: note.extractionAttempts, reason: reason.message, final: last }, 'extraction attempt failed');
    if (last) throw new ExtractionError(`gave up after ${note.extractionAttempts} attempt(s): ${reason.message}`, false);
    throw new RetryExtractionLater(reason.message, delayMs);
  }
  return saveSteps(em, { config, clock }, note, body, extraction, lease);
}

/**
 * Plan items start on the note's day by default; a count becomes the date of the last occurrence. The
 * model's dates are input like any other: within the API's bounds, or the item is dropped.
 */
function planSchedule(item: Extraction['plan'][number], today: string): Schedule | null {
  const valid = (d: string | null) => d === null || calendarDate.safeParse(d).success;
  if (!valid(item.startDate) || !valid(item.endDate)) return null;
  const startDate = item.startDate ?? today;
  const endDate = endDateOf({ cadence: item.cadence, startDate, endDate: item.endDate, count: item.count });
  if (endDate && endDate < startDate) return null;
  return { cadence: item.cadence, startDate, endDate, count: item.count, timeOfDay: item.timeOfDay ?? '09:00' };
}

/**
 * Writes the steps, if the note is still the patient's newest (checked under the patient's row lock,
 * which note creation also takes) and this attempt still holds the lease.
 */
async function saveSteps(em: EntityManager, { config, clock }: Pick<ExtractionDeps, 'config' | 'clock'>, note: Note, body: string, extraction: Extraction, lease: Date) {
  return em.transactional(async (tx) => {
    const practiceId = note.practice.id;
    await tx.findOneOrFail(Patient, { id: note.patient.id, practice: practiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, filters: false });
    const [current] = await tx.execute<{ extraction_state: string; extraction_lease_until: Date | null; newer: boolean }[]>(
      `select extraction_state, extraction_lease_until,
              exists (select 1 from note n where n.patient_id = note.patient_id and n.addendum_to_id is null and (n.created_at, n.id) > (note.created_at, note.id)) as newer
       from note where id = ? for update`,
      [note.id],
    );
    if (current?.extraction_state !== 'pending' || new Date(current.extraction_lease_until ?? 0).getTime() !== lease.getTime()) return { outcome: 'skipped' as const };

    const tzToday = DateTime.fromJSDate(note.createdAt, { zone: note.patient.timeZone }).toISODate()!;
    const practice = await tx.findOneOrFail(Practice, practiceId);
    const state = practice.reviewExtractedSteps ? 'proposed' : 'active';
    const dataKey = noteDataKey(config.encryptionKeys, note);
    let created = 0;
    let rejected = 0;
    const add = (kind: 'checklist' | 'plan', title: string, passage: string, schedule: Schedule | null) => {
      if (!passageInNote(passage, body) || !stepTitle.safeParse(title).success || (kind === 'plan' && !schedule)) return void rejected++;
      const id = newId();
      tx.create(Step, {
        id,
        practice: practiceId,
        patient: note.patient.id,
        note: note.id,
        kind,
        state,
        title: title.trim(),
        provenanceCiphertext: sealPassage(dataKey, id, passage),
        ...(schedule ?? {}),
      });
      created++;
    };
    if (!current.newer) {
      for (const item of extraction.checklist) add('checklist', item.title, item.passage, null);
      for (const item of extraction.plan) add('plan', item.title, item.passage, planSchedule(item, tzToday));
    }
    await tx.nativeUpdate(
      Note,
      { id: note.id },
      {
        extractionState: 'done',
        extractionLeaseUntil: null,
        extractionDueAt: null,
        stepsCreated: created,
        stepsRejected: rejected,
        extractionReason: current.newer ? 'a newer note superseded this one: no steps were created' : rejected ? `${rejected} item(s) rejected: passage not in the note, or an invalid schedule` : null,
        updatedAt: clock.now(),
      },
    );
    return { outcome: 'done' as const, created, rejected };
  });
}
