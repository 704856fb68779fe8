import { questionnaireDefinition, type QuestionnaireDefinition } from '../../../shared/schemas/questionnaires.ts';

/** The 0-3 frequency scale shared by PHQ-9 and GAD-7 ("over the last 2 weeks, how often…"). */
const frequency = [
  { value: 'not-at-all', label: 'Not at all', score: 0 },
  { value: 'several-days', label: 'Several days', score: 1 },
  { value: 'more-than-half', label: 'More than half the days', score: 2 },
  { value: 'nearly-every-day', label: 'Nearly every day', score: 3 },
];

const frequencyItems = (prefix: string, texts: string[]) => texts.map((text, i) => ({ id: `${prefix}${i + 1}`, text, type: 'choice' as const, required: true, options: frequency }));

const difficulty = {
  id: 'difficulty',
  text: 'If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?',
  type: 'choice' as const,
  required: false,
  options: ['Not difficult at all', 'Somewhat difficult', 'Very difficult', 'Extremely difficult'].map((label, score) => ({ value: label.toLowerCase().replaceAll(' ', '-'), label, score })),
};

/** PHQ-9: Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16(9):606-613. */
const phq9Items = frequencyItems('phq9.', [
  'Little interest or pleasure in doing things',
  'Feeling down, depressed, or hopeless',
  'Trouble falling or staying asleep, or sleeping too much',
  'Feeling tired or having little energy',
  'Poor appetite or overeating',
  'Feeling bad about yourself — or that you are a failure or have let yourself or your family down',
  'Trouble concentrating on things, such as reading the newspaper or watching television',
  'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual',
  'Thoughts that you would be better off dead or of hurting yourself in some way',
]);

export const phq9: QuestionnaireDefinition = questionnaireDefinition.parse({
  key: 'phq-9',
  title: 'Patient Health Questionnaire (PHQ-9)',
  description: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  totalCode: { system: 'http://loinc.org', code: '44261-6', display: 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]' },
  items: [...phq9Items, difficulty],
  scoring: {
    totalItems: phq9Items.map((i) => i.id),
    bands: [
      { min: 0, max: 4, code: 'minimal', label: 'Minimal depression' },
      { min: 5, max: 9, code: 'mild', label: 'Mild depression' },
      { min: 10, max: 14, code: 'moderate', label: 'Moderate depression' },
      { min: 15, max: 19, code: 'moderately-severe', label: 'Moderately severe depression' },
      { min: 20, max: 27, code: 'severe', label: 'Severe depression' },
    ],
    flags: [{ code: 'self-harm', label: 'Thoughts of self-harm (PHQ-9 item 9): assess risk now', item: 'phq9.9', op: '>=', value: 1 }],
  },
});

/** GAD-7: Spitzer RL, Kroenke K, Williams JB, Löwe B. Arch Intern Med 2006;166(10):1092-1097. */
const gad7Items = frequencyItems('gad7.', [
  'Feeling nervous, anxious, or on edge',
  'Not being able to stop or control worrying',
  'Worrying too much about different things',
  'Trouble relaxing',
  'Being so restless that it is hard to sit still',
  'Becoming easily annoyed or irritable',
  'Feeling afraid, as if something awful might happen',
]);

export const gad7: QuestionnaireDefinition = questionnaireDefinition.parse({
  key: 'gad-7',
  title: 'Generalized Anxiety Disorder (GAD-7)',
  description: 'Over the last 2 weeks, how often have you been bothered by the following problems?',
  totalCode: { system: 'http://loinc.org', code: '70274-6', display: 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]' },
  items: [...gad7Items, { ...difficulty, id: 'difficulty' }],
  scoring: {
    totalItems: gad7Items.map((i) => i.id),
    bands: [
      { min: 0, max: 4, code: 'minimal', label: 'Minimal anxiety' },
      { min: 5, max: 9, code: 'mild', label: 'Mild anxiety' },
      { min: 10, max: 14, code: 'moderate', label: 'Moderate anxiety' },
      { min: 15, max: 21, code: 'severe', label: 'Severe anxiety' },
    ],
  },
});

export const builtinQuestionnaires = [phq9, gad7];
