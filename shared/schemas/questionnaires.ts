import { z } from 'zod';
import { instantOutput, measure, text } from './common.ts';

/**
 * A questionnaire is data: items, answer options with their scores, and scoring rules. This one schema
 * validates definitions from seed files, from the API and the built-ins alike.
 */
export const questionKey = text()
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1-64 of a-z, 0-9, _ . - (lowercase)');

export const itemTypes = ['choice', 'number', 'text', 'boolean'] as const;
export type ItemType = (typeof itemTypes)[number];

export const answerValue = z.union([text().max(2000), measure, z.boolean()]);
export type AnswerValue = z.infer<typeof answerValue>;

export const answerOption = z.object({
  value: z.union([text().min(1).max(100), measure, z.boolean()]),
  label: text().min(1).max(500),
  score: measure,
});

export const questionItem = z.object({
  id: questionKey,
  text: text().min(1).max(2000),
  type: z.enum(itemTypes),
  required: z.boolean().default(true),
  options: z.array(answerOption).min(1).max(50).optional(),
  min: measure.optional(),
  max: measure.optional(),
});
export type QuestionItem = z.infer<typeof questionItem>;

/** An item of a questionnaire: inline, or `ref` to a question bank item of the practice (resolved on save). */
export const questionnaireItem = z.union([questionItem, z.object({ ref: questionKey, id: questionKey.optional(), required: z.boolean().optional() })]);

const comparison = z.enum(['>=', '>', '=', '<=', '<']);
export type Comparison = z.infer<typeof comparison>;

export const scoringRules = z.object({
  /** Items summed into the total; default: every scored item. */
  totalItems: z.array(questionKey).max(500).optional(),
  /** Reverse-scored items: score becomes (highest + lowest option score) - score. */
  reverse: z.array(questionKey).max(500).default([]),
  subscales: z
    .array(z.object({ key: questionKey, label: text().min(1).max(200), items: z.array(questionKey).min(1).max(500) }))
    .max(50)
    .default([]),
  /** Ranges of the total, inclusive at both ends, each with a label. */
  bands: z
    .array(z.object({ min: measure, max: measure, code: questionKey, label: text().min(1).max(200) }))
    .max(50)
    .default([]),
  /** Rules on one item's score, such as PHQ-9 "item 9 >= 1", that raise an alert. */
  flags: z
    .array(z.object({ code: questionKey, label: text().min(1).max(500), item: questionKey, op: comparison, value: measure }))
    .max(50)
    .default([]),
});
export type ScoringRules = z.infer<typeof scoringRules>;

const coding = z.object({ system: text().max(200).pipe(z.url()), code: text().min(1).max(64), display: text().max(200).optional() });

/** A definition as written (seed file, API): items may still be bank references. */
export const questionnaireSource = z.object({
  key: questionKey,
  title: text().min(1).max(200),
  description: text().max(4000).optional(),
  /** Coding of the total score, e.g. LOINC 44261-6 for the PHQ-9 total. */
  totalCode: coding.optional(),
  items: z.array(questionnaireItem).min(1).max(500),
  scoring: scoringRules.default({ reverse: [], subscales: [], bands: [], flags: [] }),
});
export type QuestionnaireSource = z.input<typeof questionnaireSource>;

