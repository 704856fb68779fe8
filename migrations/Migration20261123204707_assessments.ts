import { Migration } from '@mikro-orm/migrations';

export class Migration20261123204707_assessments extends Migration {

  override name = 'Migration20261123204707_assessments';

  override up(): void | Promise<void> {
    this.addSql(`create table "question_bank_item" ("id" uuid not null, "practice_id" uuid not null, "bank" varchar(64) not null, "item_id" varchar(64) not null, "definition" jsonb not null, "content_hash" varchar(64) not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "question_bank_item" add constraint "question_bank_item_practice_id_item_id_unique" unique ("practice_id", "item_id");`);

    this.addSql(`create table "questionnaire" ("id" uuid not null, "practice_id" uuid null, "key" varchar(64) not null, "title" varchar(200) not null, "latest_version" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create unique index "questionnaire_practice_key_unique" on "questionnaire" ("practice_id", "key") nulls not distinct;`);

    this.addSql(`create table "questionnaire_version" ("id" uuid not null, "questionnaire_id" uuid not null, "version" int not null, "definition" jsonb not null, "content_hash" varchar(64) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "questionnaire_version" add constraint "questionnaire_version_questionnaire_id_version_unique" unique ("questionnaire_id", "version");`);

    this.addSql(`create table "assessment" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "questionnaire_id" uuid not null, "questionnaire_version_id" uuid not null, "status" text not null, "assigned_to_patient" boolean not null default false, "answers" jsonb not null, "total" double precision null, "subscales" jsonb null, "severity" varchar(64) null, "severity_label" varchar(200) null, "flags" jsonb null, "amends_id" uuid null, "started_by" uuid not null, "submitted_by" uuid null, "submitted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "assessment_patient_id_questionnaire_id_submitted_at_index" on "assessment" ("patient_id", "questionnaire_id", "submitted_at");`);
    this.addSql(`create index "assessment_practice_id_created_at_id_index" on "assessment" ("practice_id", "created_at", "id");`);

    this.addSql(`create table "alert" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "assessment_id" uuid not null, "code" varchar(64) not null, "label" varchar(500) not null, "created_at" timestamptz not null, "acknowledged_by" uuid null, "acknowledged_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "alert_practice_id_acknowledged_at_created_at_index" on "alert" ("practice_id", "acknowledged_at", "created_at");`);

    this.addSql(`alter table "invite" drop constraint "invite_role_check";`);
    this.addSql(`alter table "invite" add "patient_id" uuid null;`);
    this.addSql(`alter table "invite" add constraint "invite_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "invite" add constraint "invite_role_check" check ("role" in ('admin', 'clinician', 'patient'));`);

    this.addSql(`alter table "question_bank_item" add constraint "question_bank_item_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);

    this.addSql(`alter table "questionnaire" add constraint "questionnaire_practice_id_foreign" foreign key ("practice_id") references "practice" ("id") on delete cascade;`);

    this.addSql(`alter table "questionnaire_version" add constraint "questionnaire_version_questionnaire_id_foreign" foreign key ("questionnaire_id") references "questionnaire" ("id");`);

    this.addSql(`alter table "assessment" add constraint "assessment_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "assessment" add constraint "assessment_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "assessment" add constraint "assessment_questionnaire_id_foreign" foreign key ("questionnaire_id") references "questionnaire" ("id");`);
    this.addSql(`alter table "assessment" add constraint "assessment_questionnaire_version_id_foreign" foreign key ("questionnaire_version_id") references "questionnaire_version" ("id");`);
    this.addSql(`alter table "assessment" add constraint "assessment_amends_id_foreign" foreign key ("amends_id") references "assessment" ("id") on delete set null;`);
    this.addSql(`alter table "assessment" add constraint "assessment_status_check" check ("status" in ('assigned', 'in-progress', 'submitted'));`);

    this.addSql(`alter table "alert" add constraint "alert_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "alert" add constraint "alert_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "alert" add constraint "alert_assessment_id_foreign" foreign key ("assessment_id") references "assessment" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "questionnaire_version" drop constraint "questionnaire_version_questionnaire_id_foreign";`);
    this.addSql(`alter table "assessment" drop constraint "assessment_questionnaire_id_foreign";`);
    this.addSql(`alter table "assessment" drop constraint "assessment_questionnaire_version_id_foreign";`);
    this.addSql(`alter table "assessment" drop constraint "assessment_amends_id_foreign";`);
    this.addSql(`alter table "alert" drop constraint "alert_assessment_id_foreign";`);

    this.addSql(`drop table if exists "question_bank_item" cascade;`);
    this.addSql(`drop table if exists "questionnaire" cascade;`);
    this.addSql(`drop table if exists "questionnaire_version" cascade;`);
    this.addSql(`drop table if exists "assessment" cascade;`);
    this.addSql(`drop table if exists "alert" cascade;`);

    this.addSql(`alter table "invite" drop constraint "invite_patient_id_foreign";`);


    this.addSql(`alter table "invite" drop constraint "invite_role_check";`);
    this.addSql(`alter table "invite" drop column "patient_id";`);
    this.addSql(`alter table "invite" add constraint "invite_role_check" check ("role" in ('admin', 'clinician'));`);
  }

}
