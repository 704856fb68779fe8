import { z } from 'zod';
import { appRouter } from '../../root-router.ts';

export type JsonSchema = Record<string, unknown>;
type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[]; output?: z.ZodType; meta?: { events?: z.ZodType } } };

/** One procedure as a caller in any language sees it: what it sends and what it gets back, as JSON Schema. */
export type ProcedureSchemas = {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** What a caller sends (the input side of transforms and defaults); null for a procedure without input. */
  input: JsonSchema | null;
  /** What the procedure answers (its `.output` schema; a subscription's, each event: its `events` meta); null where it has none. */
  output: JsonSchema | null;
};

/**
 * The instants' and dates' ranges (shared/schemas/common.ts) are ajv's `formatMinimum`/`formatMaximum`, which
 * are not JSON Schema keywords: OpenAPI validators refuse them, so they are carried as `x-` extensions.
 */
function asExtensions({ jsonSchema }: { jsonSchema: JsonSchema }) {
  for (const key of ['formatMinimum', 'formatMaximum']) {
    if (!(key in jsonSchema)) continue;
    jsonSchema[`x-${key}`] = jsonSchema[key];
    delete jsonSchema[key];
  }
}

/** JSON Schema 2020-12, OpenAPI 3.1's own dialect. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', override: asExtensions }) as JsonSchema;
  return rest;
}

/**
 * Every procedure of the router, in its order, with the JSON Schema of its zod input and output: the one
 * source of the OpenAPI document and of the client package's declarations, so neither can drift from the API.
 */
export function procedureSchemas(): ProcedureSchemas[] {
  return Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>).map(([path, { _def }]) => ({
    path,
    type: _def.type,
    input: _def.inputs[0] ? jsonSchema(_def.inputs[0], 'input') : null,
    output: (_def.output ?? _def.meta?.events) ? jsonSchema((_def.output ?? _def.meta?.events)!, 'output') : null,
  }));
}
