import { compile, type JSONSchema } from 'json-schema-to-typescript';
import type { JsonSchema, ProcedureSchemas } from './procedure-schemas.ts';

/** `patients.list`, 'output' → `PatientsListOutput`. */
function typeName(path: string, side: 'input' | 'output'): string {
  return [...path.split('.'), side].map((part) => part[0]!.toUpperCase() + part.slice(1)).join('');
}

/**
 * One schema's `$defs` (zod writes them for recursive schemas and ids) renamed under the type's own name, so that
 * all schemas can be compiled as one document: two procedures' `__schema0` must not meet.
 */
function ownDefs(name: string, schema: JsonSchema): { schema: JsonSchema; defs: Record<string, unknown> } {
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        if (key !== '$ref' || typeof v !== 'string') return [key, rename(v)];
        if (v === '#') return [key, `#/properties/${name}`];
        if (v.startsWith('#/$defs/')) return [key, `#/$defs/${name}_${v.slice('#/$defs/'.length)}`];
        throw new Error(`${name}: $ref ${v} is neither the schema itself nor one of its $defs`);
      }),
    );
  };
  const { $defs = {}, ...rest } = rename(schema) as JsonSchema & { $defs?: Record<string, unknown> };
  return { schema: rest, defs: Object.fromEntries(Object.entries($defs).map(([key, def]) => [`${name}_${key}`, def])) };
}

/** The input and output types of every procedure, as TypeScript declarations named after their paths. */
async function schemaTypes(procedures: ProcedureSchemas[]): Promise<string> {
  const properties: Record<string, unknown> = {};
  let $defs: Record<string, unknown> = {};
  for (const { path, input, output } of procedures) {
    for (const [side, schema] of [['input', input] as const, ['output', output] as const]) {
      if (!schema) continue;
      const name = typeName(path, side);
      const own = ownDefs(name, schema);
      // A title makes json-schema-to-typescript declare the type under that name rather than inline it.
      properties[name] = { ...own.schema, title: name };
      $defs = { ...$defs, ...own.defs };
    }
  }
  const document = { type: 'object', properties, $defs } as JSONSchema;
  const declarations = await compile(document, 'AllSchemas', {
    bannerComment: '',
    // An object zod does not declare open (z.looseObject, z.record) has only its own keys, as z.infer says.
    additionalProperties: false,
    // `T[]`, as z.infer says, not a union of tuples for an array with a length bound.
    ignoreMinAndMaxItems: true,
    unknownAny: true,
    strictIndexSignatures: false,
  });
  // Type aliases, not interfaces: a DTO is then assignable to Record<string, unknown>, as z.infer's types are.
  return declarations
    .replace(/^export interface AllSchemas \{\n[\s\S]*?^\}\n/m, '')
    .replace(/^export interface (\w+) \{$/gm, 'export type $1 = {')
    .replace(/^\}$/gm, '};');
}

const procedureKinds = { query: 'TRPCQueryProcedure', mutation: 'TRPCMutationProcedure', subscription: 'TRPCSubscriptionProcedure' } as const;

/**
 * The declaration of one procedure, as tRPC's own `TRPCQueryProcedure<…>`, `TRPCMutationProcedure<…>` and
 * `TRPCSubscriptionProcedure<…>`; a subscription's output is its stream of tracked events, as tRPC infers it.
 */
function procedureType({ path, type, input, output }: ProcedureSchemas): string {
  // An input with a default (zod's `.default()`, `.prefault()`) may be left out.
  const inputType = !input ? 'void' : 'default' in input ? `${typeName(path, 'input')} | undefined` : typeName(path, 'input');
  if (!output) throw new Error(`${path}: no .output schema, so no output type`);
  const outputType = type === 'subscription' ? `AsyncIterable<{ id: string; data: ${typeName(path, 'output')} }, any, any>` : typeName(path, 'output');
  return `${procedureKinds[type]}<{ input: ${inputType}; output: ${outputType}; meta: object; errorShape: PamsErrorShape }>`;
}

/** The procedures as nested records, `{ patients: { list: … } }`, in the router's order; `depth` parts of each path are placed. */
function routerRecord(procedures: ProcedureSchemas[], depth = 0): string {
  const indent = '  '.repeat(depth + 2);
  const groups = new Map<string, ProcedureSchemas[]>();
  const lines: string[] = [];
  for (const procedure of procedures) {
    const parts = procedure.path.split('.').slice(depth);
    if (parts.length === 1) lines.push(`${indent}${parts[0]}: ${procedureType(procedure)};`);
    else groups.set(parts[0]!, [...(groups.get(parts[0]!) ?? []), procedure]);
  }
  for (const [head, members] of groups) lines.push(`${indent}${head}: {\n${routerRecord(members, depth + 1)}\n${indent}};`);
  return lines.join('\n');
}

/**
 * The client package's `app-router.d.ts`: the AppRouter type written out from the router's zod schemas, so that a
 * frontend type-checks against plain DTO types and tRPC's own types, never the server's sources, ORM or drivers.
 Every procedure must have an `.output` schema: the build fails naming those that have none.
 */
export async function appRouterDeclarations(procedures: ProcedureSchemas[]): Promise<string> {
  const missing = procedures.filter((procedure) => !procedure.output).map((procedure) => procedure.path);
  if (missing.length > 0) throw new Error(`These procedures have no .output schema, so no output type: ${missing.join(', ')}`);
  return `// Generated by server/build-client.ts from the router's zod schemas (procedureSchemas()): do not edit.
import type { TRPC_ERROR_CODE_NUMBER, TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from '@trpc/server';
import type { PamsErrorData } from './errors.js';

/** What every error's \`data\` holds (server/trpc.ts's errorFormatter): \`TRPCClientError<AppRouter>['data']\`. */
export type PamsErrorShape = {
  code: TRPC_ERROR_CODE_NUMBER;
  message: string;
  data: PamsErrorData & { code: string; httpStatus: number; path?: string };
};

export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: PamsErrorShape; transformer: false },
  {
${routerRecord(procedures)}
  }
>;

${await schemaTypes(procedures)}`;
}
