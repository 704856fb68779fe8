import { Migration } from '@mikro-orm/migrations';

export class Migration20261202042838_sos extends Migration {

  override name = 'Migration20261202042838_sos';

  override up(): void | Promise<void> {
    this.addSql(`create table "sos_request" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "raised_by" uuid not null, "kek_id" varchar(64) not null, "wrapped_key" text not null, "detail_ciphertext" text not null, "status" text not null, "routed_to" uuid[] not null, "acknowledged_by" uuid null, "acknowledged_at" timestamptz null, "resolved_by" uuid null, "resolved_at" timestamptz null, "outcome" text null, "outcome_note_ciphertext" text null, "escalation_step" smallint not null default 0, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "sos_request_practice_id_created_at_id_index" on "sos_request" ("practice_id", "created_at", "id");`);
    this.addSql(`create index "sos_request_patient_id_created_at_id_index" on "sos_request" ("patient_id", "created_at", "id");`);
    this.addSql(`create index "sos_request_open_idx" on "sos_request" ("created_at") where "status" = 'open';`);
    this.addSql(`create unique index "sos_request_unresolved_patient_idx" on "sos_request" ("patient_id") where "status" <> 'resolved';`);

    this.addSql(`create table "sos_mail" ("id" uuid not null, "practice_id" uuid not null, "sos_id" uuid not null, "step" smallint not null, "user_id" uuid not null, "status" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "lease_until" timestamptz null, "last_error" varchar(200) null, "sent_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "sos_mail_pending_idx" on "sos_mail" ("next_attempt_at") where "status" = 'pending';`);
    this.addSql(`alter table "sos_mail" add constraint "sos_mail_sos_id_step_user_id_unique" unique ("sos_id", "step", "user_id");`);

    this.addSql(`create table "on_call_shift" ("id" uuid not null, "practice_id" uuid not null, "clinician_id" uuid not null, "weekday" smallint not null, "start_time" time(0) not null, "end_time" time(0) not null, primary key ("id"));`);
    this.addSql(`create index "on_call_shift_practice_id_index" on "on_call_shift" ("practice_id");`);

    this.addSql(`alter table "practice" add "emergency_number" varchar(16) not null default '112', add "sos_escalation_minutes" smallint not null default 2;`);

    this.addSql(`alter table "sos_request" add constraint "sos_request_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "sos_request" add constraint "sos_request_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "sos_request" add constraint "sos_request_escalation_step_check" check (escalation_step >= 0);`);
    this.addSql(`alter table "sos_request" add constraint "sos_request_status_check" check ("status" in ('open', 'acknowledged', 'resolved'));`);
    this.addSql(`alter table "sos_request" add constraint "sos_request_outcome_check" check ("outcome" in ('advised', 'callback-done', 'appointment-booked', 'referred-to-emergency', 'no-contact', 'false-alarm'));`);

    this.addSql(`alter table "sos_mail" add constraint "sos_mail_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "sos_mail" add constraint "sos_mail_sos_id_foreign" foreign key ("sos_id") references "sos_request" ("id") on delete cascade;`);
    this.addSql(`alter table "sos_mail" add constraint "sos_mail_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "sos_mail" add constraint "sos_mail_status_check" check ("status" in ('pending', 'sent', 'skipped'));`);

    this.addSql(`alter table "on_call_shift" add constraint "on_call_shift_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "on_call_shift" add constraint "on_call_shift_clinician_id_foreign" foreign key ("clinician_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "on_call_shift" add constraint "on_call_shift_weekday_check" check (weekday >= 1 and weekday <= 7);`);
    this.addSql(`alter table "on_call_shift" add constraint "on_call_shift_time_order_check" check (start_time < end_time);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "sos_mail" drop constraint "sos_mail_sos_id_foreign";`);

    this.addSql(`drop table if exists "sos_request" cascade;`);
    this.addSql(`drop table if exists "sos_mail" cascade;`);
    this.addSql(`drop table if exists "on_call_shift" cascade;`);

    this.addSql(`alter table "practice" drop column "emergency_number", drop column "sos_escalation_minutes";`);
  }

}
