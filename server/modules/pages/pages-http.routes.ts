import { TRPCError } from '@trpc/server';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError, z } from 'zod';
import { resolveBearer } from '../../auth/session.ts';
import { createContextInner, originAllowed, type AppDeps } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { callFailure, callerFor, routerCalls, type RouterCallEnv } from '../../http/router-calls.ts';
import { checkInFromLink, lookupCheckInLink, lookupUnsubscribeLink, unsubscribeFromLink, type LinkRefusal } from '../reminders/reminder-links.service.ts';
import { alert, form, page, type FieldErrors } from './pages.html.ts';
import { checkInDone, checkInForm, linkRefused, stepNotActive, unsubscribed, unsubscribeForm } from './reminder-link-pages.html.ts';

/** Links that were good once: the page says so with 410 Gone rather than the API's 409. */
const gone = new Set(['invite-expired', 'invite-accepted', 'invite-revoked', 'reset-token-invalid', 'verification-link-invalid']);

type Failure = { status: ContentfulStatusCode; message: string; fieldErrors: FieldErrors };

/** A procedure's error as the page shows it: its status, its message, its per-field messages. */
function failure(c: Context, error: unknown, log: AppDeps['log']): Failure {
  const { status, message } = callFailure(c, error, log, 'page');
  const cause = error instanceof TRPCError ? error.cause : null;
  const reason = cause instanceof AppError ? cause.reason : null;
  const fieldErrors = cause instanceof ZodError ? z.flattenError(cause).fieldErrors : cause instanceof AppError ? (cause.fieldErrors ?? {}) : {};
  // A zod error's message is its JSON: the fields say it in words instead.
  return { status: reason && gone.has(reason) ? 410 : status, message: cause instanceof ZodError ? 'Please correct the fields below.' : message, fieldErrors };
}

const formText = async (c: Context) => {
  const body = await c.req.parseBody();
  return (name: string) => (typeof body[name] === 'string' ? body[name] : '');
};

const nameField = { name: 'name', label: 'Your name', type: 'text', autocomplete: 'name' };
const passwordField = { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: 'At least 12 characters.' };
const codeField = { name: 'code', label: 'Code from your app', type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]{6}', hint: 'The 6-digit code it shows now.' };

/** RFC 8058: a mail app's own "unsubscribe" button POSTs exactly this form, from no page of ours. */
const isOneClick = (body: Record<string, unknown>) => Object.keys(body).length === 1 && body['List-Unsubscribe'] === 'One-Click';

/**
 * The pages PAMS's own mail links to (APP_URL + these paths): accept an invite (with MFA enrolment
 * where the practice requires it), reset a password, confirm a sign-up's email, and from a reminder,
 * check in or stop reminder emails. Plain HTML forms, no script. The invite, reset and verify pages
 * call the same procedures as the API, through the router, so input rules, audit and errors are the
 * API's own; the reminder links' signed token is their only credential, and their services
 * (reminder-links.service.ts) reuse `steps.checkIn`'s.
 * A GET never changes anything: mail scanners (Outlook's safe links) follow every link in a mail.
 *
 * CSRF: a POST is taken only from our own pages (`originAllowed`, the rule /trpc applies to cookie
 * calls: `Sec-Fetch-Site: same-origin`, or an Origin that is ours). Browsers set those headers themselves
 * and no page script can forge them, so this needs no token, no state and no extra cookie; a request
 * with neither (a script, a very old browser) is refused in words. The link's secret token alone would
 * not stop a forged POST from logging the victim into an attacker's freshly accepted account (login
 * CSRF), which is what the check is for.
 */
