import { Migration } from '@mikro-orm/migrations';

export class Migration20261202113414_revenue_days extends Migration {

  override name = 'Migration20261202113414_revenue_days';

  override up(): void | Promise<void> {
    this.addSql(`create table "revenue_day" ("practice_id" uuid not null, "split" text not null, "day" date not null, "key" varchar(64) not null, "name" varchar(200) not null, "invoices" int not null, "credit_notes" int not null, "net" bigint not null, "tax" bigint not null, "gross" bigint not null, primary key ("practice_id", "split", "day", "key", "name"));`);

    this.addSql(`alter table "revenue_day" add constraint "revenue_day_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "revenue_day" add constraint "revenue_day_split_check" check ("split" in ('document', 'clinician', 'service'));`);

    // The days of the documents issued so far, as server/modules/billing/revenue-days.ts adds each new one.
    this.addSql(`with documents as (
         select i.practice_id, i.id as invoice_id, i.id as document_id, i.issued_at as at, 1 as sign, i.subtotal as net, i.tax, i.total as gross from invoice i where i.issued_at is not null
         union all
         select c.practice_id, c.invoice_id, c.id, c.issued_at, -1, c.subtotal, c.tax, c.total from credit_note c
       ),
       dated as (select (d.at at time zone p.time_zone)::date as day, d.* from documents d join practice p on p.id = d.practice_id),
       lines as (
         select d.practice_id, d.day, d.document_id, d.sign, coalesce(c.clinician_id::text, '') as clinician, l.service_code, l.service_name, l.net, l.tax, l.total
           from dated d join invoice_line l on l.invoice_id = d.invoice_id left join charge c on c.id = l.charge_id
       ),
       per_document as (
         select practice_id, 'document' as split, day, '' as key, '' as name, sign, net, tax, gross from dated
         union all
         select practice_id, 'clinician', day, clinician, '', sign, sum(sign * net), sum(sign * tax), sum(sign * total) from lines group by practice_id, day, clinician, document_id, sign
         union all
         select practice_id, 'service', day, service_code, service_name, sign, sum(sign * net), sum(sign * tax), sum(sign * total) from lines group by practice_id, day, service_code, service_name, document_id, sign
       )
       insert into "revenue_day" ("practice_id", "split", "day", "key", "name", "invoices", "credit_notes", "net", "tax", "gross")
       select practice_id, split, day, key, name, count(*) filter (where sign = 1), count(*) filter (where sign = -1), sum(net), sum(tax), sum(gross)
         from per_document group by practice_id, split, day, key, name;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "revenue_day" cascade;`);

    this.addSql(`create or replace function "api_token_api_token_revoked_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "api_token_revoked" AFTER UPDATE on "api_token" for each STATEMENT execute function "api_token_api_token_revoked_fn"();`);

    this.addSql(`create or replace function "audit_event_audit_event_append_only_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "audit_event_append_only" BEFORE DELETE OR UPDATE on "audit_event" for each ROW execute function "audit_event_audit_event_append_only_fn"();`);

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
