import { Migration } from '@mikro-orm/migrations';

export class Migration20261202022024_self_sign_up extends Migration {

  override name = 'Migration20261202022024_self_sign_up';

  override up(): void | Promise<void> {
    this.addSql(`create table "sign_up" ("id" varchar(32) not null, "practice_id" uuid not null, "email" varchar(320) not null, "given_name" varchar(100) not null, "family_name" varchar(100) not null, "birth_date" date not null, "password_hash" text not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "sign_up_email_index" on "sign_up" ("email");`);

    this.addSql(`alter table "practice" add "patient_sign_up" text not null default 'off', add "slug" varchar(63) null;`);
    this.addSql(`alter table "practice" add constraint "practice_slug_unique" unique ("slug");`);
    this.addSql(`alter table "practice" add constraint "practice_patient_sign_up_check" check ("patient_sign_up" in ('off', 'open'));`);

    this.addSql(`alter table "patient" drop constraint "patient_status_check";`);
    this.addSql(`alter table "patient" add "self_registered" boolean not null default false, add "merged_into_id" uuid null;`);
    this.addSql(`alter table "patient" add constraint "patient_status_check" check ("status" in ('active', 'archived', 'merged'));`);

    this.addSql(`alter table "care_team_member" drop constraint "care_team_member_patient_status_check";`);
    this.addSql(`alter table "care_team_member" add constraint "care_team_member_patient_status_check" check ("patient_status" in ('active', 'archived', 'merged'));`);

    this.addSql(`alter table "sign_up" add constraint "sign_up_practice_id_foreign" foreign key ("practice_id") references "practice" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sign_up" cascade;`);

    this.addSql(`alter table "care_team_member" drop constraint "care_team_member_patient_status_check";`);
    this.addSql(`alter table "care_team_member" add constraint "care_team_member_patient_status_check" check ("patient_status" in ('active', 'archived'));`);

    this.addSql(`alter table "patient" drop constraint "patient_status_check";`);
    this.addSql(`alter table "patient" drop column "self_registered", drop column "merged_into_id";`);
    this.addSql(`alter table "patient" add constraint "patient_status_check" check ("status" in ('active', 'archived'));`);

    this.addSql(`alter table "practice" drop constraint "practice_slug_unique";`);
    this.addSql(`alter table "practice" drop constraint "practice_patient_sign_up_check";`);
    this.addSql(`alter table "practice" drop column "patient_sign_up", drop column "slug";`);
  }

}
