import { Migration } from '@mikro-orm/migrations';

export class Migration20261123220337_imports_hl7 extends Migration {

  override name = 'Migration20261123220337_imports_hl7';

  override up(): void | Promise<void> {
    this.addSql(`create table "import_session" ("id" uuid not null, "practice_id" uuid not null, "user_id" uuid not null, "type" text not null, "skip_invalid" boolean not null, "invalid_rows" int not null default 0, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "import_session_created_at_index" on "import_session" ("created_at");`);

    this.addSql(`create table "import_row" ("session_id" uuid not null, "line" int not null, "mrn" varchar(32) null, "external_id" varchar(100) null, "record_key" varchar(200) null, "target_id" uuid null, "data" jsonb not null, primary key ("session_id", "line"));`);
    this.addSql(`create index "import_row_session_id_mrn_index" on "import_row" ("session_id", "mrn");`);
    this.addSql(`create index "import_row_session_id_external_id_index" on "import_row" ("session_id", "external_id");`);
    this.addSql(`create index "import_row_session_id_record_key_index" on "import_row" ("session_id", "record_key");`);

    this.addSql(`create table "hl7_message" ("id" uuid not null, "practice_id" uuid not null, "control_id" varchar(199) not null, "message_type" varchar(40) not null, "patient_id" uuid null, "received_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "hl7_message" add constraint "hl7_message_practice_id_control_id_unique" unique ("practice_id", "control_id");`);

    this.addSql(`alter table "patient" add "external_id" varchar(100) null;`);
    this.addSql(`alter table "patient" add constraint "patient_practice_id_external_id_unique" unique ("practice_id", "external_id");`);

    this.addSql(`alter table "clinical_record" add "import_key" varchar(200) null;`);
    this.addSql(`alter table "clinical_record" add constraint "clinical_record_patient_id_kind_import_key_unique" unique ("patient_id", "kind", "import_key");`);

    this.addSql(`alter table "import_session" add constraint "import_session_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "import_session" add constraint "import_session_type_check" check ("type" in ('patients', 'allergies', 'medications', 'conditions', 'observations'));`);

    this.addSql(`alter table "import_row" add constraint "import_row_session_id_foreign" foreign key ("session_id") references "import_session" ("id") on delete cascade;`);

    this.addSql(`alter table "hl7_message" add constraint "hl7_message_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "import_row" drop constraint "import_row_session_id_foreign";`);

    this.addSql(`drop table if exists "import_session" cascade;`);
    this.addSql(`drop table if exists "import_row" cascade;`);
    this.addSql(`drop table if exists "hl7_message" cascade;`);


    this.addSql(`alter table "clinical_record" drop constraint "clinical_record_patient_id_kind_import_key_unique";`);
    this.addSql(`alter table "clinical_record" drop column "import_key";`);

    this.addSql(`alter table "patient" drop constraint "patient_practice_id_external_id_unique";`);
    this.addSql(`alter table "patient" drop column "external_id";`);
  }

}
