import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Alert } from './modules/assessments/alert.entity.ts';
import { Assessment } from './modules/assessments/assessment.entity.ts';
import { AuditEvent } from './modules/audit/audit-event.entity.ts';
import { ApiThrottle } from './http/api-throttle.entity.ts';
import { LoginThrottle } from './modules/auth/login-throttle.entity.ts';
import { PasswordReset } from './modules/auth/password-reset.entity.ts';
import { RecoveryCode } from './modules/auth/recovery-code.entity.ts';
import { Session } from './modules/auth/session.entity.ts';
import { Hl7Message } from './modules/hl7/hl7-message.entity.ts';
import { ImportRow } from './modules/imports/import-row.entity.ts';
import { ImportSession } from './modules/imports/import-session.entity.ts';
import { Invite } from './modules/invites/invite.entity.ts';
import { CareTeamMember } from './modules/patients/care-team-member.entity.ts';
import { Guardianship } from './modules/patients/guardianship.entity.ts';
import { Patient } from './modules/patients/patient.entity.ts';
import { RelatedPerson } from './modules/patients/related-person.entity.ts';
import { Practice } from './modules/practices/practice.entity.ts';
import { QuestionBankItem } from './modules/questionnaires/question-bank-item.entity.ts';
import { QuestionnaireVersion } from './modules/questionnaires/questionnaire-version.entity.ts';
import { Questionnaire } from './modules/questionnaires/questionnaire.entity.ts';
import { ClinicalRecord } from './modules/records/clinical-record.entity.ts';
import { RecordRevision } from './modules/records/record-revision.entity.ts';
import { AppointmentType } from './modules/scheduling/appointment-type.entity.ts';
import { Appointment } from './modules/scheduling/appointment.entity.ts';
import { AvailabilityException } from './modules/scheduling/availability-exception.entity.ts';
import { AvailabilityRule } from './modules/scheduling/availability-rule.entity.ts';
import { ApiToken } from './modules/tokens/api-token.entity.ts';
import { User } from './modules/users/user.entity.ts';
import { Note } from './modules/notes/note.entity.ts';
import { ReminderDelivery } from './modules/reminders/reminder-delivery.entity.ts';
import { Step } from './modules/steps/step.entity.ts';

export const migrationsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities: [
      Practice, User, Session, RecoveryCode, PasswordReset, LoginThrottle, ApiThrottle, ApiToken, Invite, AuditEvent,
      Patient, CareTeamMember, RelatedPerson, Guardianship, ClinicalRecord, RecordRevision,
      Questionnaire, QuestionnaireVersion, QuestionBankItem, Assessment, Alert,
      AvailabilityRule, AvailabilityException, AppointmentType, Appointment,
      ImportSession, ImportRow, Hl7Message,
      Note, Step, ReminderDelivery,
    ],
    extensions: [Migrator],
    migrations: { path: migrationsPath, pathTs: migrationsPath, emit: 'ts', snapshot: true, snapshotName: 'schema-snapshot', transactional: true, allOrNothing: true },
    // Agenda owns its tables; the audit trigger and its function are written by hand in a migration.
    schemaGenerator: { skipTables: ['agenda_jobs', 'agenda_logs'], ignoreTriggers: true, ignoreRoutines: true },
    // Every tenant-owned entity carries its own practice filter, so joining a relation only to apply the
    // related entity's filter again is wasted work (a fifth of a chart's CPU, bench/results.md).
    autoJoinRefsForFilters: false,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    pool: { min: 0, max: 10 },
    debug: false,
    ...overrides,
  });
}

export type Orm = MikroORM;

export function initOrm(clientUrl: string, overrides: Partial<Options> = {}): Promise<Orm> {
  return MikroORM.init(ormConfig(clientUrl, overrides));
}

export async function closeOrm(orm: Orm): Promise<void> {
  await orm.close(true);
}
