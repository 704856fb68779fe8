import { Migration } from '@mikro-orm/migrations';

export class Migration20261202005824_reminder_email_opt_out extends Migration {

  override name = 'Migration20261202005824_reminder_email_opt_out';

  override up(): void | Promise<void> {
    this.addSql(`alter table "patient" add "reminder_email_opt_out_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "patient" drop column "reminder_email_opt_out_at";`);
  }

}
