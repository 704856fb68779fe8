import type OpenAI from 'openai';
import { z } from 'zod';
import { cadences } from '../../../shared/schemas/steps.ts';
import type { Config } from '../../config.ts';
import { EXTRACTION_PROMPT, extractionMessage } from './extraction-prompt.ts';

const passage = z.string().min(3).max(2000);
const title = z.string().min(1).max(300);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** The structured output asked of the model, validated by the SDK on the way back (`.nullable()`, never `.optional()`). */
const extractionSchema = z.object({
  checklist: z.array(z.object({ title, passage })).max(50),
  plan: z
    .array(
      z.object({
        title,
        passage,
        cadence: z.enum(cadences),
        startDate: date.nullable(),
        endDate: date.nullable(),
        count: z.number().int().min(1).max(1000).nullable(),
        timeOfDay: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
          .nullable(),
      }),
    )
    .max(50),
});
export type Extraction = z.infer<typeof extractionSchema>;

/** Why an attempt failed, in words safe for the note's status and the log: never the note or the answer. */
export class ExtractionError extends Error {
  readonly retryable: boolean;
  constructor(reason: string, retryable = true) {
    super(reason);
    this.name = 'ExtractionError';
    this.retryable = retryable;
  }
}

function reasonOf(err: unknown, OpenAI: typeof import('openai').default): ExtractionError {
  if (err instanceof ExtractionError) return err;
  if (err instanceof z.ZodError)
    return new ExtractionError(
      `the answer broke the schema (${err.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'root'}: ${i.code}`)
        .join('; ')})`,
    );
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new ExtractionError('the LLM timed out');
  if (err instanceof OpenAI.APIConnectionError) return new ExtractionError('the LLM could not be reached');
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) return new ExtractionError(`the LLM refused the API key (HTTP ${err.status})`);
  if (err instanceof OpenAI.APIError) return new ExtractionError(`the LLM answered with an error (HTTP ${err.status ?? 'unknown'})`);
  if (err instanceof SyntaxError || (err instanceof Error && /JSON/i.test(err.message))) return new ExtractionError('the answer was not valid JSON');
  return new ExtractionError(`the extraction failed (${err instanceof Error ? err.name : 'unknown error'})`);
}

/** Asks the OpenAI-compatible server for the note's checklist and plan. Throws an ExtractionError. */
export async function extractSteps(llm: Config['llm'], body: string, localDate: string): Promise<Extraction> {
  if (!llm.baseUrl && !llm.apiKey) throw new ExtractionError('no LLM is configured (set LLM_BASE_URL or LLM_API_KEY)', false);
  // The SDK is loaded on the first extraction: a server that runs no jobs never needs it (some 35 MB).
  const [{ default: OpenAI }, { zodResponseFormat }] = await Promise.all([import('openai'), import('openai/helpers/zod')]);
  const client: OpenAI = new OpenAI({ baseURL: llm.baseUrl, apiKey: llm.apiKey ?? 'unused', timeout: llm.timeoutMs, maxRetries: 0 });
  try {
    const completion = await client.chat.completions.parse({
      model: llm.model,
      temperature: 0,
      messages: [
        { role: 'system', content: EXTRACTION_PROMPT },
        { role: 'user', content: extractionMessage(body, localDate) },
      ],
      response_format: zodResponseFormat(extractionSchema, 'care_steps'),
    });
    const message = completion.choices[0]?.message;
    if (message?.refusal) throw new ExtractionError('the LLM refused to answer');
    if (!message?.parsed) throw new ExtractionError('the LLM gave no answer');
    return message.parsed;
  } catch (err) {
    throw reasonOf(err, OpenAI);
  }
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Provenance: a passage counts only if the note holds it word for word (runs of white space aside). */
export function passageInNote(passage: string, body: string): boolean {
  const needle = squash(passage);
  return needle.length >= 3 && squash(body).includes(needle);
}
