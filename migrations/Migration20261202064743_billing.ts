import { Migration } from '@mikro-orm/migrations';

export class Migration20261202064743_billing extends Migration {

  override name = 'Migration20261202064743_billing';

  override up(): void | Promise<void> {
    this.addSql(`create table "organisation" ("id" uuid not null, "practice_id" uuid not null, "name" varchar(200) not null, "kind" text not null, "address" jsonb null, "tax_id" varchar(50) null, "email" varchar(320) null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`create table "billing_sequence" ("practice_id" uuid not null, "series" text not null, "year" smallint not null, "last_value" int not null, primary key ("practice_id", "series", "year"));`);

    this.addSql(`create table "tax_rate" ("id" uuid not null, "practice_id" uuid not null, "name" varchar(100) not null, "rate_ppm" int not null, "components" jsonb not null, "active" boolean not null default true, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "tax_rate" add constraint "tax_rate_practice_id_name_unique" unique ("practice_id", "name");`);

    this.addSql(`create table "service" ("id" uuid not null, "practice_id" uuid not null, "code" varchar(32) not null, "name" varchar(200) not null, "price" int not null, "tax_rate_id" uuid null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "service" add constraint "service_practice_id_code_unique" unique ("practice_id", "code");`);

    this.addSql(`create table "invoice" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "number" varchar(64) null, "status" text not null default 'draft', "currency" varchar(3) not null, "prices_include_tax" boolean not null, "bill_to_kind" text not null, "bill_to_guardian_id" uuid null, "bill_to_organisation_id" uuid null, "bill_to_name" varchar(200) null, "bill_to_address" jsonb null, "subtotal" bigint not null default '0', "tax" bigint not null default '0', "total" bigint not null default '0', "tax_summary" jsonb not null, "amount_paid" bigint not null default '0', "balance" bigint not null default '0', "issued_at" timestamptz null, "issued_by" uuid null, "due_at" timestamptz null, "voided_at" timestamptz null, "voided_by" uuid null, "void_reason" varchar(500) null, "created_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "invoice_patient_id_created_at_id_index" on "invoice" ("patient_id", "created_at", "id");`);
    this.addSql(`create index "invoice_practice_id_created_at_id_index" on "invoice" ("practice_id", "created_at", "id");`);
    this.addSql(`alter table "invoice" add constraint "invoice_practice_id_number_unique" unique ("practice_id", "number");`);

    this.addSql(`create table "credit_note" ("id" uuid not null, "practice_id" uuid not null, "invoice_id" uuid not null, "number" varchar(64) not null, "subtotal" bigint not null, "tax" bigint not null, "total" bigint not null, "tax_summary" jsonb not null, "reason" varchar(500) not null, "issued_at" timestamptz not null, "issued_by" uuid not null, primary key ("id"));`);
    this.addSql(`alter table "credit_note" add constraint "credit_note_invoice_id_unique" unique ("invoice_id");`);
    this.addSql(`alter table "credit_note" add constraint "credit_note_practice_id_number_unique" unique ("practice_id", "number");`);

    this.addSql(`create table "charge" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "service_id" uuid not null, "quantity" int not null, "unit_price" int not null, "discount" int not null default 0, "clinician_id" uuid null, "appointment_id" uuid null, "status" text not null default 'uninvoiced', "invoice_id" uuid null, "void_reason" varchar(500) null, "created_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "charge" add constraint "charge_appointment_id_unique" unique ("appointment_id");`);
    this.addSql(`create index "charge_patient_id_created_at_id_index" on "charge" ("patient_id", "created_at", "id");`);
    this.addSql(`create index "charge_practice_id_created_at_id_index" on "charge" ("practice_id", "created_at", "id");`);
    this.addSql(`create index "charge_invoice_id_index" on "charge" ("invoice_id");`);

    this.addSql(`create table "invoice_line" ("id" uuid not null, "practice_id" uuid not null, "invoice_id" uuid not null, "position" int not null, "charge_id" uuid null, "service_id" uuid not null, "service_code" varchar(32) not null, "service_name" varchar(200) not null, "quantity" int not null, "unit_price" int not null, "discount" int not null, "tax_rate_name" varchar(100) null, "tax_components" jsonb not null, "net" bigint not null, "tax" bigint not null, "total" bigint not null, primary key ("id"));`);
    this.addSql(`create index "invoice_line_charge_id_index" on "invoice_line" ("charge_id");`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_invoice_id_position_unique" unique ("invoice_id", "position");`);

    this.addSql(`alter table "practice" add "currency" varchar(3) not null default 'EUR', add "prices_include_tax" boolean not null default false, add "invoice_number_format" varchar(40) not null default 'INV-{YYYY}-{SEQ:6}', add "credit_note_number_format" varchar(40) not null default 'CN-{YYYY}-{SEQ:6}', add "charge_completed_visits" boolean not null default true, add "payment_terms_days" smallint not null default 30;`);

    this.addSql(`alter table "appointment_type" add "service_id" uuid null;`);
    this.addSql(`alter table "appointment_type" add constraint "appointment_type_service_id_foreign" foreign key ("service_id") references "service" ("id") on delete set null;`);

    this.addSql(`alter table "organisation" add constraint "organisation_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "organisation" add constraint "organisation_kind_check" check ("kind" in ('insurer', 'employer', 'other'));`);

    this.addSql(`alter table "billing_sequence" add constraint "billing_sequence_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "billing_sequence" add constraint "billing_sequence_series_check" check ("series" in ('invoice', 'credit-note'));`);

    this.addSql(`alter table "tax_rate" add constraint "tax_rate_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "tax_rate" add constraint "tax_rate_ppm_check" check (rate_ppm >= 0 and rate_ppm <= 1000000);`);

    this.addSql(`alter table "service" add constraint "service_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "service" add constraint "service_tax_rate_id_foreign" foreign key ("tax_rate_id") references "tax_rate" ("id") on delete set null;`);
    this.addSql(`alter table "service" add constraint "service_price_check" check (price >= 0);`);

    this.addSql(`alter table "invoice" add constraint "invoice_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "invoice" add constraint "invoice_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "invoice" add constraint "invoice_bill_to_guardian_id_foreign" foreign key ("bill_to_guardian_id") references "patient" ("id") on delete set null;`);
    this.addSql(`alter table "invoice" add constraint "invoice_bill_to_organisation_id_foreign" foreign key ("bill_to_organisation_id") references "organisation" ("id") on delete set null;`);
    this.addSql(`alter table "invoice" add constraint "invoice_totals_check" check (total = subtotal + tax and balance = total - amount_paid and amount_paid >= 0);`);
    this.addSql(`alter table "invoice" add constraint "invoice_number_check" check ((number is null) = (issued_at is null));`);
    this.addSql(`alter table "invoice" add constraint "invoice_status_check" check ("status" in ('draft', 'issued', 'partially-paid', 'paid', 'void'));`);
    this.addSql(`alter table "invoice" add constraint "invoice_bill_to_kind_check" check ("bill_to_kind" in ('patient', 'guardian', 'organisation'));`);

    this.addSql(`alter table "credit_note" add constraint "credit_note_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "credit_note" add constraint "credit_note_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id");`);
    this.addSql(`alter table "credit_note" add constraint "credit_note_amounts_check" check (subtotal <= 0 and tax <= 0 and total = subtotal + tax);`);

    this.addSql(`alter table "charge" add constraint "charge_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "charge" add constraint "charge_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "charge" add constraint "charge_service_id_foreign" foreign key ("service_id") references "service" ("id");`);
    this.addSql(`alter table "charge" add constraint "charge_clinician_id_foreign" foreign key ("clinician_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "charge" add constraint "charge_appointment_id_foreign" foreign key ("appointment_id") references "appointment" ("id") on delete set null;`);
    this.addSql(`alter table "charge" add constraint "charge_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on delete set null;`);
    this.addSql(`alter table "charge" add constraint "charge_amounts_check" check (quantity > 0 and unit_price >= 0 and discount >= 0 and discount <= quantity::bigint * unit_price);`);
    this.addSql(`alter table "charge" add constraint "charge_invoice_check" check ((status = 'invoiced') = (invoice_id is not null));`);
    this.addSql(`alter table "charge" add constraint "charge_status_check" check ("status" in ('uninvoiced', 'invoiced', 'void'));`);

    this.addSql(`alter table "invoice_line" add constraint "invoice_line_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id");`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_charge_id_foreign" foreign key ("charge_id") references "charge" ("id") on delete set null;`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_service_id_foreign" foreign key ("service_id") references "service" ("id");`);
    this.addSql(`alter table "invoice_line" add constraint "invoice_line_amounts_check" check (net >= 0 and tax >= 0 and total = net + tax);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "invoice" drop constraint "invoice_bill_to_organisation_id_foreign";`);
    this.addSql(`alter table "service" drop constraint "service_tax_rate_id_foreign";`);
    this.addSql(`alter table "appointment_type" drop constraint "appointment_type_service_id_foreign";`);
    this.addSql(`alter table "charge" drop constraint "charge_service_id_foreign";`);
    this.addSql(`alter table "invoice_line" drop constraint "invoice_line_service_id_foreign";`);
    this.addSql(`alter table "credit_note" drop constraint "credit_note_invoice_id_foreign";`);
    this.addSql(`alter table "charge" drop constraint "charge_invoice_id_foreign";`);
    this.addSql(`alter table "invoice_line" drop constraint "invoice_line_invoice_id_foreign";`);
    this.addSql(`alter table "invoice_line" drop constraint "invoice_line_charge_id_foreign";`);

    this.addSql(`drop table if exists "organisation" cascade;`);
    this.addSql(`drop table if exists "billing_sequence" cascade;`);
    this.addSql(`drop table if exists "tax_rate" cascade;`);
    this.addSql(`drop table if exists "service" cascade;`);
    this.addSql(`drop table if exists "invoice" cascade;`);
    this.addSql(`drop table if exists "credit_note" cascade;`);
    this.addSql(`drop table if exists "charge" cascade;`);
    this.addSql(`drop table if exists "invoice_line" cascade;`);

    this.addSql(`alter table "appointment_type" drop column "service_id";`);

    this.addSql(`alter table "practice" drop column "currency", drop column "prices_include_tax", drop column "invoice_number_format", drop column "credit_note_number_format", drop column "charge_completed_visits", drop column "payment_terms_days";`);

  }

}
