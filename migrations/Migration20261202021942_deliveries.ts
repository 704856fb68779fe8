import { Migration } from '@mikro-orm/migrations';

export class Migration20261202021942_deliveries extends Migration {

  override name = 'Migration20261202021942_deliveries';

  override up(): void | Promise<void> {
    this.addSql(`create table "delivery_request" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "medication_id" uuid not null, "quantity" int not null, "address" jsonb not null, "note" text null, "status" text not null, "courier" varchar(100) null, "tracking_reference" varchar(100) null, "reason" text null, "requested_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "delivery_request_patient_id_created_at_id_index" on "delivery_request" ("patient_id", "created_at", "id");`);
    this.addSql(`create index "delivery_request_practice_id_created_at_id_index" on "delivery_request" ("practice_id", "created_at", "id");`);

    this.addSql(`create table "delivery_event" ("id" uuid not null, "practice_id" uuid not null, "delivery_id" uuid not null, "status" text not null, "at" timestamptz not null, "by" uuid not null, "reason" text null, "mail_status" text not null, "mail_attempts" int not null default 0, "next_mail_at" timestamptz null, "lease_until" timestamptz null, "last_mail_error" varchar(200) null, "mailed_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "delivery_event_delivery_id_at_index" on "delivery_event" ("delivery_id", "at");`);
    this.addSql(`create index "delivery_event_mail_pending_idx" on "delivery_event" ("next_mail_at") where "mail_status" = 'pending';`);

    this.addSql(`alter table "delivery_request" add constraint "delivery_request_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "delivery_request" add constraint "delivery_request_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "delivery_request" add constraint "delivery_request_medication_id_foreign" foreign key ("medication_id") references "clinical_record" ("id") on delete cascade;`);
    this.addSql(`alter table "delivery_request" add constraint "delivery_request_quantity_check" check (quantity > 0);`);
    this.addSql(`alter table "delivery_request" add constraint "delivery_request_status_check" check ("status" in ('requested', 'approved', 'declined', 'dispatched', 'delivered', 'failed', 'cancelled'));`);

    this.addSql(`alter table "delivery_event" add constraint "delivery_event_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "delivery_event" add constraint "delivery_event_delivery_id_foreign" foreign key ("delivery_id") references "delivery_request" ("id") on delete cascade;`);
    this.addSql(`alter table "delivery_event" add constraint "delivery_event_status_check" check ("status" in ('requested', 'approved', 'declined', 'dispatched', 'delivered', 'failed', 'cancelled'));`);
    this.addSql(`alter table "delivery_event" add constraint "delivery_event_mail_status_check" check ("mail_status" in ('pending', 'sent', 'skipped'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "delivery_event" drop constraint "delivery_event_delivery_id_foreign";`);

    this.addSql(`drop table if exists "delivery_request" cascade;`);
    this.addSql(`drop table if exists "delivery_event" cascade;`);
  }

}
