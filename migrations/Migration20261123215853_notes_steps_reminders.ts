import { Migration } from '@mikro-orm/migrations';

export class Migration20261123215853_notes_steps_reminders extends Migration {

  override name = 'Migration20261123215853_notes_steps_reminders';

  override up(): void | Promise<void> {
    this.addSql(`create table "note" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "author_id" uuid not null, "addendum_to_id" uuid null, "kek_id" varchar(64) not null, "wrapped_key" text not null, "body_ciphertext" text not null, "extraction_state" text null, "extraction_reason" text null, "extraction_attempts" int not null default 0, "extraction_due_at" timestamptz null, "extraction_lease_until" timestamptz null, "steps_created" int not null default 0, "steps_rejected" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "note_patient_id_created_at_id_index" on "note" ("patient_id", "created_at", "id");`);
    this.addSql(`create index "note_extraction_state_extraction_due_at_index" on "note" ("extraction_state", "extraction_due_at");`);
    this.addSql(`create index "note_kek_id_index" on "note" ("kek_id");`);

    this.addSql(`create table "step" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "note_id" uuid not null, "kind" text not null, "state" text not null, "title" varchar(300) not null, "provenance_ciphertext" text not null, "cadence" text null, "start_date" date null, "end_date" date null, "count" int null, "time_of_day" varchar(5) null, "done_at" timestamptz null, "done_by" uuid null, "cancelled_at" timestamptz null, "cancelled_by" uuid null, "cancel_reason" varchar(500) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "step_patient_id_state_created_at_id_index" on "step" ("patient_id", "state", "created_at", "id");`);
    this.addSql(`create index "step_practice_id_created_at_id_index" on "step" ("practice_id", "created_at", "id");`);
    this.addSql(`create index "step_active_plan_idx" on "step" ("patient_id") where "kind" = 'plan' and "state" = 'active';`);

    this.addSql(`create table "reminder_delivery" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "step_id" uuid not null, "local_day" date not null, "channel" text not null, "status" text not null, "attempts" int not null default 0, "last_error" varchar(200) null, "next_attempt_at" timestamptz null, "lease_until" timestamptz null, "created_at" timestamptz not null, "sent_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "reminder_delivery_patient_id_created_at_id_index" on "reminder_delivery" ("patient_id", "created_at", "id");`);
    this.addSql(`create index "reminder_delivery_pending_idx" on "reminder_delivery" ("next_attempt_at") where "status" = 'pending';`);
    this.addSql(`alter table "reminder_delivery" add constraint "reminder_delivery_step_id_local_day_channel_unique" unique ("step_id", "local_day", "channel");`);

    this.addSql(`alter table "practice" add "review_extracted_steps" boolean not null default false;`);

    this.addSql(`alter table "note" add constraint "note_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "note" add constraint "note_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "note" add constraint "note_addendum_to_id_foreign" foreign key ("addendum_to_id") references "note" ("id") on delete set null;`);
    this.addSql(`alter table "note" add constraint "note_extraction_state_check" check ("extraction_state" in ('pending', 'done', 'failed'));`);

    this.addSql(`alter table "step" add constraint "step_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "step" add constraint "step_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "step" add constraint "step_note_id_foreign" foreign key ("note_id") references "note" ("id");`);
    this.addSql(`alter table "step" add constraint "step_kind_check" check ("kind" in ('checklist', 'plan'));`);
    this.addSql(`alter table "step" add constraint "step_state_check" check ("state" in ('proposed', 'active', 'done', 'cancelled', 'rejected'));`);
    this.addSql(`alter table "step" add constraint "step_cadence_check" check ("cadence" in ('daily', 'weekly'));`);

    this.addSql(`alter table "reminder_delivery" add constraint "reminder_delivery_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "reminder_delivery" add constraint "reminder_delivery_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "reminder_delivery" add constraint "reminder_delivery_step_id_foreign" foreign key ("step_id") references "step" ("id");`);
    this.addSql(`alter table "reminder_delivery" add constraint "reminder_delivery_channel_check" check ("channel" in ('email', 'in-app'));`);
    this.addSql(`alter table "reminder_delivery" add constraint "reminder_delivery_status_check" check ("status" in ('pending', 'sent', 'skipped', 'cancelled'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "note" drop constraint "note_addendum_to_id_foreign";`);
    this.addSql(`alter table "step" drop constraint "step_note_id_foreign";`);
    this.addSql(`alter table "reminder_delivery" drop constraint "reminder_delivery_step_id_foreign";`);

    this.addSql(`drop table if exists "note" cascade;`);
    this.addSql(`drop table if exists "step" cascade;`);
    this.addSql(`drop table if exists "reminder_delivery" cascade;`);


    this.addSql(`alter table "practice" drop column "review_extracted_steps";`);
  }

}
