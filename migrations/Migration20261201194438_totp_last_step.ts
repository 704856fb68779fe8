import { Migration } from '@mikro-orm/migrations';

export class Migration20261201194438_totp_last_step extends Migration {

  override name = 'Migration20261201194438_totp_last_step';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add "totp_last_step" int null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "users" drop column "totp_last_step";`);
  }

}
