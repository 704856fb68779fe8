import { Migration } from '@mikro-orm/migrations';

export class Migration20261123204949_scheduling extends Migration {

  override name = 'Migration20261123204949_scheduling';

  override up(): void | Promise<void> {
    this.addSql(`create table "appointment_type" ("id" uuid not null, "practice_id" uuid not null, "name" varchar(100) not null, "duration_minutes" smallint not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "appointment_type" add constraint "appointment_type_practice_id_name_unique" unique ("practice_id", "name");`);

    this.addSql(`create table "availability_rule" ("id" uuid not null, "practice_id" uuid not null, "clinician_id" uuid not null, "weekday" smallint not null, "start_time" time(0) not null, "end_time" time(0) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "availability_rule_clinician_id_index" on "availability_rule" ("clinician_id");`);

    this.addSql(`create table "availability_exception" ("id" uuid not null, "practice_id" uuid not null, "clinician_id" uuid not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "reason" varchar(200) not null, "created_by" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "availability_exception_clinician_id_ends_at_index" on "availability_exception" ("clinician_id", "ends_at");`);

    this.addSql(`create table "appointment" ("id" uuid not null, "practice_id" uuid not null, "clinician_id" uuid not null, "patient_id" uuid not null, "type_id" uuid not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "status" text not null default 'booked', "cancel_reason" varchar(500) null, "booked_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "appointment_practice_id_starts_at_id_index" on "appointment" ("practice_id", "starts_at", "id");`);
    this.addSql(`create index "appointment_clinician_id_starts_at_id_index" on "appointment" ("clinician_id", "starts_at", "id");`);
    this.addSql(`create index "appointment_patient_id_starts_at_id_index" on "appointment" ("patient_id", "starts_at", "id");`);

    this.addSql(`alter table "appointment_type" add constraint "appointment_type_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "appointment_type" add constraint "appointment_type_duration_check" check (duration_minutes >= 5 and duration_minutes <= 480);`);

    this.addSql(`alter table "availability_rule" add constraint "availability_rule_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "availability_rule" add constraint "availability_rule_clinician_id_foreign" foreign key ("clinician_id") references "users" ("id");`);
    this.addSql(`alter table "availability_rule" add constraint "availability_rule_weekday_check" check (weekday >= 1 and weekday <= 7);`);
    this.addSql(`alter table "availability_rule" add constraint "availability_rule_time_order_check" check (start_time < end_time);`);

    this.addSql(`alter table "availability_exception" add constraint "availability_exception_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "availability_exception" add constraint "availability_exception_clinician_id_foreign" foreign key ("clinician_id") references "users" ("id");`);
    this.addSql(`alter table "availability_exception" add constraint "availability_exception_time_order_check" check (starts_at < ends_at);`);

    this.addSql(`alter table "appointment" add constraint "appointment_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "appointment" add constraint "appointment_clinician_id_foreign" foreign key ("clinician_id") references "users" ("id");`);
    this.addSql(`alter table "appointment" add constraint "appointment_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "appointment" add constraint "appointment_type_id_foreign" foreign key ("type_id") references "appointment_type" ("id");`);
    this.addSql(`alter table "appointment" add constraint "appointment_time_order_check" check (starts_at < ends_at);`);
    this.addSql(`alter table "appointment" add constraint "appointment_clinician_no_overlap" exclude using gist (clinician_id with =, tstzrange(starts_at, ends_at) with &&) where (status <> 'cancelled');`);
    this.addSql(`alter table "appointment" add constraint "appointment_patient_no_overlap" exclude using gist (patient_id with =, tstzrange(starts_at, ends_at) with &&) where (status <> 'cancelled');`);
    this.addSql(`alter table "appointment" add constraint "appointment_status_check" check ("status" in ('booked', 'arrived', 'completed', 'cancelled', 'no-show'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "appointment" drop constraint "appointment_type_id_foreign";`);

    this.addSql(`drop table if exists "appointment_type" cascade;`);
    this.addSql(`drop table if exists "availability_rule" cascade;`);
    this.addSql(`drop table if exists "availability_exception" cascade;`);
    this.addSql(`drop table if exists "appointment" cascade;`);
  }

}
