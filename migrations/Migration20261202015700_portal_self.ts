import { Migration } from '@mikro-orm/migrations';

export class Migration20261202015700_portal_self extends Migration {

  override name = 'Migration20261202015700_portal_self';

  override up(): void | Promise<void> {
    this.addSql(`create table "patient_revision" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "changed_by" uuid not null, "changed_at" timestamptz not null, "before" jsonb not null, "after" jsonb not null, primary key ("id"));`);
    this.addSql(`create index "patient_revision_patient_id_changed_at_index" on "patient_revision" ("patient_id", "changed_at");`);

    this.addSql(`alter table "assessment" drop constraint "assessment_status_check";`);
    this.addSql(`alter table "assessment" add "abandoned_by" uuid null, add "abandoned_at" timestamptz null, add "abandon_reason" varchar(500) null;`);
    this.addSql(`alter table "assessment" add constraint "assessment_status_check" check ("status" in ('assigned', 'in-progress', 'submitted', 'abandoned'));`);

    this.addSql(`alter table "patient_revision" add constraint "patient_revision_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "patient_revision" cascade;`);

    this.addSql(`alter table "assessment" drop constraint "assessment_status_check";`);
    this.addSql(`alter table "assessment" drop column "abandoned_by", drop column "abandoned_at", drop column "abandon_reason";`);
    this.addSql(`alter table "assessment" add constraint "assessment_status_check" check ("status" in ('assigned', 'in-progress', 'submitted'));`);
  }

}
