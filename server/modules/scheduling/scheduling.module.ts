import { defineModule } from '../../module-manifest.ts';
import { AppointmentType } from './appointment-type.entity.ts';
import { Appointment } from './appointment.entity.ts';
import { AvailabilityException } from './availability-exception.entity.ts';
import { AvailabilityRule } from './availability-rule.entity.ts';
import { appointmentTypesRouter, appointmentsRouter, availabilityRouter } from './scheduling.router.ts';

export const schedulingModule = defineModule({
  routers: { availability: availabilityRouter, appointmentTypes: appointmentTypesRouter, appointments: appointmentsRouter },
  entities: [AvailabilityRule, AvailabilityException, AppointmentType, Appointment],
});
