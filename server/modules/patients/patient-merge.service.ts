import { DriverException, LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MergePatientsInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { Alert } from '../assessments/alert.entity.ts';
import { Assessment } from '../assessments/assessment.entity.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { Charge } from '../billing/charge.entity.ts';
import { Invoice } from '../billing/invoice.entity.ts';
import { Payment } from '../billing/payment.entity.ts';
import { CareRequest } from '../care-requests/care-request.entity.ts';
import { DeliveryRequest } from '../deliveries/delivery-request.entity.ts';
import { Document } from '../documents/document.entity.ts';
import { Hl7Message } from '../hl7/hl7-message.entity.ts';
import { Invite } from '../invites/invite.entity.ts';
import { Conversation } from '../messaging/conversation.entity.ts';
import { Note } from '../notes/note.entity.ts';
import { ClinicalRecord } from '../records/clinical-record.entity.ts';
import { Notification } from '../notifications/notification.entity.ts';
import { ReminderDelivery } from '../reminders/reminder-delivery.entity.ts';
import { SosRequest } from '../sos/sos-request.entity.ts';
import { Appointment } from '../scheduling/appointment.entity.ts';
import { Step } from '../steps/step.entity.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { Guardianship } from './guardianship.entity.ts';
import { findVisiblePatient } from './patient-access.ts';
import { toPatientDto } from './patient.dto.ts';
import type { Patient } from './patient.entity.ts';
import { RelatedPerson } from './related-person.entity.ts';

/**
 * Everything that points at a patient and moves with a merge, as one update each. The care team and
 * guardians are moved apart (their pairs are unique), the portal account too; what stays with the
 * source: its revisions (the history of its own fields, which stay), import rows (what an import did)
 * and the audit trail. tests/modules/sign-up.test.ts checks this list against the database's foreign keys.
 */
const moves = {
  records: (em, from, to) => em.nativeUpdate(ClinicalRecord, { patient: from }, { patient: to }),
  assessments: (em, from, to) => em.nativeUpdate(Assessment, { patient: from }, { patient: to }),
  alerts: (em, from, to) => em.nativeUpdate(Alert, { patient: from }, { patient: to }),
  notes: (em, from, to) => em.nativeUpdate(Note, { patient: from }, { patient: to }),
  steps: (em, from, to) => em.nativeUpdate(Step, { patient: from }, { patient: to }),
  reminderDeliveries: (em, from, to) => em.nativeUpdate(ReminderDelivery, { patient: from }, { patient: to }),
  appointments: (em, from, to) => em.nativeUpdate(Appointment, { patient: from }, { patient: to }),
  relatedPersons: (em, from, to) => em.nativeUpdate(RelatedPerson, { patient: from }, { patient: to }),
  invites: (em, from, to) => em.nativeUpdate(Invite, { patient: from }, { patient: to }),
  hl7Messages: (em, from, to) => em.nativeUpdate(Hl7Message, { patientId: from }, { patientId: to }),
  careRequests: (em, from, to) => em.nativeUpdate(CareRequest, { patient: from }, { patient: to }),
  deliveries: (em, from, to) => em.nativeUpdate(DeliveryRequest, { patient: from }, { patient: to }),
  documents: (em, from, to) => em.nativeUpdate(Document, { patient: from }, { patient: to }),
  notifications: (em, from, to) => em.nativeUpdate(Notification, { patient: from }, { patient: to }),
  conversations: (em, from, to) => em.nativeUpdate(Conversation, { patient: from }, { patient: to }),
  sos: (em, from, to) => em.nativeUpdate(SosRequest, { patient: from }, { patient: to }),
  // Issued invoices move too, as they are: their addressee's name and address were copied when issued.
  charges: (em, from, to) => em.nativeUpdate(Charge, { patient: from }, { patient: to }),
  invoices: (em, from, to) => em.nativeUpdate(Invoice, { patient: from }, { patient: to }),
  invoicesToGuardian: (em, from, to) => em.nativeUpdate(Invoice, { billToGuardian: from }, { billToGuardian: to }),
  // Payments, and with them the credit they hold, go to the surviving record's account.
  payments: (em, from, to) => em.nativeUpdate(Payment, { patient: from }, { patient: to }),
  paymentsByGuardian: (em, from, to) => em.nativeUpdate(Payment, { payerGuardian: from }, { payerGuardian: to }),
} satisfies Record<string, (em: EntityManager, from: string, to: string) => Promise<number>>;

/** Two overlapping visits, one record imported into both, or an unresolved SOS on each: PostgreSQL refuses the move, and so does the merge. */
function mergeConflict(e: unknown): AppError | null {
  const overlap = e instanceof DriverException && e.code === '23P01';
  if (!overlap && !(e instanceof UniqueConstraintViolationException)) return null;
  return new AppError('CONFLICT', 'The two records clash (overlapping appointments, or the same imported entry in both): resolve that first', 'merge-conflict');
}

/**
 * Folds the source patient (typically a self-registered duplicate) into the target, in one transaction:
 * every row of theirs moves, the source's care team and guardians join the target's, and the source's
 * portal account becomes the target's. The source stays, with status `merged` and `mergedIntoId`, out
 * of default lists. Refused: a record already merged (either side), a record of another practice (not
 * found), and two records that both have a portal account (one patient would then have two logins;
 * which one goes is not PAMS's guess). Audited on both records.
 */
export async function mergePatients(ctx: AuthedCtx, { sourceId, targetId }: MergePatientsInput) {
  try {
    return await ctx.em.transactional((em) => mergeInTransaction({ ...ctx, em }, sourceId, targetId));
  } catch (e) {
    throw mergeConflict(e) ?? e;
  }
}

async function mergeInTransaction(ctx: AuthedCtx, sourceId: string, targetId: string) {
  const { em, actor } = ctx;
  // Locked in id order, so two merges of the same pair cannot deadlock.
  const locked = new Map<string, Patient>();
  for (const id of [sourceId, targetId].sort()) locked.set(id, await findVisiblePatient(em, actor, id, LockMode.PESSIMISTIC_WRITE));
  const source = locked.get(sourceId)!;
  const target = locked.get(targetId)!;
  if (source.status === 'merged' || target.status === 'merged') throw new AppError('CONFLICT', 'A merged record cannot be merged again: use the record it was merged into', 'patient-merged');
  if (source.portalUser && target.portalUser) {
    throw new AppError('CONFLICT', 'Both records have a portal account: a merge may bring at most one', 'portal-account-exists');
  }

  const moved: Record<string, number> = {};
  for (const [kind, move] of Object.entries(moves)) moved[kind] = await move(em, source.id, target.id);
  moved.careTeam = await moveCareTeam(em, actor.practiceId, source, target);

  const account = source.portalUser;
  if (account) {
    source.portalUser = null;
    await em.flush(); // the account is unique to one patient: off the source before it is on the target
    target.portalUser = account;
  }
  moved.guardians = await moveGuardians(em, source, target, target.portalUser?.id ?? null);
  moved.portalAccount = account ? 1 : 0;

  source.status = 'merged';
  source.mergedIntoId = target.id;
  // The target's FHIR Patient gains a `replaces` link: a change, for exports of what changed since a date.
  target.updatedAt = ctx.clock.now();
  const detail = { sourceId: source.id, targetId: target.id };
  recordAudit(ctx, { action: 'patient.merged', entityType: 'patient', entityId: source.id, detail });
  recordAudit(ctx, { action: 'patient.merged', entityType: 'patient', entityId: target.id, detail });
  await em.flush();
  return { target: toPatientDto(target), source: toPatientDto(source), moved };
}

/**
 * The source's clinicians join the target's care team as new rows (the insert trigger copies the
 * target's search keys onto them); the source's rows go. Answers how many joined.
 */
async function moveCareTeam(em: EntityManager, practiceId: string, source: Patient, target: Patient): Promise<number> {
  const onTarget = new Set((await em.find(CareTeamMember, { patient: target })).map((m) => m.clinician.id));
  const joining = (await em.find(CareTeamMember, { patient: source })).filter((m) => !onTarget.has(m.clinician.id));
  for (const m of joining) em.create(CareTeamMember, { practice: practiceId, patient: target, clinician: m.clinician });
  await em.flush();
  await em.nativeDelete(CareTeamMember, { patient: source });
  return joining.length;
}

/** The source's guardians act for the target, except ones it has and its own account (no one guards themself). */
async function moveGuardians(em: EntityManager, source: Patient, target: Patient, targetAccountId: string | null): Promise<number> {
  const onTarget = (await em.find(Guardianship, { dependent: target })).map((g) => g.guardian.id);
  const skip = targetAccountId ? [...onTarget, targetAccountId] : onTarget;
  const movedCount = await em.nativeUpdate(Guardianship, { dependent: source, ...(skip.length ? { guardian: { $nin: skip } } : {}) }, { dependent: target });
  await em.nativeDelete(Guardianship, { dependent: source });
  if (targetAccountId) await em.nativeDelete(Guardianship, { dependent: target, guardian: targetAccountId });
  return movedCount;
}
