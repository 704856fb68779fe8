import { FlushMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import {
  questionBankSource,
  questionnaireDefinition,
  questionnaireSource,
  type QuestionItem,
  type QuestionnaireDefinition,
  type SeedQuestionnairesInput,
  type SeedResult,
} from '../../../shared/schemas/questionnaires.ts';
import { contentHash } from '../../canonical-json.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { builtinQuestionnaires } from './builtins.ts';
import { QuestionBankItem } from './question-bank-item.entity.ts';
import { QuestionnaireVersion } from './questionnaire-version.entity.ts';
import { Questionnaire } from './questionnaire.entity.ts';

type Located<T> = { file: string; value: T };
type Errors = Record<string, string[]>;

const where = (file: string, path: PropertyKey[]) => (path.length ? `${file}: ${path.join('.')}` : file);

function collect(errors: Errors, file: string, error: z.ZodError, input: unknown) {
  for (const issue of error.issues) for (const { path, message } of located(issue, input)) (errors[where(file, path)] ??= []).push(message);
}

const valueAt = (value: unknown, path: PropertyKey[]) => path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), value);

/**
 * zod reports a failed union (an item is inline or a `ref`; a value is text, a number or a boolean) as one
 * "Invalid input" at the union. Report the issues of the branch the author meant instead: the one with
 * the fewest fields missing from the input (ties: the first branch), so the path names the field at fault.
 */
function located(issue: z.core.$ZodIssue, input: unknown, prefix: PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || !issue.errors.length) return [{ path, message: issue.message }];
  if (issue.errors.every((branch) => branch.every((i) => i.path.length === 0 && i.code === 'invalid_type'))) {
    const expected = new Set(issue.errors.flatMap((branch) => branch.map((i) => (i.code === 'invalid_type' ? i.expected : ''))));
    return [{ path, message: `Invalid input: expected ${[...expected].join(' or ')}` }];
  }
  const value = valueAt(input, issue.path);
  const missing = (branch: z.core.$ZodIssue[]) => branch.filter((i) => i.path.length > 0 && valueAt(value, i.path) === undefined).length;
  const meant = issue.errors.reduce((best, branch) => (missing(branch) < missing(best) ? branch : best));
  return meant.flatMap((i) => located(i, value, path));
}

/**
 * Loads questionnaires and question banks. Idempotent: the same content changes nothing; a changed
 * questionnaire becomes a new version (old versions stay as they were, pinned by their assessments).
 * All or nothing: any invalid document, and nothing is written. Errors name the file and the path in it.
 */
