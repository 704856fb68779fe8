import { Migration } from '@mikro-orm/migrations';

export class Migration20261123203834_clinical_record extends Migration {

  override name = 'Migration20261123203834_clinical_record';

  override up(): void | Promise<void> {
    // Trigram indexes for partial, accent-free patient search; btree_gist for scheduling's exclusion constraints.
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create extension if not exists btree_gist;`);
    this.addSql(`create table "record_revision" ("id" uuid not null, "practice_id" uuid not null, "record_id" uuid not null, "version" int not null, "action" text not null, "changed_by" uuid not null, "changed_at" timestamptz not null, "before" jsonb null, "after" jsonb not null, primary key ("id"));`);
    this.addSql(`create index "record_revision_record_id_index" on "record_revision" ("record_id");`);

    this.addSql(`create table "patient" ("id" uuid not null, "practice_id" uuid not null, "mrn" varchar(32) not null, "given_name" varchar(100) not null, "family_name" varchar(100) not null, "birth_date" date not null, "gender" text not null, "email" varchar(320) null, "phone" varchar(20) null, "address" jsonb null, "preferred_language" varchar(35) null, "time_zone" varchar(64) not null, "emergency_contact" jsonb null, "status" text not null default 'active', "portal_user_id" uuid null, "search_name" text not null, "sort_name" text not null, "phone_digits" varchar(20) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "patient" add constraint "patient_portal_user_id_unique" unique ("portal_user_id");`);
    this.addSql(`create index "patient_practice_id_status_sort_name_id_index" on "patient" ("practice_id", "status", "sort_name", "id");`);
    this.addSql(`create index "patient_practice_id_birth_date_index" on "patient" ("practice_id", "birth_date");`);
    this.addSql(`create index "patient_practice_id_email_index" on "patient" ("practice_id", "email");`);
    this.addSql(`create index "patient_search_name_trgm" on "patient" using gin ("search_name" gin_trgm_ops);`);
    this.addSql(`create index "patient_phone_digits_trgm" on "patient" using gin ("phone_digits" gin_trgm_ops);`);
    this.addSql(`alter table "patient" add constraint "patient_practice_id_mrn_unique" unique ("practice_id", "mrn");`);

    this.addSql(`create table "related_person" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "relationship" varchar(100) not null, "name" varchar(200) not null, "phone" varchar(20) null, "email" varchar(320) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "related_person_patient_id_index" on "related_person" ("patient_id");`);

    this.addSql(`create table "clinical_record" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "kind" text not null, "status" varchar(40) not null, "data" jsonb not null, "occurred_at" timestamptz not null, "version" int not null default 1, "created_at" timestamptz not null, "created_by" uuid not null, "updated_at" timestamptz not null, "updated_by" uuid not null, primary key ("id"));`);
    this.addSql(`create index "clinical_record_patient_id_kind_occurred_at_id_index" on "clinical_record" ("patient_id", "kind", "occurred_at", "id");`);

    this.addSql(`create table "guardianship" ("id" uuid not null, "practice_id" uuid not null, "dependent_id" uuid not null, "guardian_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "guardianship_guardian_id_index" on "guardianship" ("guardian_id");`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_dependent_id_guardian_id_unique" unique ("dependent_id", "guardian_id");`);

    this.addSql(`create table "care_team_member" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "clinician_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "care_team_member_clinician_id_index" on "care_team_member" ("clinician_id");`);
    this.addSql(`alter table "care_team_member" add constraint "care_team_member_patient_id_clinician_id_unique" unique ("patient_id", "clinician_id");`);

    this.addSql(`alter table "record_revision" add constraint "record_revision_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "record_revision" add constraint "record_revision_action_check" check ("action" in ('created', 'updated', 'status-changed'));`);

    this.addSql(`alter table "patient" add constraint "patient_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "patient" add constraint "patient_portal_user_id_foreign" foreign key ("portal_user_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "patient" add constraint "patient_gender_check" check ("gender" in ('male', 'female', 'other', 'unknown'));`);
    this.addSql(`alter table "patient" add constraint "patient_status_check" check ("status" in ('active', 'archived'));`);

    this.addSql(`alter table "related_person" add constraint "related_person_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "related_person" add constraint "related_person_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);

    this.addSql(`alter table "clinical_record" add constraint "clinical_record_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "clinical_record" add constraint "clinical_record_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "clinical_record" add constraint "clinical_record_kind_check" check ("kind" in ('allergy', 'medication', 'condition', 'observation', 'history'));`);

    this.addSql(`alter table "guardianship" add constraint "guardianship_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_dependent_id_foreign" foreign key ("dependent_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "guardianship" add constraint "guardianship_guardian_id_foreign" foreign key ("guardian_id") references "users" ("id");`);

    this.addSql(`alter table "care_team_member" add constraint "care_team_member_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "care_team_member" add constraint "care_team_member_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "care_team_member" add constraint "care_team_member_clinician_id_foreign" foreign key ("clinician_id") references "users" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "related_person" drop constraint "related_person_patient_id_foreign";`);
    this.addSql(`alter table "clinical_record" drop constraint "clinical_record_patient_id_foreign";`);
    this.addSql(`alter table "guardianship" drop constraint "guardianship_dependent_id_foreign";`);
    this.addSql(`alter table "care_team_member" drop constraint "care_team_member_patient_id_foreign";`);

    this.addSql(`drop table if exists "record_revision" cascade;`);
    this.addSql(`drop table if exists "patient" cascade;`);
    this.addSql(`drop table if exists "related_person" cascade;`);
    this.addSql(`drop table if exists "clinical_record" cascade;`);
    this.addSql(`drop table if exists "guardianship" cascade;`);
    this.addSql(`drop table if exists "care_team_member" cascade;`);

  }

}
