import { Migration } from '@mikro-orm/migrations';

export class Migration20261202015722_patient_booking extends Migration {

  override name = 'Migration20261202015722_patient_booking';

  override up(): void | Promise<void> {
    this.addSql(`alter table "practice" add "cancellation_window_hours" smallint not null default 24;`);

    this.addSql(`alter table "appointment_type" add "bookable_by_patients" boolean not null default false;`);

    this.addSql(`alter table "appointment" add "booked_via" text not null default 'staff';`);
    this.addSql(`alter table "appointment" add constraint "appointment_booked_via_check" check ("booked_via" in ('staff', 'portal'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "appointment" drop constraint "appointment_booked_via_check";`);
    this.addSql(`alter table "appointment" drop column "booked_via";`);

    this.addSql(`alter table "appointment_type" drop column "bookable_by_patients";`);

    this.addSql(`alter table "practice" drop column "cancellation_window_hours";`);
  }

}
