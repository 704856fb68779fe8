import { Migration } from '@mikro-orm/migrations';

export class Migration20261202072556_report_indexes extends Migration {

  override name = 'Migration20261202072556_report_indexes';

  override up(): void | Promise<void> {
    this.addSql(`create index "invoice_issued_index" on "invoice" ("practice_id", "issued_at") include ("subtotal", "tax", "total") where "issued_at" is not null;`);
    this.addSql(`create index "invoice_open_index" on "invoice" ("practice_id", "due_at") include ("balance", "issued_at", "bill_to_kind", "bill_to_organisation_id") where "status" in ('issued', 'partially-paid');`);

    this.addSql(`create index "credit_note_practice_id_issued_at_index" on "credit_note" ("practice_id", "issued_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create or replace function "api_token_api_token_revoked_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "api_token_revoked" AFTER UPDATE on "api_token" for each STATEMENT execute function "api_token_api_token_revoked_fn"();`);

    this.addSql(`create or replace function "audit_event_audit_event_append_only_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "audit_event_append_only" BEFORE DELETE OR UPDATE on "audit_event" for each ROW execute function "audit_event_audit_event_append_only_fn"();`);

    this.addSql(`create or replace function "care_team_member_care_team_member_copy_patient_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "care_team_member_copy_patient" BEFORE INSERT OR UPDATE on "care_team_member" for each ROW execute function "care_team_member_care_team_member_copy_patient_fn"();`);

    this.addSql(`drop index "credit_note_practice_id_issued_at_index";`);

    this.addSql(`drop index "invoice_issued_index";`);
    this.addSql(`drop index "invoice_open_index";`);

    this.addSql(`create or replace function "notification_notification_announce_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "notification_announce" AFTER INSERT on "notification" for each STATEMENT execute function "notification_notification_announce_fn"();`);

    this.addSql(`create or replace function "patient_patient_copy_to_care_team_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "patient_copy_to_care_team" AFTER UPDATE on "patient" for each ROW
  when (((((old.search_name IS DISTINCT FROM new.search_name) OR (old.sort_name IS DISTINCT FROM new.sort_name)) OR ((old.mrn)::text IS DISTINCT FROM (new.mrn)::text)) OR (old.status IS DISTINCT FROM new.status))) execute function "patient_patient_copy_to_care_team_fn"();`);

    this.addSql(`create or replace function "session_session_ended_fn"() returns trigger as \$\$ begin ; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "session_ended" AFTER DELETE on "session" for each STATEMENT execute function "session_session_ended_fn"();`);
  }

}
