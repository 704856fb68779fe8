import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { StepState } from '../../../shared/schemas/steps.ts';
import { CHECK_IN_LINK_TTL_MS } from '../reminders/reminder-links.ts';
import type { LinkRefusal } from '../reminders/reminder-links.service.ts';
import { alert, form } from './pages.html.ts';

const elsewhere = 'Use the link in your newest reminder email, or check in in the app your practice uses.';

/** Each refused link in its own words: 400 cut short, 404 altered or unknown, 410 good once but no more. */
export function linkRefused(problem: LinkRefusal['problem']): { status: ContentfulStatusCode; title: string; message: string } {
  switch (problem) {
    case 'malformed':
      return {
        status: 400,
        title: 'This link is incomplete',
        message: `This link is not complete: your email app may have cut it short. Open it again from the email, or copy the whole link. ${elsewhere}`,
      };
    case 'tampered':
      return { status: 404, title: 'This link is not valid', message: `This link has been changed, or it is not one of ours. ${elsewhere}` };
    case 'unknown':
      return { status: 404, title: 'This link is not valid', message: `We could not find what this link is for: it may have been removed. ${elsewhere}` };
    case 'old-key':
      return { status: 410, title: 'This link is too old', message: `This link is too old to use: it was sent before a change of this service's security keys. ${elsewhere}` };
    case 'expired':
      return { status: 410, title: 'This link has expired', message: `This link has expired: check-in links work for ${CHECK_IN_LINK_TTL_MS / 3_600_000} hours. ${elsewhere}` };
  }
}

/** A plan item that is not active any more: checked in already (this link or another), or stopped by the care team. */
export function stepNotActive(state: StepState, title: string): [string, ReturnType<typeof alert>] {
  if (state === 'done') return ['Already checked in', alert(`You have already checked in for “${title}”. Its reminders have stopped: there is nothing more to do.`)];
  return ['Nothing to check in', alert(`Your care team has stopped “${title}”, so there is nothing to check in. Ask them if you are unsure.`)];
}

export function checkInForm(token: string, link: { title: string; localDay: string; practiceName: string }) {
  return html`<p>${link.practiceName} reminded you on <time datetime="${link.localDay}">${link.localDay}</time> to:</p>
<p><strong>${link.title}</strong></p>
<p>Have you done it? Checking in tells your care team, and stops the reminders for this.</p>
${form('/check-in', { token }, [], {}, 'Yes, check in', false)}`;
}

export const checkInDone = (title: string) => html`<p class="ok" role="status" tabindex="-1" autofocus>Thank you: you are checked in for “${title}”. Its reminders have stopped.</p>`;

export function unsubscribeForm(token: string, practiceName: string) {
  return html`<p>You will get no more reminder emails from ${practiceName}. Reminders in the app go on, and your care team can turn the emails back on.</p>
${form(`/unsubscribe?token=${token}`, {}, [], {}, 'Stop reminder emails', false)}`;
}

export const unsubscribed = (practiceName: string) =>
  html`<p class="ok" role="status" tabindex="-1" autofocus>You will get no more reminder emails from ${practiceName}.</p>
<p>Reminders in the app go on. To have the emails again, ask your care team.</p>`;
