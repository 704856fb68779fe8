import { Migration } from '@mikro-orm/migrations';

export class Migration20261202074219_services_import extends Migration {

  override name = 'Migration20261202074219_services_import';

  override up(): void | Promise<void> {
    this.addSql(`alter table "import_session" drop constraint "import_session_type_check";`);
    this.addSql(`alter table "import_session" add constraint "import_session_type_check" check ("type" in ('patients', 'allergies', 'medications', 'conditions', 'observations', 'services'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "import_session" drop constraint "import_session_type_check";`);
    this.addSql(`alter table "import_session" add constraint "import_session_type_check" check ("type" in ('patients', 'allergies', 'medications', 'conditions', 'observations'));`);
  }

}
