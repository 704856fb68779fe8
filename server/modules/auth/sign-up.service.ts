import { LockMode } from '@mikro-orm/core';
import type { SignUpInput, VerifyEmailInput } from '../../../shared/schemas/auth.ts';
import { uuid } from '../../../shared/schemas/common.ts';
import { hashPassword } from '../../auth/password.ts';
import { generateSecretToken, parseSecretToken, secretMatches } from '../../auth/secret-token.ts';
import type { Ctx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { newMrn } from '../patients/mrn.ts';
import { Patient } from '../patients/patient.entity.ts';
import { patientSearchKeys } from '../patients/search-text.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { SignUp } from './sign-up.entity.ts';

const SIGN_UP_TTL_MS = 24 * 60 * 60 * 1000;

const closed = () => new AppError('FORBIDDEN', 'This practice does not take sign-ups online: ask it for an invite', 'sign-up-closed');
const invalidLink = () => new AppError('BAD_REQUEST', 'This link is invalid, already used or expired: sign up again', 'verification-link-invalid');

/** A practice by its id or its slug (a slug is never UUID-shaped), across practices: no one is logged in. */
function findPractice(ctx: Ctx, ref: string) {
  return ctx.em.findOne(Practice, uuid.safeParse(ref).success ? { id: ref } : { slug: ref }, { filters: false });
}

/** A failed send is logged; the answer is the same whatever happens to the mail (no enumeration). */
async function sendMail(ctx: Ctx, to: string, subject: string, text: string) {
  await ctx.mailer.send({ to, subject, text }).catch((err: Error & { code?: string }) => ctx.log.warn({ err: { name: err.name, code: err.code } }, 'sign-up mail not sent'));
}

/**
 * A patient signs up at a practice that allows it. Nothing is created but a pending sign-up, and its
 * link is mailed; `auth.verifyEmail` makes the account and the patient. The answer is `{ ok: true }`
 * whether or not the email already has an account, after the same work (a rate-limit count, one Argon2
 * hash, one lookup, one mail): when it has one, that account is told by mail that someone tried to sign
 * up with it, and nothing else happens. No existing patient record is ever matched (by email, name or
 * birth date): that would hand whoever signs up a stranger's chart. Staff merge duplicates by hand.
 * A practice with sign-up off (or none of that name) is refused before the email is looked at.
 */
export async function signUp(ctx: Ctx, { practice: ref, givenName, familyName, birthDate, email, password }: SignUpInput) {
  await ctx.loginLimiter.attempt(`sign-up:${email}`, ctx.meta.ip);
  const practice = await findPractice(ctx, ref);
  if (practice?.patientSignUp !== 'open') throw closed();
  const passwordHash = await hashPassword(password);
  const existing = await ctx.em.findOne(User, { email }, { filters: false, populate: ['practice'] });
  if (existing) {
    recordAudit(ctx, { action: 'auth.sign-up-existing-email', practiceId: existing.practice.id, actorId: null, entityType: 'user', entityId: existing.id });
    await ctx.em.flush();
    await sendMail(
      ctx,
      email,
      'Someone tried to sign up to PAMS with your email',
      `Someone tried to sign up to ${practice.name} on PAMS with this email address, which already has a PAMS account. Nothing was changed.\n\nIf it was you: sign in as usual. If you have forgotten your password, ask for a reset from the sign-in screen, or run: pams password forgot --email ${email} --url ${ctx.config.appUrl}\n\nIf it was not you, ignore this message.`,
    );
    return { ok: true as const };
  }
  const { id, token, secretHash } = generateSecretToken();
  const now = ctx.clock.now();
  ctx.em.create(SignUp, { id, practice, email, givenName, familyName, birthDate, passwordHash, secretHash, createdAt: now, expiresAt: new Date(now.getTime() + SIGN_UP_TTL_MS) });
  recordAudit(ctx, { action: 'auth.signed-up', practiceId: practice.id, actorId: null, entityType: 'sign-up', entityId: id });
  await ctx.em.flush();
  await sendMail(
    ctx,
    email,
    `Confirm your email for ${practice.name} on PAMS`,
    `To finish signing up to ${practice.name} on PAMS, confirm your email address within 24 hours:\n\n${ctx.config.appUrl}/verify-email?token=${token}\n\nUntil then your account does not exist. If you did not sign up, ignore this message.`,
  );
  return { ok: true as const };
}

/**
 * The sign-up's link, once, within 24 hours: creates the portal account (role patient, active, the
 * password given at sign-up) and its own new Patient record, marked self-registered, with the name and
 * birth date given and the email as its contact, in one transaction. Other pending sign-ups for the
 * email are voided. The practice must still take sign-ups, and the email must still be free (an invite
 * may have taken it meanwhile): the link's holder owns the mailbox, so saying so reveals nothing.
 */
export async function verifyEmail(ctx: Ctx, { token }: VerifyEmailInput) {
  const parsed = parseSecretToken(token);
  if (!parsed) throw invalidLink();
  return ctx.em.transactional(async (em) => {
    const now = ctx.clock.now();
    const signUp = await em.findOne(SignUp, { id: parsed.id }, { populate: ['practice', 'passwordHash'], filters: false, lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!signUp || signUp.usedAt || signUp.expiresAt <= now || !secretMatches(parsed.secret, signUp.secretHash)) throw invalidLink();
    const { practice, email } = signUp;
    if (practice.patientSignUp !== 'open') throw closed();
    if (await em.count(User, { email }, { filters: false })) throw new AppError('CONFLICT', 'This email already has an account: sign in instead', 'email-taken');
    const user = em.create(User, { practice, email, name: `${signUp.givenName} ${signUp.familyName}`, role: 'patient', status: 'active', passwordHash: signUp.passwordHash });
    const patient = em.create(Patient, {
      practice,
      mrn: newMrn(),
      givenName: signUp.givenName,
      familyName: signUp.familyName,
      birthDate: signUp.birthDate,
      gender: 'unknown',
      email,
      timeZone: practice.timeZone,
      selfRegistered: true,
      portalUser: user,
      ...patientSearchKeys(signUp),
    });
    await em.nativeUpdate(SignUp, { email, usedAt: null }, { usedAt: now }, { filters: false }); // every practice's: the email now has its account
    const audit = { practiceId: practice.id, actorId: user.id };
    recordAudit({ ...ctx, em }, { ...audit, action: 'auth.email-verified', entityType: 'sign-up', entityId: signUp.id });
    recordAudit({ ...ctx, em }, { ...audit, action: 'patient.created', entityType: 'patient', entityId: patient.id, detail: { selfRegistered: true } });
    return { ok: true as const };
  });
}
