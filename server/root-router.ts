import { alertsRouter, assessmentsRouter } from './modules/assessments/assessments.router.ts';
import { auditRouter } from './modules/audit/audit.router.ts';
import { authRouter } from './modules/auth/auth.router.ts';
import { mfaRouter } from './modules/auth/mfa.router.ts';
import { sessionsRouter } from './modules/auth/sessions.router.ts';
import { exportsRouter } from './modules/fhir/fhir.router.ts';
import { hl7Router } from './modules/hl7/hl7.router.ts';
import { importsRouter } from './modules/imports/imports.router.ts';
import { invitesRouter } from './modules/invites/invites.router.ts';
import { careTeamsRouter, patientsRouter, portalRouter, relatedPersonsRouter } from './modules/patients/patients.router.ts';
import { practicesRouter } from './modules/practices/practices.router.ts';
import { questionnairesRouter } from './modules/questionnaires/questionnaires.router.ts';
import { allergiesRouter, conditionsRouter, historyEntriesRouter, medicationsRouter, observationsRouter } from './modules/records/records.router.ts';
import { appointmentTypesRouter, appointmentsRouter, availabilityRouter } from './modules/scheduling/scheduling.router.ts';
import { reportsRouter } from './modules/reports/reports.router.ts';
import { tokensRouter } from './modules/tokens/tokens.router.ts';
import { usersRouter } from './modules/users/users.router.ts';
import { jobsRouter } from './modules/jobs/jobs.router.ts';
import { notesRouter } from './modules/notes/notes.router.ts';
import { remindersRouter } from './modules/reminders/reminders.router.ts';
import { stepsRouter } from './modules/steps/steps.router.ts';
import { router } from './trpc.ts';

/** Every module's router, listed by hand: this is the public API (see shared/app-router.ts). */
export const appRouter = router({
  auth: authRouter,
  sessions: sessionsRouter,
  mfa: mfaRouter,
  tokens: tokensRouter,
  invites: invitesRouter,
  users: usersRouter,
  practices: practicesRouter,
  audit: auditRouter,
  patients: patientsRouter,
  careTeams: careTeamsRouter,
  relatedPersons: relatedPersonsRouter,
  allergies: allergiesRouter,
  medications: medicationsRouter,
  conditions: conditionsRouter,
  observations: observationsRouter,
  historyEntries: historyEntriesRouter,
  portal: portalRouter,
  questionnaires: questionnairesRouter,
  assessments: assessmentsRouter,
  alerts: alertsRouter,
  availability: availabilityRouter,
  appointmentTypes: appointmentTypesRouter,
  appointments: appointmentsRouter,
  exports: exportsRouter,
  reports: reportsRouter,
  imports: importsRouter,
  hl7: hl7Router,
  notes: notesRouter,
  steps: stepsRouter,
  reminders: remindersRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
