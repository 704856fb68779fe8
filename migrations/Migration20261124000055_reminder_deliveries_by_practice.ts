import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000055_reminder_deliveries_by_practice extends Migration {

  override name = 'Migration20261124000055_reminder_deliveries_by_practice';

  override up(): void | Promise<void> {
    this.addSql(`create index "reminder_delivery_practice_id_created_at_index" on "reminder_delivery" ("practice_id", "created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "reminder_delivery_practice_id_created_at_index";`);
  }

}