export function pagesRoutes(deps: AppDeps, socketIp: (c: Context) => string | null) {
  const calls = routerCalls(deps, socketIp);
  const show = (c: Context, status: ContentfulStatusCode, title: string, body: Parameters<typeof page>[1]) => c.html(page(title, body), status, { 'cache-control': 'no-store' });

  const refused = (c: Context) =>
    show(c, 403, 'Form refused', alert('This form was sent from another site, or without saying where from. Open the link from your email again and send the form from there.'));
  const linkFailed = (c: Context, { problem }: LinkRefusal) => {
    const { status, title, message } = linkRefused(problem);
    return show(c, status, title, alert(message));
  };

  // Per route, not `.use()`: this app is mounted at '/', where a catch-all middleware would run for /trpc too.
  const sameOrigin: MiddlewareHandler = async function sameOrigin(c, next) {
    if (!originAllowed(c, deps.config)) return refused(c);
    await next();
  };

  return (
    new Hono<RouterCallEnv>()
      .get('/invite', calls, async (c) => {
        const token = c.req.query('token') ?? '';
        try {
          const invite = await c.var.caller.invites.lookup({ token });
          return show(c, 200, `Join ${invite.practiceName}`, inviteForm(token, invite.email, {}, null));
        } catch (error) {
          const f = failure(c, error, deps.log);
          return show(c, f.status, 'This invite link does not work', alert(f.fieldErrors.token ? 'This invite link is not valid.' : f.message));
        }
      })
      .post('/invite', sameOrigin, calls, async (c) => {
        const value = await formText(c);
        const token = value('token');
        let accepted: { token: string };
        try {
          accepted = await c.var.caller.invites.accept({ token, name: value('name'), password: value('password') });
        } catch (error) {
          const f = failure(c, error, deps.log);
          if (f.status === 400 && !f.fieldErrors.token) return show(c, 400, 'Join PAMS', inviteForm(token, null, f.fieldErrors, f.message, value('name')));
          return show(c, f.status, 'This invite link does not work', alert(f.fieldErrors.token ? 'This invite link is not valid.' : f.message));
        }
        // The new session (its cookie is on this response) enrols in MFA now if the practice requires it.
        const actor = await resolveBearer({ pool: deps.pool, config: deps.config, clock: deps.clock, cookie: null }, accepted.token);
        if (!actor?.mfaEnrolmentRequired) return show(c, 200, 'Your account is ready', ready());
        const caller = callerFor(createContextInner(deps, { actor, meta: c.var.ctx.meta }));
        return show(c, 200, 'Set up two-factor sign-in', mfaEnrolment(await caller.mfa.enrol(), {}, null));
      })
      .post('/invite/mfa', sameOrigin, calls, async (c) => {
        const value = await formText(c);
        try {
          const { recoveryCodes } = await c.var.caller.mfa.confirm({ code: value('code') });
          return show(c, 200, 'Your account is ready', recovery(recoveryCodes));
        } catch (error) {
          const f = failure(c, error, deps.log);
          if (f.status === 401) return show(c, 401, 'Sign in first', alert('Your session has ended. Sign in with your new password to set up two-factor sign-in.'));
          return show(c, f.status, 'Set up two-factor sign-in', mfaEnrolment(null, f.fieldErrors.code ? f.fieldErrors : { code: ['is not valid'] }, f.message));
        }
      })
      .get('/reset-password', (c) => show(c, 200, 'Choose a new password', resetForm(c.req.query('token') ?? '', {}, null)))
      .post('/reset-password', sameOrigin, calls, async (c) => {
        const value = await formText(c);
        const token = value('token');
        try {
          await c.var.caller.auth.resetPassword({ token, newPassword: value('password') });
          return show(
            c,
            200,
            'Password changed',
            html`<p class="ok" role="status" tabindex="-1" autofocus>Your password is changed. Every other session and API token of your account has ended.</p>${signInHint()}`,
          );
        } catch (error) {
          const f = failure(c, error, deps.log);
          const errors = { ...f.fieldErrors, password: f.fieldErrors.newPassword };
          if (f.status === 400 && errors.password) return show(c, 400, 'Choose a new password', resetForm(token, errors, f.message));
          return show(c, f.status === 400 ? 410 : f.status, 'This reset link does not work', alert('This reset link is invalid, already used or expired (links last an hour). Ask for a new one.'));
        }
      })
      // The GET only asks: a mail scanner following the link must not verify the address for its owner.
      .get('/verify-email', (c) => show(c, 200, 'Confirm your email', verifyForm(c.req.query('token') ?? '')))
      .post('/verify-email', sameOrigin, calls, async (c) => {
        try {
          await c.var.caller.auth.verifyEmail({ token: (await formText(c))('token') });
          return show(c, 200, 'Your account is ready', ready());
        } catch (error) {
          const f = failure(c, error, deps.log);
          if (f.status === 400 || f.status === 410) {
            return show(c, 410, 'This link does not work', alert('This link is invalid, already used or expired (links last 24 hours). Sign up again to get a new one.'));
          }
          return show(c, f.status, 'This link does not work', alert(f.message));
        }
      })
      .get('/check-in', calls, async (c) => {
        const token = c.req.query('token') ?? '';
        const link = await lookupCheckInLink(c.var.ctx, token);
        if (!link.ok) return linkFailed(c, link);
        if (link.state !== 'active') return show(c, 410, ...stepNotActive(link.state, link.title));
        return show(c, 200, 'Check in for today?', checkInForm(token, link));
      })
      .post('/check-in', sameOrigin, calls, async (c) => {
        const token = (await formText(c))('token');
        const done = await checkInFromLink(c.var.ctx, token);
        if (!done.ok) return linkFailed(c, done);
        if (done.outcome !== 'checked-in') return show(c, 410, ...stepNotActive(done.outcome, done.title));
        return show(c, 200, 'Checked in', checkInDone(done.title));
      })
      .get('/unsubscribe', calls, async (c) => {
        const token = c.req.query('token') ?? '';
        const link = await lookupUnsubscribeLink(c.var.ctx, token);
        if (!link.ok) return linkFailed(c, link);
        if (link.optedOut) return show(c, 200, 'You are unsubscribed', unsubscribed(link.practiceName));
        return show(c, 200, 'Stop reminder emails?', unsubscribeForm(token, link.practiceName));
      })
      // The token is in the URL here, as in the List-Unsubscribe header a one-click POST is sent to.
      .post('/unsubscribe', calls, async (c) => {
        if (!isOneClick(await c.req.parseBody()) && !originAllowed(c, deps.config)) return refused(c);
        const done = await unsubscribeFromLink(c.var.ctx, c.req.query('token') ?? '');
        if (!done.ok) return linkFailed(c, done);
        return show(c, 200, 'You are unsubscribed', unsubscribed(done.practiceName));
      })
  );
}

