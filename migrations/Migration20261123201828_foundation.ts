import { Migration } from '@mikro-orm/migrations';

export class Migration20261123201828_foundation extends Migration {

  override name = 'Migration20261123201828_foundation';

  override up(): void | Promise<void> {
    this.addSql(`create table "audit_event" ("id" uuid not null, "at" timestamptz not null, "practice_id" uuid null, "actor_id" uuid null, "action" varchar(64) not null, "entity_type" varchar(64) null, "entity_id" varchar(64) null, "request_id" varchar(64) null, "ip" varchar(64) null, "detail" jsonb null, primary key ("id"));`);
    this.addSql(`create index "audit_event_practice_id_at_id_index" on "audit_event" ("practice_id", "at", "id");`);

    this.addSql(`create table "login_throttle" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, primary key ("key"));`);

    this.addSql(`create table "practice" ("id" uuid not null, "name" varchar(200) not null, "time_zone" varchar(64) not null default 'UTC', "mfa_required" boolean not null default false, "created_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`create table "users" ("id" uuid not null, "practice_id" uuid not null, "email" varchar(320) not null, "name" varchar(200) null, "role" text not null, "status" text not null, "password_hash" text null, "mfa_secret" text null, "mfa_enabled" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "users_practice_id_index" on "users" ("practice_id");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "session" ("id" varchar(32) not null, "user_id" uuid not null, "secret_hash" varchar(64) not null, "mfa_pending" boolean not null default false, "ip" varchar(64) null, "user_agent" varchar(300) null, "created_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "session_user_id_index" on "session" ("user_id");`);

    this.addSql(`create table "recovery_code" ("id" uuid not null, "user_id" uuid not null, "code_hash" varchar(64) not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "recovery_code_user_id_index" on "recovery_code" ("user_id");`);

    this.addSql(`create table "password_reset" ("id" varchar(32) not null, "user_id" uuid not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "password_reset_user_id_index" on "password_reset" ("user_id");`);

    this.addSql(`create table "invite" ("id" uuid not null, "practice_id" uuid not null, "user_id" uuid null, "email" varchar(320) not null, "role" text not null, "invited_by_id" uuid null, "token_id" varchar(32) not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "invite_practice_id_index" on "invite" ("practice_id");`);
    this.addSql(`alter table "invite" add constraint "invite_token_id_unique" unique ("token_id");`);

    this.addSql(`create table "api_token" ("id" varchar(32) not null, "user_id" uuid not null, "name" varchar(100) not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "expires_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "api_token_user_id_index" on "api_token" ("user_id");`);

    this.addSql(`alter table "users" add constraint "users_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "users" add constraint "users_role_check" check ("role" in ('admin', 'clinician', 'patient'));`);
    this.addSql(`alter table "users" add constraint "users_status_check" check ("status" in ('invited', 'active', 'deactivated'));`);

    this.addSql(`alter table "session" add constraint "session_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "recovery_code" add constraint "recovery_code_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "password_reset" add constraint "password_reset_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "invite" add constraint "invite_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "invite" add constraint "invite_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "invite" add constraint "invite_invited_by_id_foreign" foreign key ("invited_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "invite" add constraint "invite_role_check" check ("role" in ('admin', 'clinician'));`);

    this.addSql(`alter table "api_token" add constraint "api_token_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    // The audit trail is append-only: the database itself refuses to change or remove an event.
    this.addSql(`create function audit_event_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit_event is append-only'; end $$;`);
    this.addSql(`create trigger audit_event_append_only before update or delete on "audit_event" for each row execute function audit_event_append_only();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists audit_event_append_only() cascade;`);
    this.addSql(`alter table "users" drop constraint "users_practice_id_foreign";`);
    this.addSql(`alter table "invite" drop constraint "invite_practice_id_foreign";`);
    this.addSql(`alter table "session" drop constraint "session_user_id_foreign";`);
    this.addSql(`alter table "recovery_code" drop constraint "recovery_code_user_id_foreign";`);
    this.addSql(`alter table "password_reset" drop constraint "password_reset_user_id_foreign";`);
    this.addSql(`alter table "invite" drop constraint "invite_user_id_foreign";`);
    this.addSql(`alter table "invite" drop constraint "invite_invited_by_id_foreign";`);
    this.addSql(`alter table "api_token" drop constraint "api_token_user_id_foreign";`);

    this.addSql(`drop table if exists "audit_event" cascade;`);
    this.addSql(`drop table if exists "login_throttle" cascade;`);
    this.addSql(`drop table if exists "practice" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "session" cascade;`);
    this.addSql(`drop table if exists "recovery_code" cascade;`);
    this.addSql(`drop table if exists "password_reset" cascade;`);
    this.addSql(`drop table if exists "invite" cascade;`);
    this.addSql(`drop table if exists "api_token" cascade;`);
  }

}
