import { z } from 'zod';
import { appRouter } from '../../root-router.ts';
import type { Meta } from '../../trpc.ts';

export type JsonSchema = Record<string, unknown>;
type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[]; output?: z.ZodType; meta?: Meta } };

/** One procedure as a caller in any language sees it: what it sends and what it gets back, as JSON Schema. */
export type ProcedureSchemas = {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  meta: Meta;
  /** What a caller sends (the input side of transforms and defaults); null for a procedure without input. */
  input: JsonSchema | null;
  /** What the procedure answers (its `.output` schema); null where it has none. */
  output: JsonSchema | null;
};

/** JSON Schema 2020-12, OpenAPI 3.1's own dialect. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
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
    meta: _def.meta ?? {},
    input: _def.inputs[0] ? jsonSchema(_def.inputs[0], 'input') : null,
    output: _def.output ? jsonSchema(_def.output, 'output') : null,
  }));
}
