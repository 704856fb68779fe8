import { Migration } from '@mikro-orm/migrations';
import { contentHash } from '../server/canonical-json.ts';
import { ucumCodeOf } from '../shared/ucum.ts';

type Row = { id: string; patient_id: string; kind: 'allergy' | 'observation'; data: Record<string, unknown>; import_key: string | null; imported: { status: string; data: Record<string, unknown> } | null };

/**
 * Record data in the shapes the schemas now write: an allergy's one `reaction` text becomes its list of
 * `reactions` (split on ";", which HL7 imports joined them with), and an observation whose unit is a UCUM
 * code gets it as `unitCode`. Kept here, not imported, so this migration keeps doing what it did.
 */
function upgrade(kind: Row['kind'], data: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'allergy' && typeof data.reaction === 'string') {
    const { reaction, ...rest } = data;
    const reactions = reaction.split(';').map((r) => r.trim()).filter(Boolean);
    return reactions.length ? { ...rest, reactions } : rest;
  }
  if (kind === 'observation' && typeof data.unit === 'string' && data.unitCode === undefined) {
    const unitCode = ucumCodeOf(data.unit);
    return unitCode ? { ...data, unitCode } : data;
  }
  return data;
}

export class Migration20261201194756_hl7_fidelity extends Migration {

  override name = 'Migration20261201194756_hl7_fidelity';

  override async up(): Promise<void> {
    this.addSql(`alter table "practice" add "hl7_sending_application" varchar(180) null, add "hl7_sending_facility" varchar(180) null;`);

    this.addSql(`alter table "patient" add "middle_names" jsonb not null default '[]';`);

    await this.upgradeRecords();
  }

  /**
   * Rewrites old-shaped records in batches. A CSV row imported without an external id is found again by a
   * digest of its fields and status as imported (see import-rows.ts): that key is recomputed from the
   * upgraded first version, so importing the same file again still finds the record instead of copying it.
   */
  private async upgradeRecords() {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await this.execute(
        `select c.id, c.patient_id, c.kind, c.data, c.import_key, case when c.import_key like 'sha256:%' then r.after end as imported
         from clinical_record c left join record_revision r on r.record_id = c.id and r.version = 1
         where c.id > ? and ((c.kind = 'allergy' and c.data->'reaction' is not null) or (c.kind = 'observation' and c.data->'unit' is not null and c.data->'unitCode' is null))
         order by c.id limit 2000`,
        [after],
      )) as Row[];
      if (!rows.length) return;
      after = rows.at(-1)!.id;
      const taken = new Set<string>();
      const changes = rows.flatMap((row) => {
        const data = upgrade(row.kind, row.data);
        if (data === row.data) return [];
        let importKey = row.import_key;
        // The digest took the row's status as given: none (null) when the file had no status column.
        const imported = row.imported;
        const status = imported && [imported.status, null].find((s) => row.import_key === `sha256:${contentHash({ fields: imported.data, status: s })}`);
        if (imported && status !== undefined) {
          const rekeyed = `sha256:${contentHash({ fields: upgrade(row.kind, imported.data), status })}`;
          if (!taken.has(`${row.patient_id} ${row.kind} ${rekeyed}`)) importKey = rekeyed;
        }
        taken.add(`${row.patient_id} ${row.kind} ${importKey}`);
        return [{ id: row.id, data, import_key: importKey }];
      });
      if (!changes.length) continue;
      await this.execute(
        `update clinical_record c set data = x.data, import_key = case
           when exists (select 1 from clinical_record o where o.patient_id = c.patient_id and o.kind = c.kind and o.import_key = x.import_key and o.id <> c.id) then c.import_key
           else x.import_key end
         from jsonb_to_recordset(?::jsonb) as x(id uuid, data jsonb, import_key text) where c.id = x.id`,
        [JSON.stringify(changes)],
      );
    }
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "patient" drop column "middle_names";`);
    this.addSql(`alter table "practice" drop column "hl7_sending_application", drop column "hl7_sending_facility";`);
  }

}
