import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { inputJsonSchema, patternsOf, type JsonSchema } from './sample-input.ts';

/**
 * A guard on the input schemas, read from each procedure's JSON schema (what OpenAPI publishes): every
 * string is bounded in length and refuses NUL and unpaired surrogates, every date and instant has a range,
 * every integer fits a PostgreSQL integer, every number has a range, every list and map a maximum size.
 * It fails closed: a new procedure or field is checked without editing this file.
 */

type Procedure = { _def: { inputs: z.ZodType[] } };
type Node = JsonSchema & { $ref?: string; $defs?: Record<string, JsonSchema>; prefixItems?: JsonSchema[]; propertyNames?: JsonSchema };

/** Where the schema says "anything", on purpose: seed documents are parsed by the questionnaire schema on arrival. */
const unconstrainedOnPurpose = new Set(['questionnaires.seed: files[].documents[]']);
/**
 * Text checked field by field on purpose: an HL7 v2 message with a NUL in one field is answered with an ACK
 * naming that field (an interface engine resends a message refused without an ACK for ever).
 */
const textCheckedInsideOnPurpose = new Set(['hl7.receive: message', 'hl7.receiveBatch: messages[]']);

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const refusedText = ['\u0000', 'a\u0000b', '\ud800', 'a\udc00', 'a\ud83d'];
const boundedFormats = new Set(['uuid', 'date', 'date-time']);

function problems(path: string, schema: Node, root: Node, seen = new Set<string>()): string[] {
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return [];
    const target = root.$defs?.[schema.$ref.replace('#/$defs/', '')];
    return target ? problems(path, target, root, new Set([...seen, schema.$ref])) : [`${path}: unresolved ${schema.$ref}`];
  }
  const out: string[] = [];
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) out.push(...problems(path, branch, root, seen));
  if (schema.anyOf || schema.oneOf) return out;
  if (schema.enum || schema.const !== undefined) return out;
  switch (schema.type) {
    case 'string': {
      if (schema.maxLength === undefined && !boundedFormats.has(schema.format ?? '')) out.push(`${path}: a string without maxLength`);
      const patterns = patternsOf(schema).map((p) => new RegExp(p, 'u'));
      const accepted = refusedText.filter((s) => patterns.every((p) => p.test(s)));
      if (accepted.length && !textCheckedInsideOnPurpose.has(path)) out.push(`${path}: accepts ${accepted.map((s) => JSON.stringify(s)).join(', ')} (build it with text())`);
      if ((schema.format === 'date' || schema.format === 'date-time') && (!schema.formatMinimum || !schema.formatMaximum)) out.push(`${path}: a ${schema.format} without formatMinimum/formatMaximum`);
      return out;
    }
    case 'integer':
      if (!(schema.minimum! >= INT_MIN && schema.maximum! <= INT_MAX)) out.push(`${path}: an integer not bounded to a PostgreSQL integer (${schema.minimum}..${schema.maximum})`);
      return out;
    case 'number':
      if (!Number.isFinite(schema.minimum) || !Number.isFinite(schema.maximum)) out.push(`${path}: a number without minimum and maximum`);
      return out;
    case 'boolean':
    case 'null':
      return out;
    case 'array':
      if (schema.maxItems === undefined) out.push(`${path}: an array without maxItems`);
      for (const [i, item] of (schema.prefixItems ?? []).entries()) out.push(...problems(`${path}[${i}]`, item, root, seen));
      if (schema.items) out.push(...problems(`${path}[]`, schema.items as Node, root, seen));
      return out;
    case 'object': {
      for (const [key, prop] of Object.entries(schema.properties ?? {})) out.push(...problems(path.endsWith(':') ? `${path} ${key}` : `${path}.${key}`, prop, root, seen));
      const extra = schema.additionalProperties;
      if (typeof extra === 'object') {
        if (schema.maxProperties === undefined) out.push(`${path}: a record without maxProperties (use boundedRecord)`);
        out.push(...problems(`${path}{}`, extra as Node, root, seen));
        if (schema.propertyNames) out.push(...problems(`${path}{key}`, schema.propertyNames, root, seen));
      }
      return out;
    }
    default:
      return unconstrainedOnPurpose.has(path) ? out : [...out, `${path}: a value of any type`];
  }
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>).filter(([, p]) => p._def.inputs[0]);

describe('every input is bounded', () => {
  it('checks the whole router', () => {
    expect(procedures.length).toBeGreaterThan(50);
  });

  for (const [path, procedure] of procedures) {
    it(`${path}: every string, date, number, list and map has its bounds`, () => {
      const schema = inputJsonSchema(procedure._def.inputs[0]!) as Node;
      expect(problems(`${path}:`, schema, schema)).toEqual([]);
    });
  }

  it('the guard itself finds an unbounded string, date, number, list and map', () => {
    const loose = z.object({ s: z.string(), d: z.iso.date(), n: z.number(), i: z.number().int(), a: z.array(z.boolean()), r: z.record(z.string().max(3), z.boolean()), u: z.unknown() });
    const schema = inputJsonSchema(loose) as Node;
    expect(problems('loose:', schema, schema)).toEqual([
      'loose: s: a string without maxLength',
      'loose: s: accepts "\\u0000", "a\\u0000b", "\\ud800", "a\\udc00", "a\\ud83d" (build it with text())',
      'loose: d: a date without formatMinimum/formatMaximum',
      'loose: n: a number without minimum and maximum',
      `loose: i: an integer not bounded to a PostgreSQL integer (${Number.MIN_SAFE_INTEGER}..${Number.MAX_SAFE_INTEGER})`,
      'loose: a: an array without maxItems',
      'loose: r: a record without maxProperties (use boundedRecord)',
      'loose: r{key}: accepts "\\u0000", "a\\u0000b", "\\ud800", "a\\udc00", "a\\ud83d" (build it with text())',
      'loose: u: a value of any type',
    ]);
  });
});
