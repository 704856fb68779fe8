import fc from 'fast-check';
import { z } from 'zod';
import { extremes, sample, type JsonSchema } from './sample-input.ts';

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  "' or 1=1 --",
  '"; drop table patient; --',
  '<script>alert(1)</script>',
  '%',
  '_',
  '\\',
  '../../etc/passwd',
  '\u202e',
  '😀',
  'x'.repeat(5000),
  '2026-02-30',
  ...extremes.texts,
  ...extremes.instants,
  ...extremes.dates,
);

/** Any moment JavaScript can hold from year 0000 on, mostly within the four-digit years. */
const anyMoment = fc.oneof(
  { weight: 3, arbitrary: fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }) },
  { weight: 1, arbitrary: fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date(8.64e15), noInvalidDate: true }) },
);
/** An instant at any offset up to ±23:59, past every real zone's and PostgreSQL's ±15:59. */
const anyInstant = fc.tuple(anyMoment, fc.integer({ min: -(24 * 60 - 1), max: 24 * 60 - 1 })).map(([d, offset]) => {
  const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  return `${d.toISOString().slice(0, -5)}${offset < 0 ? '-' : '+'}${hhmm}`;
});
const anyDate = anyMoment.map((d) => d.toISOString().slice(0, -14));

/**
 * Inputs for property tests, from a procedure's own schema: mostly the right shape, often with
 * hostile values in it, and now and then the wrong type altogether. `ids` are real ids worth hitting.
 */
export function arbitraryInput(schema: z.ZodType, ids: string[]): fc.Arbitrary<unknown> {
  return arbitraryFor(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, '', ids);
}

function arbitraryFor(schema: JsonSchema, name: string, ids: string[]): fc.Arbitrary<unknown> {
  const wrongType = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 5 }), fc.constant([]), fc.constant({}));
  const choice = schema.anyOf ?? schema.oneOf;
  const right: fc.Arbitrary<unknown> = choice
    ? fc.oneof(...choice.map((c) => arbitraryFor(c as JsonSchema, name, ids)))
    : schema.enum
      ? fc.oneof(fc.constantFrom(...schema.enum), fc.constant('not-a-member'))
      : (() => {
          switch (schema.type) {
            case 'object': {
              const props = Object.entries(schema.properties ?? {});
              if (!props.length) return fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 3 });
              const record = Object.fromEntries(props.map(([key, prop]) => [key, arbitraryFor(prop as JsonSchema, key, ids)]));
              return fc.record(record, { requiredKeys: schema.required?.filter((k) => k in record) ?? [] });
            }
            case 'string':
              return fc.oneof(
                { weight: 3, arbitrary: fc.constant(sample(schema, name)) },
                { weight: 2, arbitrary: hostileStrings },
                { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
                ...(schema.format === 'uuid' && ids.length
                  ? [
                      { weight: 3, arbitrary: fc.constantFrom(...ids) },
                      { weight: 1, arbitrary: fc.uuid() },
                    ]
                  : []),
                ...(schema.format?.startsWith('date')
                  ? [
                      {
                        weight: 2,
                        arbitrary: fc
                          .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
                          .map((d) => (schema.format === 'date' ? d.toISOString().slice(0, 10) : d.toISOString())),
                      },
                      { weight: 2, arbitrary: schema.format === 'date' ? anyDate : anyInstant },
                      { weight: 1, arbitrary: fc.constantFrom(...(schema.format === 'date' ? extremes.dates : extremes.instants)) },
                    ]
                  : []),
              );
            case 'integer':
              return fc.oneof(fc.constant(sample(schema, name)), fc.integer(), fc.constantFrom(0, -1, ...extremes.integers), ...(schema.maximum !== undefined ? [fc.constant(schema.maximum)] : []));
            case 'number':
              return fc.oneof(fc.constant(sample(schema, name)), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0.5, ...extremes.numbers));
            case 'boolean':
              return fc.boolean();
            case 'array': {
              // Now and then one more item than allowed (or 1,001 where no maximum is said).
              const tooMany = Array.from({ length: Math.min((schema.maxItems ?? 1000) + 1, 2001) }, () => sample(schema.items ?? {}, name));
              return fc.oneof({ weight: 9, arbitrary: fc.array(arbitraryFor(schema.items ?? {}, name, ids), { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(tooMany) });
            }
            default:
              return fc.anything({ maxDepth: 2 });
          }
        })();
  return fc.oneof({ weight: 9, arbitrary: right }, { weight: 1, arbitrary: wrongType });
}
