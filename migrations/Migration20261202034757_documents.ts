import { Migration } from '@mikro-orm/migrations';

export class Migration20261202034757_documents extends Migration {

  override name = 'Migration20261202034757_documents';

  override up(): void | Promise<void> {
    this.addSql(`create table "stored_file" ("id" uuid not null, "practice_id" uuid not null, "uploaded_by_id" uuid not null, "media_type" text not null, "size" bigint not null, "sha256" varchar(64) not null, "sha1" varchar(28) not null, "kek_id" varchar(64) not null, "wrapped_key" text not null, "preview_size" int null, "purpose" text null, "released_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "stored_file_purpose_created_at_index" on "stored_file" ("purpose", "created_at");`);
    this.addSql(`create index "stored_file_released_at_index" on "stored_file" ("released_at");`);
    this.addSql(`create index "stored_file_kek_id_index" on "stored_file" ("kek_id");`);

    this.addSql(`create table "document" ("id" uuid not null, "practice_id" uuid not null, "patient_id" uuid not null, "file_id" uuid not null, "title" varchar(200) not null, "category" text not null, "staff_only" boolean not null default false, "uploaded_by_id" uuid not null, "created_at" timestamptz not null, "deleted_at" timestamptz null, "deleted_by_id" uuid null, "deletion_reason" varchar(500) null, primary key ("id"));`);
    this.addSql(`alter table "document" add constraint "document_file_id_unique" unique ("file_id");`);
    this.addSql(`create index "document_patient_id_created_at_id_index" on "document" ("patient_id", "created_at", "id");`);

    this.addSql(`alter table "patient" add "photo_file_id" uuid null;`);
    this.addSql(`alter table "patient" add constraint "patient_photo_file_id_foreign" foreign key ("photo_file_id") references "stored_file" ("id") on delete set null;`);

    this.addSql(`alter table "clinician_profile" add "photo_file_id" uuid null;`);
    this.addSql(`alter table "clinician_profile" add constraint "clinician_profile_photo_file_id_foreign" foreign key ("photo_file_id") references "stored_file" ("id") on delete set null;`);

    this.addSql(`alter table "stored_file" add constraint "stored_file_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "stored_file" add constraint "stored_file_uploaded_by_id_foreign" foreign key ("uploaded_by_id") references "users" ("id");`);
    this.addSql(`alter table "stored_file" add constraint "stored_file_media_type_check" check ("media_type" in ('application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff'));`);
    this.addSql(`alter table "stored_file" add constraint "stored_file_purpose_check" check ("purpose" in ('document', 'patient-photo', 'clinician-photo'));`);

    this.addSql(`alter table "document" add constraint "document_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "document" add constraint "document_patient_id_foreign" foreign key ("patient_id") references "patient" ("id");`);
    this.addSql(`alter table "document" add constraint "document_file_id_foreign" foreign key ("file_id") references "stored_file" ("id");`);
    this.addSql(`alter table "document" add constraint "document_uploaded_by_id_foreign" foreign key ("uploaded_by_id") references "users" ("id");`);
    this.addSql(`alter table "document" add constraint "document_deleted_by_id_foreign" foreign key ("deleted_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "document" add constraint "document_category_check" check ("category" in ('referral', 'result', 'consent', 'letter', 'image', 'other'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "patient" drop constraint "patient_photo_file_id_foreign";`);
    this.addSql(`alter table "document" drop constraint "document_file_id_foreign";`);
    this.addSql(`alter table "clinician_profile" drop constraint "clinician_profile_photo_file_id_foreign";`);

    this.addSql(`drop table if exists "stored_file" cascade;`);
    this.addSql(`drop table if exists "document" cascade;`);

    this.addSql(`alter table "clinician_profile" drop column "photo_file_id";`);

    this.addSql(`alter table "patient" drop column "photo_file_id";`);
  }

}