function inviteForm(token: string, email: string | null, errors: FieldErrors, message: string | null, name = '') {
  return html`${email ? html`<p>You are invited as <strong>${email}</strong>. Choose your name and a password.</p>` : ''}
${alert(message)}
${form('/invite', { token }, [{ ...nameField, value: name }, passwordField], errors, 'Accept the invite', Boolean(message))}`;
}

function mfaEnrolment(key: { secret: string; uri: string } | null, errors: FieldErrors, message: string | null) {
  return html`${alert(message)}
${
  key
    ? html`<p>Your practice asks for a second step at sign-in. Add PAMS to an authenticator app (such as Google Authenticator, 1Password or Aegis):
open <a href="${key.uri}">this link</a> on the phone that has the app, or type this key into it:</p>
<p class="secret" aria-label="Key">${key.secret}</p>
<p>Then enter the code the app shows, to prove it works.</p>`
    : html`<p>Enter the current code from the authenticator app you added PAMS to.</p>`
}
${form('/invite/mfa', {}, [codeField], errors, 'Turn on two-factor sign-in', Boolean(message))}`;
}

function recovery(codes: string[]) {
  return html`<p class="ok" role="status" tabindex="-1" autofocus>Two-factor sign-in is on.</p>
<p>Keep these recovery codes somewhere safe. Each one signs you in once if you lose your phone. They are shown only now.</p>
<ul class="codes">${codes.map((code) => html`<li>${code}</li>`)}</ul>
${signInHint()}`;
}

const ready = () => html`<p class="ok" role="status" tabindex="-1" autofocus>Your account is ready.</p>${signInHint()}`;
const signInHint = () => html`<p>Sign in with your email and password in the app your practice uses.</p>`;

function verifyForm(token: string) {
  return html`<p>Confirm that this is your email address to finish signing up. Your practice then sees your new patient record.</p>
${form('/verify-email', { token }, [], {}, 'Confirm my email', false)}`;
}

function resetForm(token: string, errors: FieldErrors, message: string | null) {
  return html`${alert(message)}
${form('/reset-password', { token }, [passwordField], errors, 'Change my password', Boolean(message))}`;
}
