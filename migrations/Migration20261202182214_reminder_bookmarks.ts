import { Migration } from '@mikro-orm/migrations';

export class Migration20261202182214_reminder_bookmarks extends Migration {

  override name = 'Migration20261202182214_reminder_bookmarks';

  override up(): void | Promise<void> {
    this.addSql(`alter table "step" add "next_reminder_at" timestamptz null;`);
    this.addSql(`create index "step_reminder_due_idx" on "step" ("next_reminder_at") where "kind" = 'plan' and "state" = 'active';`);
    // Hand-written: a bookmark is cleared whenever what the sweep worked it out from changes, by any path
    // (the services, an import, a merge, plain SQL): the plan item's schedule, state or patient, or the
    // patient's time zone. Null asks the next sweep to work it out again (reminder-delivery.service.ts).
    this.addSql(`create function "step_bookmark_stale_fn"() returns trigger language plpgsql as $$
      begin
        new.next_reminder_at := null;
        return new;
      end $$;`);
    this.addSql(`create trigger "step_bookmark_stale" before update on "step" for each row
      when ((old.state, old.cadence, old.start_date, old.end_date, old.time_of_day, old.patient_id) is distinct from (new.state, new.cadence, new.start_date, new.end_date, new.time_of_day, new.patient_id))
      execute function "step_bookmark_stale_fn"();`);
    this.addSql(`create function "patient_time_zone_moved_fn"() returns trigger language plpgsql as $$
      begin
        update step set next_reminder_at = null where patient_id = new.id and kind = 'plan' and state = 'active';
        return null;
      end $$;`);
    this.addSql(`create trigger "patient_time_zone_moved" after update of time_zone on "patient" for each row
      when (old.time_zone is distinct from new.time_zone)
      execute function "patient_time_zone_moved_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger "patient_time_zone_moved" on "patient";`);
    this.addSql(`drop function "patient_time_zone_moved_fn"();`);
    this.addSql(`drop trigger "step_bookmark_stale" on "step";`);
    this.addSql(`drop function "step_bookmark_stale_fn"();`);
    this.addSql(`drop index "step_reminder_due_idx";`);
    this.addSql(`alter table "step" drop column "next_reminder_at";`);
  }

}
