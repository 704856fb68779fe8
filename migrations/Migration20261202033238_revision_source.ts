import { Migration } from '@mikro-orm/migrations';

export class Migration20261202033238_revision_source extends Migration {

  override name = 'Migration20261202033238_revision_source';

  override up(): void | Promise<void> {
    this.addSql(`alter table "patient_revision" add "source" text not null default 'staff', add "source_ref" text null;`);
    this.addSql(`alter table "patient_revision" add constraint "patient_revision_source_check" check ("source" in ('staff', 'portal', 'import', 'hl7'));`);
    // Revisions so far came from patients.update or, by a patient's account, portal.updateProfile.
    this.addSql(`update "patient_revision" r set "source" = 'portal' from "users" u where u."id" = r."changed_by" and u."role" = 'patient';`);

    this.addSql(`create index "patient_merged_into_id_index" on "patient" ("merged_into_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "patient_merged_into_id_index";`);
    this.addSql(`alter table "patient_revision" drop constraint "patient_revision_source_check";`);
    this.addSql(`alter table "patient_revision" drop column "source", drop column "source_ref";`);
  }

}
