// Outputs as a frontend reads them: plain DTO types, with no field beyond the DTO.
import { createPamsClient, type RouterOutputs } from '@pams/client';

type Invite = RouterOutputs['invites']['list']['items'][number];

const api = createPamsClient({ url: 'http://localhost:3000', token: 'pat_example.token' });

export async function dashboard(): Promise<string> {
  const me = await api.auth.me.query();
  const page = await api.invites.list.query({ limit: 25, status: 'pending' });
  const invites: Invite[] = page.items;
  const next: string | null = page.nextCursor;
  return `${me.user.email} (${me.practice.name}) sees ${invites.length} invites, first ${invites[0]?.email ?? 'none'}, next ${next}`;
}

// @ts-expect-error: an output has its DTO's fields only
export const noSecrets = (invite: Invite) => invite.tokenHash;
