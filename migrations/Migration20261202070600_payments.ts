import { Migration } from '@mikro-orm/migrations';

export class Migration20261202070600_payments extends Migration {

  override name = 'Migration20261202070600_payments';

  override up(): void | Promise<void> {
    this.addSql(`create table "payment" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "number" varchar(64) not null, "method" text not null, "amount" bigint not null, "currency" varchar(3) not null, "allocated" bigint not null default '0', "refunded" bigint not null default '0', "payer_kind" text not null, "payer_guardian_id" uuid null, "payer_organisation_id" uuid null, "payer_name" varchar(200) not null, "received_at" timestamptz not null, "reference" varchar(200) null, "external_id" varchar(200) null, "stripe_event_id" varchar(255) null, "stripe_payment_intent_id" varchar(255) null, "recorded_by" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_stripe_event_id_unique" unique ("stripe_event_id");`);
    this.addSql(`alter table "payment" add constraint "payment_stripe_payment_intent_id_unique" unique ("stripe_payment_intent_id");`);
    this.addSql(`create index "payment_patient_id_received_at_id_index" on "payment" ("patient_id", "received_at", "id");`);
    this.addSql(`create index "payment_practice_id_received_at_id_index" on "payment" ("practice_id", "received_at", "id");`);
    this.addSql(`alter table "payment" add constraint "payment_practice_id_number_unique" unique ("practice_id", "number");`);
    this.addSql(`alter table "payment" add constraint "payment_practice_id_external_id_unique" unique ("practice_id", "external_id");`);

    this.addSql(`create table "refund" ("id" uuid not null, "practice_id" uuid not null, "payment_id" uuid not null, "amount" bigint not null, "method" text not null, "reason" varchar(500) not null, "refunded_at" timestamptz not null, "reference" varchar(200) null, "external_id" varchar(200) null, "recorded_by" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "refund_payment_id_index" on "refund" ("payment_id");`);
    this.addSql(`alter table "refund" add constraint "refund_practice_id_external_id_unique" unique ("practice_id", "external_id");`);

    this.addSql(`create table "payment_allocation" ("id" uuid not null, "practice_id" uuid not null, "payment_id" uuid not null, "invoice_id" uuid not null, "amount" bigint not null, "reversal" text null, "refund_id" uuid null, "created_by" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "payment_allocation_invoice_id_index" on "payment_allocation" ("invoice_id");`);
    this.addSql(`create index "payment_allocation_payment_id_index" on "payment_allocation" ("payment_id");`);

    this.addSql(`alter table "billing_sequence" drop constraint "billing_sequence_series_check";`);
    this.addSql(`alter table "billing_sequence" add constraint "billing_sequence_series_check" check ("series" in ('invoice', 'credit-note', 'receipt'));`);

    this.addSql(`alter table "payment" add constraint "payment_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "payment" add constraint "payment_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "payment" add constraint "payment_payer_guardian_id_foreign" foreign key ("payer_guardian_id") references "patient" ("id") on delete set null;`);
    this.addSql(`alter table "payment" add constraint "payment_payer_organisation_id_foreign" foreign key ("payer_organisation_id") references "organisation" ("id") on delete set null;`);
    this.addSql(`alter table "payment" add constraint "payment_amounts_check" check (amount > 0 and allocated >= 0 and refunded >= 0 and allocated + refunded <= amount);`);
    this.addSql(`alter table "payment" add constraint "payment_method_check" check ("method" in ('cash', 'card', 'bank-transfer', 'insurer', 'stripe'));`);
    this.addSql(`alter table "payment" add constraint "payment_payer_kind_check" check ("payer_kind" in ('patient', 'guardian', 'organisation'));`);

    this.addSql(`alter table "refund" add constraint "refund_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "refund" add constraint "refund_payment_id_foreign" foreign key ("payment_id") references "payment" ("id");`);
    this.addSql(`alter table "refund" add constraint "refund_amount_check" check (amount > 0);`);
    this.addSql(`alter table "refund" add constraint "refund_method_check" check ("method" in ('cash', 'card', 'bank-transfer', 'insurer', 'stripe'));`);

    this.addSql(`alter table "payment_allocation" add constraint "payment_allocation_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "payment_allocation" add constraint "payment_allocation_payment_id_foreign" foreign key ("payment_id") references "payment" ("id");`);
    this.addSql(`alter table "payment_allocation" add constraint "payment_allocation_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id");`);
    this.addSql(`alter table "payment_allocation" add constraint "payment_allocation_refund_id_foreign" foreign key ("refund_id") references "refund" ("id") on delete set null;`);
    this.addSql(`alter table "payment_allocation" add constraint "payment_allocation_amount_check" check (amount <> 0 and (amount > 0) = (reversal is null) and (refund_id is null or reversal = 'refund'));`);
    this.addSql(`alter table "payment_allocation" add constraint "payment_allocation_reversal_check" check ("reversal" in ('refund', 'void'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "refund" drop constraint "refund_payment_id_foreign";`);
    this.addSql(`alter table "payment_allocation" drop constraint "payment_allocation_payment_id_foreign";`);
    this.addSql(`alter table "payment_allocation" drop constraint "payment_allocation_refund_id_foreign";`);

    this.addSql(`drop table if exists "payment" cascade;`);
    this.addSql(`drop table if exists "refund" cascade;`);
    this.addSql(`drop table if exists "payment_allocation" cascade;`);

    this.addSql(`create or replace function "api_token_api_token_revoked_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "api_token_revoked" AFTER UPDATE on "api_token" for each STATEMENT execute function "api_token_api_token_revoked_fn"();`);

    this.addSql(`create or replace function "audit_event_audit_event_append_only_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "audit_event_append_only" BEFORE DELETE OR UPDATE on "audit_event" for each ROW execute function "audit_event_audit_event_append_only_fn"();`);

    this.addSql(`alter table "billing_sequence" drop constraint "billing_sequence_series_check";`);
    this.addSql(`alter table "billing_sequence" add constraint "billing_sequence_series_check" check ("series" in ('invoice', 'credit-note'));`);

    this.addSql(`create or replace function "care_team_member_care_team_member_copy_patient_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "care_team_member_copy_patient" BEFORE INSERT OR UPDATE on "care_team_member" for each ROW execute function "care_team_member_care_team_member_copy_patient_fn"();`);

    this.addSql(`create or replace function "notification_notification_announce_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "notification_announce" AFTER INSERT on "notification" for each STATEMENT execute function "notification_notification_announce_fn"();`);

    this.addSql(`create or replace function "patient_patient_copy_to_care_team_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "patient_copy_to_care_team" AFTER UPDATE on "patient" for each ROW
  when (((((old.search_name IS DISTINCT FROM new.search_name) OR (old.sort_name IS DISTINCT FROM new.sort_name)) OR ((old.mrn)::text IS DISTINCT FROM (new.mrn)::text)) OR (old.status IS DISTINCT FROM new.status))) execute function "patient_patient_copy_to_care_team_fn"();`);

    this.addSql(`create or replace function "session_session_ended_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "session_ended" AFTER DELETE on "session" for each STATEMENT execute function "session_session_ended_fn"();`);
  }

}