export async function seedQuestionnaires(ctx: AuthedCtx, { files, dryRun }: SeedQuestionnairesInput) {
  // Nothing may reach the database before the one flush at the end: not on a dry run, not half a seed.
  // (The default auto-flush would write pending rows before each lookup below.)
  ctx.em.setFlushMode(FlushMode.COMMIT);
  // Keyed by file names the caller chose: no prototype, so `toString` or `__proto__` is a file like any other.
  const errors: Errors = Object.create(null);
  const banks: Located<z.infer<typeof questionBankSource>>[] = [];
  const sources: Located<z.infer<typeof questionnaireSource>>[] = [];
  for (const { name, documents } of files) {
    documents.forEach((doc, i) => {
      const file = documents.length > 1 ? `${name}#${i + 1}` : name;
      const isBank = typeof doc === 'object' && doc !== null && 'bank' in doc;
      const parsed = (isBank ? questionBankSource : questionnaireSource).safeParse(doc);
      if (!parsed.success) return collect(errors, file, parsed.error, doc);
      if (isBank) banks.push({ file, value: parsed.data as z.infer<typeof questionBankSource> });
      else sources.push({ file, value: parsed.data as z.infer<typeof questionnaireSource> });
    });
  }
  const builtinKeys = new Set(builtinQuestionnaires.map((q) => q.key));
  const firstSeen = new Map<string, string>();
  /** A key defined twice in one call would be loaded twice (the second a new version): say so instead. */
  const once = (what: string, key: string, file: string, path: PropertyKey[]) => {
    const seen = firstSeen.get(`${what} ${key}`);
    if (seen) (errors[where(file, path)] ??= []).push(`${what} "${key}" is also defined in ${seen}`);
    else firstSeen.set(`${what} ${key}`, file);
  };
  for (const { file, value } of sources) {
    if (builtinKeys.has(value.key)) (errors[where(file, ['key'])] ??= []).push(`"${value.key}" is built in; choose another key`);
    once('questionnaire', value.key, file, ['key']);
  }
  for (const { file, value } of banks) value.items.forEach((item, i) => once('bank item', item.id, file, ['items', i, 'id']));

  const bankItems = new Map<string, QuestionItem>();
  for (const item of await ctx.em.find(QuestionBankItem, {})) bankItems.set(item.itemId, item.definition);
  for (const { value } of banks) for (const item of value.items) bankItems.set(item.id, item);

  const definitions: Located<QuestionnaireDefinition>[] = [];
  for (const { file, value } of sources) {
    const items = value.items.map((item, i) => {
      if (!('ref' in item)) return item;
      const found = bankItems.get(item.ref);
      if (!found) (errors[where(file, ['items', i, 'ref'])] ??= []).push(`no question bank item "${item.ref}"`);
      return found && { ...found, id: item.id ?? found.id, required: item.required ?? found.required };
    });
    const resolved = questionnaireDefinition.safeParse({ ...value, items });
    if (resolved.success) definitions.push({ file, value: resolved.data });
    else if (items.every(Boolean)) collect(errors, file, resolved.error, { ...value, items });
  }
  if (Object.keys(errors).length) throw new AppError('BAD_REQUEST', 'Some documents are not valid: nothing was loaded', null, errors);

  const results: SeedResult[] = [];
  for (const { file, value } of banks) {
    for (const item of value.items) results.push({ file, ...(await upsertBankItem(ctx, value.bank, item)) });
  }
  for (const { file, value } of definitions) {
    results.push({ file, ...(await upsertQuestionnaire(ctx.em, ctx.actor.practiceId, value)) });
  }
  if (dryRun) return { dryRun, results }; // the unit of work is dropped unflushed
  recordAudit(ctx, { action: 'questionnaires.seeded', detail: { changed: results.filter((r) => r.action !== 'unchanged').length } });
  await ctx.em.flush();
  return { dryRun, results };
}

async function upsertBankItem(ctx: AuthedCtx, bank: string, item: QuestionItem) {
  const hash = contentHash(item);
  const existing = await ctx.em.findOne(QuestionBankItem, { itemId: item.id });
  const base = { kind: 'bank-item' as const, key: item.id, version: null };
  if (!existing) {
    ctx.em.create(QuestionBankItem, { practice: ctx.actor.practiceId, bank, itemId: item.id, definition: item, contentHash: hash });
    return { ...base, action: 'created' as const };
  }
  if (existing.contentHash === hash && existing.bank === bank) return { ...base, action: 'unchanged' as const };
  Object.assign(existing, { bank, definition: item, contentHash: hash });
  return { ...base, action: 'updated' as const };
}

/** Creates the questionnaire, or a new version when its content changed; `practiceId` null is built in. */
async function upsertQuestionnaire(em: EntityManager, practiceId: string | null, definition: QuestionnaireDefinition) {
  const hash = contentHash(definition);
  const base = { kind: 'questionnaire' as const, key: definition.key };
  // The practice is named explicitly, so the tenant filter (which also admits built-ins) is not needed.
  let questionnaire = await em.findOne(Questionnaire, { practice: practiceId, key: definition.key }, { filters: false });
  if (questionnaire) {
    const latest = await em.findOneOrFail(QuestionnaireVersion, { questionnaire, version: questionnaire.latestVersion }, { filters: false });
    if (latest.contentHash === hash) return { ...base, action: 'unchanged' as const, version: latest.version };
    Object.assign(questionnaire, { title: definition.title, latestVersion: questionnaire.latestVersion + 1 });
  } else {
    questionnaire = em.create(Questionnaire, { practice: practiceId, key: definition.key, title: definition.title, latestVersion: 1 });
  }
  em.create(QuestionnaireVersion, { questionnaire, version: questionnaire.latestVersion, definition, contentHash: hash });
  return { ...base, action: questionnaire.latestVersion === 1 ? ('created' as const) : ('new-version' as const), version: questionnaire.latestVersion };
}

/** Brings the built-in questionnaires (PHQ-9, GAD-7) up to date; run at start-up and after migrating. */
export async function syncBuiltinQuestionnaires(em: EntityManager): Promise<void> {
  const fork = em.fork();
  for (const definition of builtinQuestionnaires) await upsertQuestionnaire(fork, null, definition);
  await fork.flush();
}
