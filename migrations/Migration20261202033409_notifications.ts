import { Migration } from '@mikro-orm/migrations';

export class Migration20261202033409_notifications extends Migration {

  override name = 'Migration20261202033409_notifications';

  override up(): void | Promise<void> {
    this.addSql(`create table "notification" ("id" uuid not null, "practice_id" uuid not null, "user_id" uuid not null, "kind" varchar(64) not null, "patient_id" uuid null, "subject_type" varchar(32) not null, "subject_id" uuid not null, "data" jsonb not null, "created_at" timestamptz not null, "read_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "notification_user_id_id_index" on "notification" ("user_id", "id");`);
    this.addSql(`create index "notification_created_at_index" on "notification" ("created_at");`);

    this.addSql(`alter table "notification" add constraint "notification_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "notification" add constraint "notification_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "notification" add constraint "notification_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on delete cascade;`);

    // Hand-written: the announcements the server processes LISTEN for (server/modules/notifications/live-streams.ts).
    // One NOTIFY per 100 rows of a statement (ids only, under the 8000-byte payload limit); sent on commit.
    this.addSql(`create function "notification_announce_fn"() returns trigger language plpgsql as $$
      declare chunk text;
      begin
        for chunk in select string_agg(user_id::text || ':' || id::text, ',') from (select user_id, id, (row_number() over () - 1) / 100 as n from inserted) r group by n loop
          perform pg_notify('pams_notifications', chunk);
        end loop;
        return null;
      end $$;`);
    this.addSql(`create trigger "notification_announce" after insert on "notification" referencing new table as inserted for each statement execute function "notification_announce_fn"();`);
    // Sessions that end (logout, revocation, password change or reset, deactivation, expiry) and API tokens revoked close their streams on every process.
    this.addSql(`create function "credentials_ended_fn"() returns trigger language plpgsql as $$
      declare keys text[];
      begin
        if TG_TABLE_NAME = 'session' then
          select array_agg('s:' || id) into keys from ended;
        else
          select array_agg('t:' || a.id) into keys from ended a join before b on b.id = a.id where a.revoked_at is not null and b.revoked_at is null;
        end if;
        for i in 1 .. coalesce(array_length(keys, 1), 0) by 150 loop
          perform pg_notify('pams_credentials_ended', array_to_string(keys[i:i + 149], ','));
        end loop;
        return null;
      end $$;`);
    this.addSql(`create trigger "session_ended" after delete on "session" referencing old table as ended for each statement execute function "credentials_ended_fn"();`);
    this.addSql(`create trigger "api_token_revoked" after update on "api_token" referencing old table as before new table as ended for each statement execute function "credentials_ended_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "session_ended" on "session";`);
    this.addSql(`drop trigger if exists "api_token_revoked" on "api_token";`);
    this.addSql(`drop function if exists "credentials_ended_fn"();`);
    this.addSql(`drop table if exists "notification" cascade;`);
    this.addSql(`drop function if exists "notification_announce_fn"();`);
  }

}
