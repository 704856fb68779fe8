import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type {
  AddImportRowsInput,
  addImportRowsOutput,
  BeginImportInput,
  beginImportOutput,
  cancelImportOutput,
  CommitImportInput,
  commitImportOutput,
  ImportIdInput,
  ImportRowError,
} from '../../../shared/schemas/imports.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { ImportSession } from './import-session.entity.ts';
import { commitPatientRows, stagePatientRows } from './patient-import.ts';
import { commitRecordRows, stageRecordRows } from './record-import.ts';
import { commitServiceRows, stageServiceRows } from './service-import.ts';
import { pgArray } from '../../pg-array.ts';

/** An import not committed within a day is dropped, staged rows and all, when the practice begins another. */
const SESSION_TTL = '1 day';

export type ImportCounts = { created: number; updated: number; unchanged: number };

async function findSession(ctx: AuthedCtx, importId: string) {
  const session = await ctx.em.findOne(ImportSession, { id: importId, userId: ctx.actor.userId });
  if (!session) throw notFound('Import');
  return session;
}

export async function beginImport(ctx: AuthedCtx, input: BeginImportInput): Promise<z.infer<typeof beginImportOutput>> {
  await ctx.em.execute(`delete from import_session where practice_id = ? and created_at < now() - interval '${SESSION_TTL}'`, [ctx.actor.practiceId]);
  const session = ctx.em.create(ImportSession, { practice: ctx.actor.practiceId, userId: ctx.actor.userId, type: input.type, skipInvalid: input.skipInvalid });
  recordAudit(ctx, { action: 'import.begun', entityType: 'import', entityId: session.id, detail: { type: input.type } });
  await ctx.em.flush();
  return { id: session.id, type: session.type, skipInvalid: session.skipInvalid };
}

/**
 * Validates a batch and stages its good rows. Each bad row comes back with its line, field and message:
 * a value the schema refuses, a patient the row names that does not exist, a row that repeats an earlier
 * one of the same import (same MRN, external id or record), a line sent twice.
 */
export async function addImportRows(ctx: AuthedCtx, { importId, rows }: AddImportRowsInput): Promise<z.infer<typeof addImportRowsOutput>> {
  const session = await findSession(ctx, importId);
  return ctx.em.transactional(async (em) => {
    const errors: ImportRowError[] = [];
    const lines = rows.map((r) => r.line);
    const staged = await em.execute<{ line: number }[]>('select line from import_row where session_id = ? and line = any(?::int[])', [session.id, pgArray(lines)]);
    const taken = new Set(staged.map((r) => r.line));
    const fresh = rows.filter((r) => {
      if (!taken.has(r.line)) return taken.add(r.line);
      errors.push({ line: r.line, field: '_', message: 'this line was already sent in this import' });
      return false;
    });
    const result =
      session.type === 'patients'
        ? await stagePatientRows(em, ctx.actor, session.id, fresh)
        : session.type === 'services'
          ? await stageServiceRows(em, ctx.actor, session.id, fresh)
          : await stageRecordRows(em, ctx.actor, session.id, session.type, fresh);
    errors.push(...result.errors);
    const invalid = new Set(errors.map((e) => e.line)).size;
    if (invalid) await em.execute('update import_session set invalid_rows = invalid_rows + ? where id = ?', [invalid, session.id]);
    return { accepted: result.staged, invalid, errors: errors.sort((a, b) => a.line - b.line) };
  });
}

/** Thrown out of the transaction of a dry run, to roll it back with the counts. */
class DryRun extends Error {
  readonly counts: ImportCounts;
  constructor(counts: ImportCounts) {
    super('dry run');
    this.counts = counts;
  }
}

/**
 * Writes every staged row in one transaction: new patients or records are created, matched ones updated
 * where they differ, and the rest left alone. Refused, writing nothing, if any row was bad and the import
 * was not begun with `skipInvalid`. A dry run does the same work and rolls it back, to count exactly.
 */
export async function commitImport(ctx: AuthedCtx, { importId, dryRun }: CommitImportInput): Promise<z.infer<typeof commitImportOutput>> {
  const session = await findSession(ctx, importId);
  if (session.invalidRows > 0 && !session.skipInvalid && !dryRun) {
    throw new AppError('BAD_REQUEST', `${session.invalidRows} row(s) of this import are invalid: nothing was written (begin it with skipInvalid to write the valid rows)`, 'import-invalid-rows');
  }
  const audit = { practiceId: ctx.actor.practiceId, actorId: ctx.actor.userId, requestId: ctx.meta.requestId, ip: ctx.meta.ip, importId: session.id };
  let counts: ImportCounts;
  try {
    counts = await ctx.em.transactional(async (em: EntityManager) => {
      // One set-based statement writes every staged row: a 100,000-row commit takes some 12 s on a busy
      // 2-core machine, too close to the general statement limit, so this transaction has its own.
      await em.execute(`set local statement_timeout = ${ctx.config.database.importStatementTimeoutMs}`);
      const written =
        session.type === 'patients'
          ? await commitPatientRows(em, audit, ctx.actor.identity.practice.timeZone)
          : session.type === 'services'
            ? await commitServiceRows(em, audit)
            : await commitRecordRows(em, audit, session.type);
      if (dryRun) throw new DryRun(written);
      return written;
    });
  } catch (e) {
    if (e instanceof DryRun) counts = e.counts;
    else if (e instanceof UniqueConstraintViolationException) {
      throw new AppError('CONFLICT', 'A patient, record or service with the same MRN, external id, key or code was written meanwhile: nothing was written; run the import again', 'import-conflict');
    } else throw e;
  }
  const skipped = session.invalidRows;
  await ctx.em.execute('delete from import_session where id = ?', [session.id]);
  if (!dryRun) recordAudit(ctx, { action: 'import.committed', entityType: 'import', entityId: session.id, detail: { type: session.type, ...counts, skipped } });
  await ctx.em.flush();
  return { importId: session.id, type: session.type, dryRun, ...counts, skipped };
}

export async function cancelImport(ctx: AuthedCtx, { importId }: ImportIdInput): Promise<z.infer<typeof cancelImportOutput>> {
  const session = await findSession(ctx, importId);
  await ctx.em.execute('delete from import_session where id = ?', [session.id]);
  return { importId: session.id, cancelled: true };
}
