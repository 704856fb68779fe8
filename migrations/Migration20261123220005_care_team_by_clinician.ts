import { Migration } from '@mikro-orm/migrations';

export class Migration20261123220005_care_team_by_clinician extends Migration {

  override name = 'Migration20261123220005_care_team_by_clinician';

  override up(): void | Promise<void> {
    this.addSql(`drop index "care_team_member_clinician_id_index";`);
    this.addSql(`create index "care_team_member_clinician_id_patient_id_index" on "care_team_member" ("clinician_id", "patient_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "care_team_member_clinician_id_patient_id_index";`);
    this.addSql(`create index "care_team_member_clinician_id_index" on "care_team_member" ("clinician_id");`);
  }

}
