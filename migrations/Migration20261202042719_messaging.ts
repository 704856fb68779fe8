import { Migration } from '@mikro-orm/migrations';

export class Migration20261202042719_messaging extends Migration {

  override name = 'Migration20261202042719_messaging';

  override up(): void | Promise<void> {
    this.addSql(`create table "conversation" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "kind" text not null, "created_by" uuid not null, "created_at" timestamptz not null, "last_activity_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "conversation_patient_id_last_activity_at_id_index" on "conversation" ("patient_id", "last_activity_at", "id");`);
    this.addSql(`create index "conversation_last_activity_at_id_index" on "conversation" ("last_activity_at", "id");`);

    this.addSql(`create table "message" ("id" uuid not null, "practice_id" uuid not null, "conversation_id" uuid not null, "sender_id" uuid not null, "client_message_id" uuid null, "kek_id" varchar(64) not null, "wrapped_key" text not null, "body_ciphertext" text not null, "attachment_ids" jsonb not null, "created_at" timestamptz not null, "retracted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "message_conversation_id_created_at_id_index" on "message" ("conversation_id", "created_at", "id");`);
    this.addSql(`create index "message_kek_id_index" on "message" ("kek_id");`);
    this.addSql(`alter table "message" add constraint "message_sender_id_client_message_id_unique" unique ("sender_id", "client_message_id");`);

    this.addSql(`create table "message_mail" ("id" uuid not null, "practice_id" uuid not null, "conversation_id" uuid not null, "user_id" uuid not null, "status" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "lease_until" timestamptz null, "last_error" varchar(200) null, "sent_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "message_mail_conversation_id_user_id_sent_at_index" on "message_mail" ("conversation_id", "user_id", "sent_at");`);
    this.addSql(`create index "message_mail_pending_idx" on "message_mail" ("next_attempt_at") where "status" = 'pending';`);
    this.addSql(`create unique index "message_mail_one_pending_idx" on "message_mail" ("conversation_id", "user_id") where "status" = 'pending';`);

    this.addSql(`create table "conversation_read" ("conversation_id" uuid not null, "user_id" uuid not null, "practice_id" uuid not null, "last_read_at" timestamptz not null, "last_read_message_id" uuid not null, primary key ("conversation_id", "user_id"));`);

    this.addSql(`alter table "conversation" add constraint "conversation_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "conversation" add constraint "conversation_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "conversation" add constraint "conversation_kind_check" check ("kind" in ('care-team', 'staff'));`);

    this.addSql(`alter table "message" add constraint "message_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "message" add constraint "message_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);

    this.addSql(`alter table "message_mail" add constraint "message_mail_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "message_mail" add constraint "message_mail_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);
    this.addSql(`alter table "message_mail" add constraint "message_mail_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "message_mail" add constraint "message_mail_status_check" check ("status" in ('pending', 'sent', 'read', 'skipped'));`);

    this.addSql(`alter table "conversation_read" add constraint "conversation_read_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversation_read" add constraint "conversation_read_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversation_read" add constraint "conversation_read_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "message" drop constraint "message_conversation_id_foreign";`);
    this.addSql(`alter table "message_mail" drop constraint "message_mail_conversation_id_foreign";`);
    this.addSql(`alter table "conversation_read" drop constraint "conversation_read_conversation_id_foreign";`);

    this.addSql(`drop table if exists "conversation" cascade;`);
    this.addSql(`drop table if exists "message" cascade;`);
    this.addSql(`drop table if exists "message_mail" cascade;`);
    this.addSql(`drop table if exists "conversation_read" cascade;`);
  }

}
