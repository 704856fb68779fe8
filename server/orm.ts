import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { connectionOptions, endPool, type ConnectionLimits } from './database.ts';
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

const pools = new WeakMap<Orm, pg.Pool>();

export async function initOrm(clientUrl: string, overrides: Partial<Options> = {}): Promise<Orm> {
  let pool: pg.Pool | undefined;
  // The ORM's own pg pool, so that closeOrm can wait for its connections to close.
  const driverOptions = { ...(overrides.driverOptions as object | undefined), onPoolCreated: (p: pg.Pool) => void (pool = p) };
  const orm = await MikroORM.init(ormConfig(clientUrl, { ...overrides, driverOptions }));
  if (pool) pools.set(orm, pool);
  return orm;
}

export async function closeOrm(orm: Orm): Promise<void> {
  const pool = pools.get(orm);
  await (pool ? endPool(pool, () => orm.close(true)) : orm.close(true));
}

/**
 * Applies pending migrations on a connection of their own. They run at deploy time and may rewrite whole
 * tables, so no statement or idle-transaction limit applies; the lock wait stays bounded, so a migration
 * queued behind a running server's locks fails (run it again) instead of stalling every request behind it.
 */
export async function migrateDatabase(clientUrl: string, limits: ConnectionLimits) {
  const orm = await initOrm(clientUrl, { pool: { min: 0, max: 1 }, driverOptions: connectionOptions({ ...limits, statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 }) });
  try {
    return await orm.migrator.up();
  } finally {
    await closeOrm(orm);
  }
}
