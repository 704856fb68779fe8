import { z } from 'zod';

/**
 * A plausible, valid-looking input for a procedure, made from its own zod schema (via JSON Schema): only
 * the required fields, each with a value its constraints accept. Tests override the fields they care about.
 */
type JsonSchema = {
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

const byName: Record<string, unknown> = {
  timeZone: 'Europe/Dublin',
  phone: '+353871234567',
  mrn: 'MRN-SAMPLE-1',
  questionnaireKey: 'phq-9',
  key: 'phq-9',
  code: '123456',
  country: 'IE',
  token: `${'a'.repeat(24)}.${'b'.repeat(32)}`,
  preferredLanguage: 'en',
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

export function sampleInput(schema: z.ZodType): Record<string, unknown> {
  return (sample(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema) ?? {}) as Record<string, unknown>;
}

/** The required top-level fields of a procedure input that name a row: `id`, `patientId`, `clinicianId`… */
export function idFields(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return (json.required ?? []).filter((key) => key === 'id' || key.endsWith('Id'));
}
