import { z } from 'zod';

/**
 * A plausible, valid-looking input for a procedure, made from its own zod schema (via JSON Schema): only
 * the required fields, each with a value its constraints accept. Tests override the fields they care about.
 */
export type JsonSchema = {
  type?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  formatMinimum?: string;
  formatMaximum?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

const byName: Record<string, unknown> = {
  timeZone: 'Europe/Dublin',
  phone: '+353871234567',
  callbackPhone: '+353871234567',
  mrn: 'MRN-SAMPLE-1',
  questionnaireKey: 'phq-9',
  key: 'phq-9',
  code: '123456',
  country: 'IE',
  token: `${'a'.repeat(24)}.${'b'.repeat(32)}`,
  preferredLanguage: 'en',
  timeOfDay: '09:00',
};

function sampleString(schema: JsonSchema, name: string): string {
  if (schema.enum) return String(schema.enum[0]);
  if (typeof byName[name] === 'string') return byName[name] as string;
  switch (schema.format) {
    case 'email':
      return 'sample@example.test';
    case 'uuid':
      return '01a20a11-0000-7000-8000-000000000000';
    case 'date':
      return '2020-01-02';
    case 'date-time': // an hour ago, or for a span (startsAt/endsAt) a future hour
      return new Date(Date.now() + ({ startsAt: 24, endsAt: 25 }[name] ?? -1) * 3_600_000).toISOString();
  }
  if (/password/i.test(name)) return 'sample-password-123';
  if (/^(start|end)$/i.test(name)) return name === 'start' ? '09:00' : '12:00';
  return 'sample'.padEnd(schema.minLength ?? 0, 'x');
}

export function sample(schema: JsonSchema, name = ''): unknown {
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) return sample(choice[0]!, name);
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const; // a union's discriminator (billing's `line.kind`)
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties?.[key] ?? {}, key)]));
    case 'string':
      return sampleString(schema, name);
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return schema.minItems ? [sample(schema.items ?? {}, name)] : [];
    default:
      return undefined;
  }
}

export const inputJsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

export function sampleInput(schema: z.ZodType): Record<string, unknown> {
  return (sample(inputJsonSchema(schema)) ?? {}) as Record<string, unknown>;
}

/**
 * The values at the edges of what JSON can carry, by kind: each is either refused with a 400 or handled.
 * They are the class, not instances: zero and extreme years, offsets past any real zone, counts past any
 * column, NUL and unpaired surrogates (high and low, alone and next to text).
 */
export const extremes = {
  instants: [
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '1899-12-31T23:59:59Z',
    '2201-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00Z',
    '2026-06-01T09:00:00+15:59',
    '2026-06-01T09:00:00-23:59',
    '2026-06-01T09:00:00+24:00',
    '2026-06-01T09:00:00+14:01',
    '0000-01-01T00:00:00+14:00',
    '9999-12-31T23:59:59-14:00',
    '2026-06-01T09:00:00.1234567890123Z',
  ],
  dates: ['0000-01-01', '0001-01-01', '1849-12-31', '2201-01-01', '9999-12-31', '+275760-09-13', '0000-02-29', '9990-01-01'],
  texts: ['sam\u0000ple', '\u0000', '\ud800', '\udfff', 'sample\ud83d', '\ude00sample', 'a\ud800\u0000\udc00'],
  integers: [2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 1_000_000],
  numbers: [1e308, -1e308, 5e-324, 2 ** 31 + 0.5],
  /** Byte sequences that are not UTF-8: a lone continuation, overlong, truncated, an encoded surrogate, past U+10FFFF, 0xFF, a cut emoji. */
  invalidUtf8: [[0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xf0, 0x9f, 0x98]].map((b) => Buffer.from(b)),
} as const;

/**
 * Inputs that differ from the sample in one field each, set to an extreme value of its kind (and, for
 * arrays and records, one entry more than the schema allows, or 10,001 when it says no limit). Walks
 * optional fields and nested objects too, so a new field or procedure is covered without a new test.
 */
