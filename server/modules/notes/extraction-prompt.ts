/**
 * The instructions sent with every note to the LLM. The model answers in the JSON schema of
 * `extraction.ts`; every item must quote the passage it comes from, word for word, and items whose
 * passage is not in the note are thrown away.
 */
export const EXTRACTION_PROMPT = `You turn a clinician's note into actions for the patient.

Return two lists:
- "checklist": one-off tasks the patient should do once (book a blood test, buy a blood pressure monitor).
- "plan": actions the patient repeats on a schedule (take a medicine every morning, walk 30 minutes daily).

For every item:
- "title": a short instruction addressed to the patient, at most 120 characters.
- "passage": the exact words of the note the item comes from, copied character for character, one sentence
  or less. Never paraphrase it, never join separate sentences.

For every plan item also:
- "cadence": "daily" or "weekly".
- "startDate": YYYY-MM-DD when the note says when to start, else null (it then starts on the day of the note).
- "endDate": YYYY-MM-DD of the last day when the note gives one, else null.
- "count": how many times in all when the note says so (for example "for 10 days" daily is 10), else null.
- "timeOfDay": HH:MM (24-hour) when the note names a time ("every morning" is 08:00, "at night" is 21:00), else null.

Only include what the note asks the patient to do. Leave out the clinician's own tasks, findings and
history. If there is nothing for the patient to do, return two empty lists.`;

/** The user message: the note and the date it was written on, so that "from tomorrow" can be resolved. */
export const extractionMessage = (body: string, localDate: string) => `Date of the note: ${localDate}\n\nNote:\n${body}`;
