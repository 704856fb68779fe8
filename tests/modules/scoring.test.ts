import { describe, expect, it } from 'vitest';
import { questionnaireDefinition } from '../../shared/schemas/questionnaires.ts';
import { answerErrors, scoreAnswers, type Answers } from '../../server/modules/assessments/scoring.ts';
import { gad7, phq9 } from '../../server/modules/questionnaires/builtins.ts';

const values = ['not-at-all', 'several-days', 'more-than-half', 'nearly-every-day'];

/** Answers summing to `total`, filling items in order with 3s, the item listed in `last` answered last. */
function answersFor(def: typeof phq9, total: number): Answers {
  const ids = def.scoring.totalItems!;
  let left = total;
  return Object.fromEntries(
    ids.map((id) => {
      const score = Math.min(3, left);
      left -= score;
      return [id, values[score]!];
    }),
  );
}

describe('PHQ-9 scoring (Kroenke et al. 2001)', () => {
  const boundaries: [number, string][] = [
    [0, 'minimal'],
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'moderately-severe'],
    [19, 'moderately-severe'],
    [20, 'severe'],
    [27, 'severe'],
  ];
  it.each(boundaries)('a total of %i is %s', (total, band) => {
    const score = scoreAnswers(phq9, answersFor(phq9, total));
    expect(score.total).toBe(total);
    expect(score.severity?.code).toBe(band);
  });

  it('raises the item 9 flag from "several days" on, and only then', () => {
    const base = answersFor(phq9, 0);
    expect(scoreAnswers(phq9, base).flags).toEqual([]);
    expect(scoreAnswers(phq9, { ...base, 'phq9.9': 'several-days' }).flags.map((f) => f.code)).toEqual(['self-harm']);
  });

  it('leaves the difficulty question out of the total', () => {
    expect(scoreAnswers(phq9, { ...answersFor(phq9, 6), difficulty: 'extremely-difficult' }).total).toBe(6);
  });

  it('requires the nine items on submit, accepts partial saves, and rejects unknown values', () => {
    expect(Object.keys(answerErrors(phq9, { 'phq9.1': 'several-days' }, true))).toHaveLength(8);
    expect(answerErrors(phq9, { 'phq9.1': 'several-days' }, false)).toEqual({});
    expect(answerErrors(phq9, { 'phq9.1': 4, nope: 1 }, false)).toEqual({ 'phq9.1': [expect.stringContaining('must be one of')], nope: ['is not an item of this questionnaire'] });
  });
});

describe('GAD-7 scoring (Spitzer et al. 2006)', () => {
  const boundaries: [number, string][] = [
    [0, 'minimal'],
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'severe'],
    [21, 'severe'],
  ];
  it.each(boundaries)('a total of %i is %s', (total, band) => {
    expect(scoreAnswers(gad7, answersFor(gad7, total)).severity?.code).toBe(band);
  });
});

describe('custom scoring rules', () => {
  const def = questionnaireDefinition.parse({
    key: 'mood-check',
    title: 'Mood check',
    items: [
      {
        id: 'a',
        text: 'A',
        type: 'choice',
        options: [
          { value: 'no', label: 'No', score: 0 },
          { value: 'some', label: 'Some', score: 1 },
          { value: 'yes', label: 'Yes', score: 2 },
        ],
      },
      {
        id: 'b',
        text: 'B',
        type: 'choice',
        options: [
          { value: 'no', label: 'No', score: 0 },
          { value: 'some', label: 'Some', score: 1 },
          { value: 'yes', label: 'Yes', score: 2 },
        ],
      },
      { id: 'hours', text: 'Hours slept', type: 'number', min: 0, max: 24 },
      { id: 'ok', text: 'Feeling safe?', type: 'boolean' },
      { id: 'note', text: 'Anything else?', type: 'text', required: false },
    ],
    scoring: {
      totalItems: ['a', 'b'],
      reverse: ['b'],
      subscales: [{ key: 'sleep', label: 'Sleep', items: ['hours'] }],
      bands: [
        { min: 0, max: 1, code: 'low', label: 'Low' },
        { min: 2, max: 4, code: 'high', label: 'High' },
      ],
      flags: [{ code: 'unsafe', label: 'Not feeling safe', item: 'ok', op: '<', value: 1 }],
    },
  });

  it('reverses, sums subscales, bands and flags', () => {
    const score = scoreAnswers(def, { a: 'yes', b: 'yes', hours: 7, ok: false, note: 'tired' });
    expect(score).toEqual({ total: 2, subscales: { sleep: 7 }, severity: { code: 'high', label: 'High' }, flags: [{ code: 'unsafe', label: 'Not feeling safe' }] });
  });

  it('checks number ranges and types', () => {
    expect(answerErrors(def, { hours: 25, ok: 'yes' as never }, false)).toEqual({ hours: ['must be at most 24'], ok: ['must be true or false'] });
  });

  it('refuses definitions whose rules point nowhere or whose bands overlap', () => {
    const bad = questionnaireDefinition.safeParse({
      key: 'bad',
      title: 'Bad',
      items: [
        { id: 'a', text: 'A', type: 'number' },
        { id: 'a', text: 'again', type: 'choice' },
      ],
      scoring: {
        reverse: ['zzz'],
        bands: [
          { min: 0, max: 5, code: 'x', label: 'X' },
          { min: 5, max: 9, code: 'y', label: 'Y' },
        ],
      },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message)).toEqual(expect.arrayContaining(['duplicate item id "a"', 'a choice item needs options', 'no item "zzz"', 'bands "x" and "y" overlap']));
  });
});
