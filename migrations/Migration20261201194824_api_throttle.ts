import { Migration } from '@mikro-orm/migrations';

export class Migration20261201194824_api_throttle extends Migration {

  override name = 'Migration20261201194824_api_throttle';

  override up(): void | Promise<void> {
    // Unlogged (by hand): a write on every API request, for counters that matter for a minute.
    this.addSql(`create unlogged table "api_throttle" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, primary key ("key"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "api_throttle" cascade;`);
  }

}
