import { Migration } from '@mikro-orm/migrations';

export class Migration20261202021834_care_requests extends Migration {

  override name = 'Migration20261202021834_care_requests';

  override up(): void | Promise<void> {
    this.addSql(`create table "care_request" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "clinician_id" uuid not null, "state" text not null default 'pending', "message" varchar(1000) null, "decline_reason" varchar(500) null, "requested_by" uuid not null, "decided_by" uuid null, "decided_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "care_request_practice_id_created_at_id_index" on "care_request" ("practice_id", "created_at", "id");`);
    this.addSql(`create index "care_request_clinician_id_created_at_id_index" on "care_request" ("clinician_id", "created_at", "id");`);
    this.addSql(`create index "care_request_patient_id_created_at_id_index" on "care_request" ("patient_id", "created_at", "id");`);
    this.addSql(`create unique index "care_request_one_pending" on "care_request" ("patient_id", "clinician_id") where "state" = 'pending';`);

    this.addSql(`alter table "practice" add "auto_accept_care_requests" boolean not null default false;`);

    this.addSql(`alter table "care_request" add constraint "care_request_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "care_request" add constraint "care_request_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);
    this.addSql(`alter table "care_request" add constraint "care_request_clinician_id_foreign" foreign key ("clinician_id") references "users" ("id");`);
    this.addSql(`alter table "care_request" add constraint "care_request_decline_reason_check" check ((state = 'declined') = (decline_reason is not null));`);
    this.addSql(`alter table "care_request" add constraint "care_request_state_check" check ("state" in ('pending', 'accepted', 'declined', 'cancelled'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "care_request" cascade;`);

    this.addSql(`alter table "practice" drop column "auto_accept_care_requests";`);
  }

}