export function extremeVariants(schema: JsonSchema, name = ''): unknown[] {
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) return choice.flatMap((c) => extremeVariants(c, name));
  if (schema.enum || schema.const !== undefined) return [];
  switch (schema.type) {
    case 'object': {
      const base = sample(schema, name) as Record<string, unknown>;
      // Every field at once at the top or the bottom of its range: a far start with the largest count.
      const atEdges = (['max', 'min'] as const).map((end) => ({
        ...base,
        ...Object.fromEntries(
          Object.entries(schema.properties ?? {})
            .map(([key, prop]) => [key, edge(prop, key, end)])
            .filter(([, v]) => v !== undefined),
        ),
      }));
      const fields = Object.entries(schema.properties ?? {}).flatMap(([key, prop]) => extremeVariants(prop, key).map((v) => ({ ...base, [key]: v })));
      const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : null;
      if (!extra) return [...atEdges, ...fields];
      const many = Object.fromEntries(Array.from({ length: Math.min((schema.maxProperties ?? 10_000) + 1, 10_001) }, (_, i) => [`k${i}`, sample(extra, name)]));
      return [...atEdges, ...fields, ...extremeVariants(extra, name).map((v) => ({ ...base, k: v })), many];
    }
    case 'string':
      if (schema.format === 'date-time') return [...extremes.instants];
      if (schema.format === 'date') return [...extremes.dates];
      if (schema.format) return [];
      return extremes.texts.map((s) => s.replace('sample', sampleString(schema, name)));
    case 'integer':
      return [...extremes.integers];
    case 'number':
      return [...extremes.numbers];
    case 'array': {
      const item = schema.items ?? {};
      const many = Array.from({ length: Math.min((schema.maxItems ?? 10_000) + 1, 10_001) }, () => sample(item, name));
      return [...extremeVariants(item, name).map((v) => [v]), many];
    }
    default:
      return [];
  }
}

/** The required top-level fields of a procedure input that name a row: `id`, `patientId`, `clinicianId`… */
export function idFields(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return (json.required ?? []).filter((key) => key === 'id' || key.endsWith('Id'));
}

/** A value at the top or bottom of what the schema allows (beyond any sane value where it sets no bound). */
function edge(schema: JsonSchema, name: string, end: 'max' | 'min'): unknown {
  const choice = schema.anyOf ?? schema.oneOf;
  // At the top, null where allowed: no end date is the widest range of all.
  if (choice) return end === 'max' && choice.some((c) => c.type === 'null') ? null : edge(choice[0]!, name, end);
  if (schema.enum) return schema.enum[end === 'max' ? schema.enum.length - 1 : 0];
  const top = end === 'max';
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return (top ? schema.formatMaximum : schema.formatMinimum) ?? (top ? '9999-12-31T23:59:59Z' : '0000-01-01T00:00:00Z');
      if (schema.format === 'date') return (top ? schema.formatMaximum : schema.formatMinimum) ?? (top ? '9999-12-31' : '0000-01-01');
      // Text as long as allowed: a column shorter than the schema's limit shows here.
      if (top && !schema.format) {
        const long = 'x'.repeat(Math.min(schema.maxLength ?? 100_000, 100_000));
        if (patternsOf(schema).every((p) => new RegExp(p, 'u').test(long))) return long;
      }
      return sample(schema, name);
    case 'integer':
    case 'number':
      return (top ? schema.maximum : schema.minimum) ?? (top ? 2 ** 31 : -(2 ** 31) - 1);
    default:
      return sample(schema, name);
  }
}

/** A string schema's patterns: its own and those zod puts in `allOf` when there are several. */
export const patternsOf = (schema: JsonSchema): string[] => [schema.pattern, ...(schema.allOf ?? []).map((s) => s.pattern)].filter((p): p is string => !!p);
