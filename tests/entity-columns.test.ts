import { EntitySchema, type EntityProperty } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { entityColumns } from '../server/entity-columns.ts';
import { patientColumnType } from '../server/modules/patients/patient-columns.ts';
import { Patient } from '../server/modules/patients/patient.entity.ts';
import { useTestOrm } from './harness.ts';

const orm = useTestOrm();

const ownColumns = (props: Record<string, EntityProperty>) => Object.values(props).filter((p) => p.kind !== '1:m' && p.kind !== 'm:n');

/** Hand-written SQL names its columns through entity-columns.ts, which reads them before the ORM has discovered anything. */
describe('the columns hand-written SQL names', () => {
  it('are the ones the ORM maps, for every entity', () => {
    for (const meta of orm().getMetadata().getAll().values()) {
      const schema = EntitySchema.REGISTRY.get(meta.class);
      expect(schema, `${meta.className} is defined with defineEntity`).toBeDefined();
      const discovered = Object.fromEntries(ownColumns(meta.properties as Record<string, EntityProperty>).map((p) => [p.name, p.fieldNames[0]]));
      expect(entityColumns(schema!), meta.className).toEqual(discovered);
    }
  });

  it('have the types the patient table has', async () => {
    const meta = orm().getMetadata().get(Patient);
    const [table] = await orm()
      .em.fork()
      .execute<{ types: Record<string, string> }[]>("select jsonb_object_agg(column_name, udt_name) as types from information_schema.columns where table_name = 'patient'");
    const alike: Record<string, string> = { varchar: 'text', int4: 'int', timestamptz: 'timestamptz' };
    for (const [k, type] of Object.entries(patientColumnType)) {
      const column = meta.properties[k as keyof typeof meta.properties].fieldNames[0]!;
      expect(alike[table!.types[column]!] ?? table!.types[column], k).toBe(type);
    }
  });
});
