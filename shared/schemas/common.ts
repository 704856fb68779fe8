import { z } from 'zod';

/**
 * Free text, the one way every text field is built: no NUL (PostgreSQL text cannot hold it) and no
 * unpaired UTF-16 surrogate (it has no UTF-8 form, so it would be stored as U+FFFD or refused deep in
 * SQL). Said as a pattern, so the JSON schema and OpenAPI carry the rule. Callers add `.max()`.
 */
export const text = () => z.string().regex(/^[^\u0000\uD800-\uDFFF]*$/u, 'must not contain NUL characters or unpaired surrogates');

/**
 * Instants in the years 1900 to 2200, with offsets within ±14:00 (the real world's, UTC−12 to UTC+14):
 * from the oldest record a practice keeps to past any plan, visit or expiry it sets.
 */
const INSTANT_MIN = '1900-01-01T00:00:00Z';
const INSTANT_MAX = '2200-12-31T23:59:59.999Z';
/** Calendar dates in the years 1850 to 2200: the oldest birth date of a living patient or of an imported history, and a plan's far end. */
const DATE_MIN = '1850-01-01';
const DATE_MAX = '2200-12-31';
const OFFSET_MAX_MINUTES = 14 * 60;

/**
 * An ISO 8601 instant with an offset. Outside these bounds JavaScript, luxon and PostgreSQL disagree
 * (year 0000, offsets past ±15:59, years past 9999) and nothing a practice records lives there.
 */
export const isoDateTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset', abort: true })
  .refine((at) => {
    const offset = /([+-])(\d\d):(\d\d)$/.exec(at);
    return !offset || Number(offset[2]) * 60 + Number(offset[3]) <= OFFSET_MAX_MINUTES;
  }, 'must have an offset within ±14:00')
  .refine((at) => Date.parse(at) >= Date.parse(INSTANT_MIN) && Date.parse(at) <= Date.parse(INSTANT_MAX), 'must be in the years 1900 to 2200 (UTC)')
  .meta({ formatMinimum: INSTANT_MIN, formatMaximum: INSTANT_MAX });

/** A calendar date, `YYYY-MM-DD`, that exists, in the years 1850 to 2200. */
export const calendarDate = z.iso
  .date({ message: 'must be a date, YYYY-MM-DD', abort: true })
  .refine((d) => d >= DATE_MIN && d <= DATE_MAX, 'must be in the years 1850 to 2200')
  .meta({ formatMinimum: DATE_MIN, formatMaximum: DATE_MAX });

/** For `calendarDate.refine(pastOrToday, ...)`: a date today (UTC) or before. */
export const pastOrToday = (d: string) => d <= new Date().toISOString().slice(0, 10);

export const uuid = z.uuid({ message: 'must be a UUID' });
export const email = text()
  .trim()
  .toLowerCase()
  .max(320)
  .pipe(z.email({ message: 'must be an email address' }));
export const password = text().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters');
export const personName = text().trim().min(1, 'is required').max(200);
/** A BCP 47 language tag, as FHIR's `urn:ietf:bcp:47` codes are: `en`, `ga`, `pt-BR`. */
export const languageTag = text()
  .max(35)
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pt-BR');
export const ianaTimeZone = text()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return tz.includes('/') || tz === 'UTC';
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Dublin');

/** A measured or scored number: exact integers up to here, and sums of hundreds of them stay finite. */
export const measure = z.number().min(-1e15).max(1e15);

/** An object of entries by key, with at most `max` entries (said in the JSON schema as maxProperties). */
export const boundedRecord = <K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, max: number) =>
  z
    .record(key, value)
    .refine((r) => Object.keys(r).length <= max, `at most ${max} entries`)
    .meta({ maxProperties: max });

export const idInput = z.object({ id: uuid });
export type IdInput = z.infer<typeof idInput>;

export const pageInput = z.object({
  cursor: text().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

export type Page<T> = { items: T[]; nextCursor: string | null };

/*
 * Output schemas: what procedures answer (tRPC `.output`). The server made these values, so they carry no
 * refinements, only shapes: parsing them is cheap, strips any field beyond the DTO, and their JSON Schema
 * types the OpenAPI responses and the client package's AppRouter.
 */
/** An instant the server answers: ISO 8601 in UTC (`2026-11-23T09:00:00.000Z`). */
export const instantOutput = z.string().meta({ format: 'date-time' });
/** A calendar date the server answers, `YYYY-MM-DD`. */
export const dateOutput = z.string().meta({ format: 'date' });
/** A page of a list: `{ items, nextCursor }` (nextCursor is null on the last page). */
export const pageOutput = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
/** The answer of a mutation that has nothing more to say than that it was done. */
export const okOutput = z.object({ ok: z.literal(true) });
