import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { arbitraryInput } from './arbitraries.ts';
import { dataSnapshot } from './data-snapshot.ts';
import { extremes } from './sample-input.ts';
import { createPractice, inviteUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { callSubscription } from './subscription-call.ts';

/**
 * Random and hostile inputs at every mutation, as an admin with real ids in play: never an
 * INTERNAL_SERVER_ERROR, and a rejected call changes nothing. Subscriptions get random inputs too, opened
 * over real SSE (tests/subscription-call.ts): each is refused with a 4xx error event or opens, and changes nothing.
 */

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);
const mutations = procedures.filter(([, p]) => p._def.type === 'mutation');
const subscriptions = procedures.filter(([, p]) => p._def.type === 'subscription');
const RUNS = 12;

let t: TestServer;
let token: string;
let ids: string[];

beforeAll(async () => {
  t = await startTestServer();
  const { admin } = await createPractice(t);
  const clinician = await inviteUser(t, admin);
  // An API token: a random `auth.logout` or `sessions.revoke` cannot end it.
  token = t.secret((await t.client(admin.token).tokens.create.mutate({ name: 'property test' })).token);
  const patient = await t.client(clinician.token).patients.create.mutate({ givenName: 'Kai', familyName: 'Lee', birthDate: '1985-02-03', gender: 'other' });
  await t.client(clinician.token).careTeams.add.mutate({ patientId: patient.id, clinicianId: clinician.id });
  const allergy = await t.client(clinician.token).allergies.create.mutate({ patientId: patient.id, fields: { substance: 'Latex', severity: 'mild' } });
  ids = [patient.id, clinician.id, allergy.id];
});
afterAll(() => t.close());

describe('property: hostile input at every mutation', () => {
  for (const [path, procedure] of mutations) {
    it(`${path} never fails with a server error, and a refusal changes nothing`, async () => {
      const input = procedure._def.inputs[0] ? arbitraryInput(procedure._def.inputs[0], ids) : fc.constant(undefined);
      // Now and then the body's bytes are not UTF-8: a sequence spliced in after its first quote.
      const corruption = fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...extremes.invalidUtf8) });
      await fc.assert(
        fc.asyncProperty(input, corruption, async (value, bad) => {
          const before = await dataSnapshot(t, ['session', 'api_token']);
          const json = value === undefined ? undefined : Buffer.from(JSON.stringify(value));
          const quote = json?.indexOf('"') ?? -1;
          const corrupt = bad && json && quote >= 0 ? Buffer.concat([json.subarray(0, quote + 1), bad, json.subarray(quote + 1)]) : null;
          const res = await t.fetch(`${t.url}/trpc/${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: corrupt ?? json,
          });
          expect(res.status, `${path} ${JSON.stringify(value)?.slice(0, 300)}`).toBeLessThan(500);
          if (corrupt) expect(res.status, `${path}: a body that is not UTF-8`).toBe(400);
          if (!res.ok) expect(await dataSnapshot(t, ['session', 'api_token']), `${path} was refused but changed data`).toBe(before);
        }),
        { numRuns: RUNS },
      );
      // A random `practices.update` may turn on practice-wide MFA, which would refuse everything after it.
      await t.em().getConnection().execute('update practice set mfa_required = false');
    });
  }
});

describe('property: random input at every subscription', () => {
  it('finds the subscriptions', () => expect(subscriptions.length).toBeGreaterThan(0));
  for (const [path, procedure] of subscriptions) {
    it(`${path} opens or is refused with a 4xx, and changes nothing`, async () => {
      const input = procedure._def.inputs[0] ? arbitraryInput(procedure._def.inputs[0], ids) : fc.constant(undefined);
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          const before = await dataSnapshot(t, ['session', 'api_token']);
          const answer = await callSubscription(t, path, value === undefined ? undefined : JSON.stringify(value), token);
          if ('error' in answer) expect(answer.error.httpStatus, `${path} ${JSON.stringify(value)?.slice(0, 300)}: ${answer.error.code}`).toBeLessThan(500);
          expect(await dataSnapshot(t, ['session', 'api_token']), `${path} changed data`).toBe(before);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
