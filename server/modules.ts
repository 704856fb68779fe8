import { ApiThrottle } from './http/api-throttle.entity.ts';
import type { ModuleManifest } from './module-manifest.ts';
import { assessmentsModule } from './modules/assessments/assessments.module.ts';
import { auditModule } from './modules/audit/audit.module.ts';
import { authModule } from './modules/auth/auth.module.ts';
import { billingModule } from './modules/billing/billing.module.ts';
import { careRequestsModule } from './modules/care-requests/care-requests.module.ts';
import { cliniciansModule } from './modules/clinicians/clinicians.module.ts';
import { deliveriesModule } from './modules/deliveries/deliveries.module.ts';
import { documentsModule } from './modules/documents/documents.module.ts';
import { fhirModule } from './modules/fhir/fhir.module.ts';
import { filesModule } from './modules/files/files.module.ts';
import { hl7Module } from './modules/hl7/hl7.module.ts';
import { importsModule } from './modules/imports/imports.module.ts';
import { invitesModule } from './modules/invites/invites.module.ts';
import { jobsModule } from './modules/jobs/jobs.module.ts';
import { messagingModule } from './modules/messaging/messaging.module.ts';
import { notesModule } from './modules/notes/notes.module.ts';
import { notificationsModule } from './modules/notifications/notifications.module.ts';
import { patientsModule } from './modules/patients/patients.module.ts';
import { practicesModule } from './modules/practices/practices.module.ts';
import { questionnairesModule } from './modules/questionnaires/questionnaires.module.ts';
import { recordsModule } from './modules/records/records.module.ts';
import { remindersModule } from './modules/reminders/reminders.module.ts';
import { reportsModule } from './modules/reports/reports.module.ts';
import { sosModule } from './modules/sos/sos.module.ts';
import { schedulingModule } from './modules/scheduling/scheduling.module.ts';
import { stepsModule } from './modules/steps/steps.module.ts';
import { tokensModule } from './modules/tokens/tokens.module.ts';
import { usersModule } from './modules/users/users.module.ts';

/**
 * Every domain module, listed by hand: the one place a new module is added. The API (server/root-router.ts),
 * the ORM's entities (server/orm.ts) and the workers' jobs (server/jobs.ts) are built from this list, in its
 * order: the order of the routers is the order of the OpenAPI document's paths and of the jobs' set-up.
 */
export const modules = [
  authModule,
  tokensModule,
  invitesModule,
  usersModule,
  cliniciansModule,
  practicesModule,
  auditModule,
  patientsModule,
  careRequestsModule,
  recordsModule,
  filesModule,
  documentsModule,
  deliveriesModule,
  questionnairesModule,
  assessmentsModule,
  schedulingModule,
  fhirModule,
  importsModule,
  hl7Module,
  notesModule,
  stepsModule,
  reportsModule,
  remindersModule,
  notificationsModule,
  messagingModule,
  sosModule,
  billingModule,
  jobsModule,
] as const;

/** The same list, as the parts that read every module alike (the ORM, the jobs) see it. */
export const manifests: readonly ModuleManifest[] = modules;

/**
 * Tables of the composition root's own parts rather than of a domain: the general API rate limit
 * (server/http/rate-limit.ts) counts every request of every module, so no module owns it.
 */
export const coreEntities = [ApiThrottle];