/** A resolved definition: every item inline, every rule pointing at an item that exists. */
export const questionnaireDefinition = questionnaireSource.extend({ items: z.array(questionItem).min(1).max(500) }).superRefine((def, ctx) => {
  const ids = new Set<string>();
  def.items.forEach((item, i) => {
    if (ids.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate item id "${item.id}"` });
    ids.add(item.id);
    if (item.type === 'choice' && !item.options) ctx.addIssue({ code: 'custom', path: ['items', i, 'options'], message: 'a choice item needs options' });
    if (item.min !== undefined && item.max !== undefined && item.min > item.max) ctx.addIssue({ code: 'custom', path: ['items', i, 'min'], message: 'min must be ≤ max' });
  });
  const known = (path: (string | number)[], id: string) => {
    if (!ids.has(id)) ctx.addIssue({ code: 'custom', path, message: `no item "${id}"` });
  };
  def.scoring.totalItems?.forEach((id, i) => known(['scoring', 'totalItems', i], id));
  def.scoring.reverse.forEach((id, i) => {
    known(['scoring', 'reverse', i], id);
    const item = def.items.find((it) => it.id === id);
    if (item && !item.options) ctx.addIssue({ code: 'custom', path: ['scoring', 'reverse', i], message: `"${id}" has no answer options to reverse` });
  });
  def.scoring.subscales.forEach((s, i) => s.items.forEach((id, j) => known(['scoring', 'subscales', i, 'items', j], id)));
  def.scoring.flags.forEach((f, i) => known(['scoring', 'flags', i, 'item'], f.item));
  const bands = [...def.scoring.bands].sort((a, b) => a.min - b.min);
  bands.forEach((band, i) => {
    if (band.min > band.max) ctx.addIssue({ code: 'custom', path: ['scoring', 'bands'], message: `band "${band.code}": min must be ≤ max` });
    const next = bands[i + 1];
    if (next && next.min <= band.max) ctx.addIssue({ code: 'custom', path: ['scoring', 'bands'], message: `bands "${band.code}" and "${next.code}" overlap` });
  });
});
export type QuestionnaireDefinition = z.infer<typeof questionnaireDefinition>;

/** A reusable item of a practice's question bank. */
export const questionBankSource = z.object({ bank: questionKey, items: z.array(questionItem).min(1).max(500) });
export type QuestionBankSource = z.input<typeof questionBankSource>;

/** `pams questions seed`: files as the CLI read them (JSON or YAML, one or more documents each). */
export const seedQuestionnairesInput = z.object({
  files: z
    .array(z.object({ name: text().min(1).max(500), documents: z.array(z.unknown()).max(1000) }))
    .min(1)
    .max(500),
  dryRun: z.boolean().default(false),
});
export type SeedQuestionnairesInput = z.infer<typeof seedQuestionnairesInput>;

export const questionnaireRefInput = z.object({
  key: questionKey,
  version: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
});
export type QuestionnaireRefInput = z.infer<typeof questionnaireRefInput>;

/*
 * Outputs. A definition the server answers was validated when it was stored (questionnaireDefinition), so
 * these say its shape only.
 */
export const answerValueOutput = z.union([z.string(), z.number(), z.boolean()]);

export const questionItemOutput = z.object({
  id: z.string(),
  text: z.string(),
  type: z.enum(itemTypes),
  required: z.boolean(),
  options: z.array(z.object({ value: answerValueOutput, label: z.string(), score: z.number() })).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});

export const questionnaireDefinitionOutput = z.object({
  key: z.string(),
  title: z.string(),
  description: z.string().optional(),
  totalCode: z.object({ system: z.string(), code: z.string(), display: z.string().optional() }).optional(),
  items: z.array(questionItemOutput),
  scoring: z.object({
    totalItems: z.array(z.string()).optional().describe('Items summed into the total; absent: every scored item'),
    reverse: z.array(z.string()).describe('Reverse-scored items'),
    subscales: z.array(z.object({ key: z.string(), label: z.string(), items: z.array(z.string()) })),
    bands: z.array(z.object({ min: z.number(), max: z.number(), code: z.string(), label: z.string() })).describe('Ranges of the total, inclusive at both ends'),
    flags: z.array(z.object({ code: z.string(), label: z.string(), item: z.string(), op: comparison, value: z.number() })).describe("Rules on one item's score that raise an alert"),
  }),
});

export const questionnaireOutput = z.object({
  id: z.string(),
  key: z.string(),
  title: z.string(),
  latestVersion: z.number(),
  builtIn: z.boolean().describe("Built into PAMS (PHQ-9, GAD-7) rather than the practice's own"),
});
export const questionnaireListOutput = z.array(questionnaireOutput);

/** One version of a questionnaire with its full definition. */
export const questionnaireVersionOutput = questionnaireOutput.extend({
  version: z.number(),
  versionId: z.string(),
  createdAt: instantOutput,
  definition: questionnaireDefinitionOutput,
});

export const questionBankItemOutput = z.object({ bank: z.string(), id: z.string(), definition: questionItemOutput, updatedAt: instantOutput });
export const questionBankOutput = z.array(questionBankItemOutput);

const seedActions = ['created', 'new-version', 'updated', 'unchanged'] as const;
export const seedResultOutput = z.object({
  file: z.string().describe('The file, with `#n` for its nth document when it holds several'),
  kind: z.enum(['questionnaire', 'bank-item']),
  key: z.string(),
  action: z.enum(seedActions),
  version: z.number().nullable().describe('The questionnaire version now in force; null for a bank item'),
});
export type SeedResult = z.infer<typeof seedResultOutput>;
export const seedQuestionnairesOutput = z.object({ dryRun: z.boolean(), results: z.array(seedResultOutput) });
