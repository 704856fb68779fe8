import { UnderscoreNamingStrategy, type EntityProperty } from '@mikro-orm/core';

const naming = new UnderscoreNamingStrategy();

/** What is read of an entity's definition (`defineEntity`'s schema): its properties. */
type EntityDefinition = { meta: { properties: object } };

/** The properties of an entity that are columns of its own table (its collections are not). */
const columnProperties = (schema: EntityDefinition) => Object.entries(schema.meta.properties as Record<string, EntityProperty>).filter(([, prop]) => prop.kind !== '1:m' && prop.kind !== 'm:n');

/** A column named in the definition (`.fieldName()`, kept as `fieldName` until discovery), else the strategy's name. */
const columnOf = (name: string, prop: EntityProperty & { fieldName?: string }) =>
  prop.fieldNames?.[0] ?? prop.fieldName ?? (prop.kind === 'm:1' ? naming.joinKeyColumnName(name, 'id') : naming.propertyToColumnName(name));

/**
 * Each property's column, read from the entity's definition and named as the ORM names it (its default
 * naming strategy, which orm.ts keeps; tests/entity-columns.test.ts holds this to the ORM's discovered
 * metadata), for hand-written SQL: a column is then named once, in its entity. Read at import time, so a
 * statement built from it is a constant, as one written by hand is.
 */
export function entityColumns<P extends string>(schema: EntityDefinition): Record<P, string> {
  return Object.fromEntries(columnProperties(schema).map(([name, prop]) => [name, columnOf(name, prop)])) as Record<P, string>;
}

const sqlTypes: Record<string, string> = {
  UuidType: 'uuid',
  StringType: 'text',
  TextType: 'text',
  JsonType: 'jsonb',
  DateType: 'date',
  DateTimeType: 'timestamptz',
  IntegerType: 'int',
  BooleanType: 'bool',
};

/** Each property's SQL type, as a cast or an array parameter spells it (a relation is its uuid key). */
export function entityColumnTypes<P extends string>(schema: EntityDefinition): Record<P, string> {
  return Object.fromEntries(columnProperties(schema).map(([name, prop]) => [name, sqlTypeOf(name, prop)])) as Record<P, string>;
}

function sqlTypeOf(name: string, prop: EntityProperty): string {
  if (prop.kind === 'm:1') return 'uuid';
  if (prop.enum) return 'text';
  const type = (prop.type as { name?: string } | undefined)?.name ?? String(prop.type);
  const sqlType = sqlTypes[type];
  if (!sqlType) throw new Error(`entity-columns.ts: no SQL type for ${name} (${type})`);
  return sqlType;
}
