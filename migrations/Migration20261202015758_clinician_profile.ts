import { Migration } from '@mikro-orm/migrations';

export class Migration20261202015758_clinician_profile extends Migration {

  override name = 'Migration20261202015758_clinician_profile';

  override up(): void | Promise<void> {
    this.addSql(`create table "clinician_profile" ("id" uuid not null, "practice_id" uuid not null, "user_id" uuid not null, "display_name" varchar(200) null, "title" varchar(40) null, "specialty_name" varchar(100) null, "specialty_code" varchar(18) null, "languages" jsonb not null default '[]', "registration_system" varchar(200) null, "registration_value" varchar(50) null, "registration_issuer" varchar(200) null, "bio" text null, "accepts_new_patients" boolean not null default false, "phone" varchar(20) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "clinician_profile" add constraint "clinician_profile_user_id_unique" unique ("user_id");`);

    this.addSql(`alter table "clinician_profile" add constraint "clinician_profile_practice_id_foreign" foreign key ("practice_id") references "practice" ("id");`);
    this.addSql(`alter table "clinician_profile" add constraint "clinician_profile_user_id_foreign" foreign key ("user_id") references "users" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "clinician_profile" cascade;`);
  }

}
