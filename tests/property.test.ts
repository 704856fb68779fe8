import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { arbitraryInput } from './arbitraries.ts';
import { dataSnapshot } from './data-snapshot.ts';
import { createPractice, inviteUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';

/**
 * Random and hostile inputs at every mutation, as an admin with real ids in play: never an
 * INTERNAL_SERVER_ERROR, and a rejected call changes nothing.
 */

type Procedure = { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } };
const mutations = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>).filter(([, p]) => p._def.type === 'mutation');
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
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          const before = await dataSnapshot(t, ['session', 'api_token']);
          const res = await t.fetch(`${t.url}/trpc/${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: value === undefined ? undefined : JSON.stringify(value),
          });
          expect(res.status, `${path} ${JSON.stringify(value)?.slice(0, 300)}`).toBeLessThan(500);
          if (!res.ok) expect(await dataSnapshot(t, ['session', 'api_token']), `${path} was refused but changed data`).toBe(before);
        }),
        { numRuns: RUNS },
      );
      // A random `practices.update` may turn on practice-wide MFA, which would refuse everything after it.
      await t.em().getConnection().execute('update practice set mfa_required = false');
    });
  }
});
