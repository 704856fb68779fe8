import { Migration } from '@mikro-orm/migrations';

export class Migration20261123232125_care_team_search extends Migration {

  override name = 'Migration20261123232125_care_team_search';

  override up(): void | Promise<void> {
    this.addSql(`create extension if not exists btree_gin;`);
    this.addSql(`drop index "care_team_member_clinician_id_patient_id_index";`);
    this.addSql(`alter table "care_team_member" add "search_name" text not null default '', add "sort_name" text not null default '', add "mrn" varchar(32) not null default '', add "patient_status" text not null default 'active';`);
    this.addSql(`alter table "care_team_member" add constraint "care_team_member_patient_status_check" check ("patient_status" in ('active', 'archived'));`);

    // A care-team row copies its patient's search keys when it is added. The patient row is read FOR SHARE:
    // a rename committing meanwhile waits for this insert, and its own trigger (a new statement, so a new
    // snapshot under READ COMMITTED, PAMS's isolation level) then rewrites this row too.
    this.addSql(`create function care_team_member_copy_patient() returns trigger language plpgsql as $$
      begin
        select p.search_name, p.sort_name, p.mrn, p.status into new.search_name, new.sort_name, new.mrn, new.patient_status
          from patient p where p.id = new.patient_id for share;
        if not found then
          raise foreign_key_violation using message = format('patient %s does not exist', new.patient_id);
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger care_team_member_copy_patient before insert or update of patient_id on "care_team_member"
      for each row execute function care_team_member_copy_patient();`);
    // When a patient's keys change, so do the copies.
    this.addSql(`create function patient_copy_to_care_team() returns trigger language plpgsql as $$
      begin
        update care_team_member set search_name = new.search_name, sort_name = new.sort_name, mrn = new.mrn, patient_status = new.status
          where patient_id = new.id;
        return null;
      end $$;`);
    this.addSql(`create trigger patient_copy_to_care_team after update of search_name, sort_name, mrn, status on "patient" for each row
      when ((old.search_name, old.sort_name, old.mrn, old.status) is distinct from (new.search_name, new.sort_name, new.mrn, new.status))
      execute function patient_copy_to_care_team();`);
    this.addSql(`update "care_team_member" c set search_name = p.search_name, sort_name = p.sort_name, mrn = p.mrn, patient_status = p.status
      from "patient" p where p.id = c.patient_id;`);

    this.addSql(`create index "care_team_member_search_walk" on "care_team_member" ("clinician_id", "patient_status", "sort_name", "patient_id") include ("search_name", "mrn");`);
    this.addSql(`create index "care_team_member_search_trgm" on "care_team_member" using gin ("clinician_id", "search_name" gin_trgm_ops, "mrn");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger patient_copy_to_care_team on "patient";`);
    this.addSql(`drop function patient_copy_to_care_team();`);
    this.addSql(`drop trigger care_team_member_copy_patient on "care_team_member";`);
    this.addSql(`drop function care_team_member_copy_patient();`);
    this.addSql(`drop index "care_team_member_search_walk";`);
    this.addSql(`drop index "care_team_member_search_trgm";`);
    this.addSql(`alter table "care_team_member" drop constraint "care_team_member_patient_status_check";`);
    this.addSql(`alter table "care_team_member" drop column "search_name", drop column "sort_name", drop column "mrn", drop column "patient_status";`);
    this.addSql(`create index "care_team_member_clinician_id_patient_id_index" on "care_team_member" ("clinician_id", "patient_id");`);
  }

}
