import type { AnswerValue, Comparison, QuestionItem, QuestionnaireDefinition } from '../../../shared/schemas/questionnaires.ts';

export type Answers = Record<string, AnswerValue>;
export type Score = {
  total: number;
  subscales: Record<string, number>;
  severity: { code: string; label: string } | null;
  flags: { code: string; label: string }[];
};

/**
 * Checks answers against the definition. `complete` also demands every required item (submit);
 * without it, partial answers are fine (save). Returns messages keyed by item id; empty when valid.
 */
export function answerErrors(def: QuestionnaireDefinition, answers: Answers, complete: boolean): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const items = new Map(def.items.map((i) => [i.id, i]));
  for (const [id, value] of Object.entries(answers)) {
    const item = items.get(id);
    const problem = item ? valueProblem(item, value) : 'is not an item of this questionnaire';
    if (problem) errors[id] = [problem];
  }
  if (complete) {
    for (const item of def.items) if (item.required && answers[item.id] === undefined) errors[item.id] = ['is required'];
  }
  return errors;
}

function valueProblem(item: QuestionItem, value: AnswerValue): string | null {
  if (item.options) return item.options.some((o) => o.value === value) ? null : `must be one of ${item.options.map((o) => JSON.stringify(o.value)).join(', ')}`;
  switch (item.type) {
    case 'number':
      if (typeof value !== 'number') return 'must be a number';
      if (item.min !== undefined && value < item.min) return `must be at least ${item.min}`;
      if (item.max !== undefined && value > item.max) return `must be at most ${item.max}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'text':
      return typeof value === 'string' ? null : 'must be text';
    case 'choice':
      return 'has no options';
  }
}

/** The score of one answered item, or null for unscored items (text, unanswered). */
function itemScore(item: QuestionItem, value: AnswerValue | undefined, reversed: boolean): number | null {
  if (value === undefined) return null;
  if (item.options) {
    const score = item.options.find((o) => o.value === value)?.score ?? null;
    if (score === null || !reversed) return score;
    const scores = item.options.map((o) => o.score);
    return Math.max(...scores) + Math.min(...scores) - score;
  }
  if (item.type === 'number' && typeof value === 'number') return value;
  if (item.type === 'boolean' && typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/** Total, subscales, severity band and raised flags: computed on the server, never sent by clients. */
export function scoreAnswers(def: QuestionnaireDefinition, answers: Answers): Score {
  const reverse = new Set(def.scoring.reverse);
  const scores = new Map<string, number>();
  for (const item of def.items) {
    const score = itemScore(item, answers[item.id], reverse.has(item.id));
    if (score !== null) scores.set(item.id, score);
  }
  const sum = (ids: Iterable<string>) => [...ids].reduce((acc, id) => acc + (scores.get(id) ?? 0), 0);
  const total = sum(def.scoring.totalItems ?? scores.keys());
  const band = def.scoring.bands.find((b) => total >= b.min && total <= b.max);
  return {
    total,
    subscales: Object.fromEntries(def.scoring.subscales.map((s) => [s.key, sum(s.items)])),
    severity: band ? { code: band.code, label: band.label } : null,
    flags: def.scoring.flags.filter((f) => scores.has(f.item) && compare(scores.get(f.item)!, f.op, f.value)).map((f) => ({ code: f.code, label: f.label })),
  };
}

function compare(a: number, op: Comparison, b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '=':
      return a === b;
    case '<=':
      return a <= b;
    case '<':
      return a < b;
  }
}
