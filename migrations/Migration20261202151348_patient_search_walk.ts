import { Migration } from '@mikro-orm/migrations';

export class Migration20261202151348_patient_search_walk extends Migration {

  override name = 'Migration20261202151348_patient_search_walk';

  override up(): void | Promise<void> {
    this.addSql(`drop index "patient_practice_id_status_sort_name_id_index";`);
    this.addSql(`create index "patient_search_walk" on "patient" ("practice_id", "status", "sort_name", "id") include ("search_name", "mrn");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "patient_search_walk";`);
    this.addSql(`create index "patient_practice_id_status_sort_name_id_index" on "patient" ("practice_id", "status", "sort_name", "id");`);
  }

}
