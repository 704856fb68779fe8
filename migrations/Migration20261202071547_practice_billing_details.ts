import { Migration } from '@mikro-orm/migrations';

export class Migration20261202071547_practice_billing_details extends Migration {

  override name = 'Migration20261202071547_practice_billing_details';

  override up(): void | Promise<void> {
    this.addSql(`alter table "practice" add "billing_name" varchar(200) null, add "billing_address_lines" jsonb null, add "billing_phone" varchar(16) null, add "billing_email" varchar(320) null, add "tax_registration" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "practice" drop column "billing_name", drop column "billing_address_lines", drop column "billing_phone", drop column "billing_email", drop column "tax_registration";`);
  }

}
