import { manualClock } from '../server/clock.ts';
import { answerFromBulletLines, startFakeLlm } from './fake-llm.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, newEmail, sql, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { waitFor } from './workers.ts';

/**
 * The world of the care-loop tests: a fake LLM, a test server whose clock stands still until moved,
 * a practice with a clinician, and a helper for patients with a portal account.
 */
export async function startCareLoop({ start = '2026-03-02T13:00:00Z', env = {} }: { start?: string; env?: Record<string, string> } = {}) {
  const llm = await startFakeLlm(answerFromBulletLines);
  const clock = manualClock(start);
  const t = await startTestServer(
    { LLM_BASE_URL: llm.url, LLM_API_KEY: 'test-llm-key', LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '800', LLM_MAX_ATTEMPTS: '5', LLM_RETRY_DELAY_MS: '20', ...env },
    { clock },
  );
  const { admin } = await createPractice(t);
  const clinician = await inviteUser(t, admin);
  return {
    t,
    llm,
    clock,
    admin,
    clinician,
    async close() {
      await t.close();
      await llm.close();
    },
  };
}

/** A patient on the clinician's care team, with an email and (optionally) a portal login. */
export async function patientWithPortal(t: TestServer, clinician: TestUser, timeZone = 'America/New_York') {
  const patient = await createPatient(t, clinician.token, { email: newEmail('patient'), timeZone });
  const portal = await invitePatientToPortal(t, clinician.token, patient.id);
  return { patient, portal };
}

/** Waits until a note's extraction is no longer pending; returns the note. */
export function extracted(t: TestServer, token: string, noteId: string, timeoutMs = 10_000) {
  return waitFor(
    async () => {
      const note = await t.client(token).notes.byId.query({ id: noteId });
      return note.extraction?.state !== 'pending' && note;
    },
    { timeoutMs, what: `extraction of note ${noteId}` },
  );
}

/** Delivery rows of a step, oldest first. */
export const deliveries = (t: TestServer, stepId: string) =>
  sql<{ local_day: string; channel: string; status: string; attempts: number; last_error: string | null }>(
    t,
    `select local_day::text, channel, status, attempts, last_error from reminder_delivery where step_id = ? order by local_day, channel`,
    [stepId],
  );

export const NOTE = [
  'Reviewed blood pressure: 150/95. Discussed salt intake.',
  '- Book a blood test at the lab next week',
  '- Take amlodipine 5 mg daily at 08:30',
  '- Walk 30 minutes every day',
].join('\n');
