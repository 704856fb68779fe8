import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CareRequestOutput, CreateCareRequestInput, DeclineCareRequestInput, ListCareRequestsInput } from '../../../shared/schemas/care-requests.ts';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { Actor, AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { getClinician } from '../clinicians/clinicians.service.ts';
import { joinCareTeam } from '../patients/care-team.service.ts';
import { CareTeamMember } from '../patients/care-team-member.entity.ts';
import { findWritablePatient, visiblePatients } from '../patients/patient-access.ts';
import { User } from '../users/user.entity.ts';
import { toCareRequestDtos } from './care-request.dto.ts';
import { CareRequest } from './care-request.entity.ts';

const sort = newestFirst('createdAt');

/** A clinician sees the requests addressed to them, an admin the practice's, a patient their own and their dependents'. */
function visibleRequests(actor: Actor): FilterQuery<CareRequest> {
  switch (actor.role) {
    case 'admin':
      return {};
    case 'clinician':
      return { clinician: actor.userId };
    case 'patient':
      return { patient: visiblePatients(actor) };
  }
}

/**
 * The request, if the caller may see it, locked for the rest of the transaction and read again under the
 * lock: a clinician accepting and the patient cancelling at once are served one after the other.
 */
async function findRequestForUpdate(em: EntityManager, actor: Actor, id: string): Promise<CareRequest> {
  if (!(await em.count(CareRequest, { $and: [{ id }, visibleRequests(actor)] }))) throw notFound('Care request');
  return em.findOneOrFail(CareRequest, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

const one = async (em: EntityManager, request: CareRequest): Promise<CareRequestOutput> => (await toCareRequestDtos(em, [request]))[0]!;

/** The message and a decline's reason may say anything about the patient: they stay on the request, out of the audit trail. */
const audit = (ctx: AuthedCtx, action: 'created' | 'accepted' | 'declined' | 'cancelled', request: CareRequest, detail: Record<string, string | boolean> = {}) =>
  recordAudit(ctx, {
    action: `care-request.${action}`,
    entityType: 'care-request',
    entityId: request.id,
    detail: { patientId: request.patient.id, clinicianId: request.clinician.id, ...detail },
  });

/**
 * Accepts a request: the clinician joins the care team in the same transaction (the caller's). `by` is
 * null when the practice's setting accepts it. The clinician must still be active.
 */
async function accept(ctx: AuthedCtx, request: CareRequest, by: string | null): Promise<void> {
  request.decide('accepted', by, ctx.clock.now());
  const clinician = await ctx.em.findOneOrFail(User, request.clinician.id);
  if (clinician.status !== 'active') throw new AppError('CONFLICT', 'Only an active clinician can join a care team');
  await joinCareTeam(ctx, request.patient.id, clinician);
  audit(ctx, 'accepted', request, { automatic: by === null });
}

/**
 * A patient, or a guardian for a dependent, asks a clinician of the directory who accepts new patients to
 * take them on. The patient's row is locked, so that requests for one patient are made one after the
 * other and the checks below hold; the unique index on pending requests holds even without it. A second
 * request while one is pending is CONFLICT (`care-request-pending`), as is one to a clinician already on
 * the care team. With the practice's `autoAcceptCareRequests` it is accepted at once.
 */
export async function createCareRequest(ctx: AuthedCtx, { patientId, clinicianId, message }: CreateCareRequestInput): Promise<CareRequestOutput> {
  const listed = await getClinician(ctx, { id: clinicianId });
  if (!listed.acceptsNewPatients) {
    throw new AppError('BAD_REQUEST', `${listed.displayName} is not taking new patients: choose another clinician`, 'not-accepting-new-patients', {
      clinicianId: ['does not accept new patients'],
    });
  }
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const patient = await findWritablePatient(em, ctx.actor, patientId, LockMode.PESSIMISTIC_WRITE);
    if (await em.count(CareTeamMember, { patient, clinician: clinicianId })) {
      throw new AppError('CONFLICT', `${listed.displayName} is already caring for this patient`, 'already-on-care-team');
    }
    if (await em.count(CareRequest, { patient, clinician: clinicianId, state: 'pending' })) {
      throw new AppError('CONFLICT', `A request to ${listed.displayName} is already waiting for an answer`, 'care-request-pending');
    }
    const request = em.create(CareRequest, { practice: ctx.actor.practiceId, patient, clinician: clinicianId, message: message ?? null, requestedBy: ctx.actor.userId });
    audit(tx, 'created', request);
    if (ctx.actor.identity.practice.autoAcceptCareRequests) await accept(tx, request, null);
    await em.flush();
    return one(em, request);
  });
}

export async function listCareRequests(ctx: AuthedCtx, input: ListCareRequestsInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const filters = { state: input.state, patient: input.patientId, clinician: input.clinicianId };
  const rows = await ctx.em.find(CareRequest, { $and: [where, visibleRequests(ctx.actor), filters] }, { orderBy, limit: input.limit + 1 });
  const page = toPage(rows, input.limit, sort, (r) => r);
  const items = await toCareRequestDtos(ctx.em, page.items);
  await auditRead(ctx, { action: 'care-request.listed', entityType: 'care-request', detail: { results: items.length, ids: items.map((r) => r.id).join(',') } });
  return { items, nextCursor: page.nextCursor };
}

/** The clinician asked, or an admin, takes the patient on. */
export async function acceptCareRequest(ctx: AuthedCtx, { id }: IdInput): Promise<CareRequestOutput> {
  return ctx.em.transactional(async (em) => {
    const request = await findRequestForUpdate(em, ctx.actor, id);
    await accept({ ...ctx, em }, request, ctx.actor.userId);
    await em.flush();
    return one(em, request);
  });
}

/** The clinician asked, or an admin, declines, with a reason the patient sees. */
export async function declineCareRequest(ctx: AuthedCtx, { id, reason }: DeclineCareRequestInput): Promise<CareRequestOutput> {
  return ctx.em.transactional(async (em) => {
    const request = await findRequestForUpdate(em, ctx.actor, id);
    request.decide('declined', ctx.actor.userId, ctx.clock.now(), reason);
    audit({ ...ctx, em }, 'declined', request);
    await em.flush();
    return one(em, request);
  });
}

/** The patient, or their guardian, withdraws a pending request. */
export async function cancelCareRequest(ctx: AuthedCtx, { id }: IdInput): Promise<CareRequestOutput> {
  return ctx.em.transactional(async (em) => {
    const request = await findRequestForUpdate(em, ctx.actor, id);
    request.decide('cancelled', ctx.actor.userId, ctx.clock.now());
    audit({ ...ctx, em }, 'cancelled', request);
    await em.flush();
    return one(em, request);
  });
}
