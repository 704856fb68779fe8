import { z } from 'zod';
import { instantOutput, text } from './common.ts';

export const createTokenInput = z.object({
  name: text().trim().min(1, 'is required').max(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateTokenInput = z.infer<typeof createTokenInput>;

export const tokenIdInput = z.object({ id: text().min(1).max(32) });
export type TokenIdInput = z.infer<typeof tokenIdInput>;

export const apiTokenOutput = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: instantOutput,
  lastUsedAt: instantOutput.nullable(),
  expiresAt: instantOutput.nullable().describe('Null: the token does not expire'),
  revokedAt: instantOutput.nullable(),
});
export type ApiTokenOutput = z.infer<typeof apiTokenOutput>;

export const apiTokenListOutput = z.array(apiTokenOutput);

export const createdApiTokenOutput = z.object({
  token: z.string().describe('The secret token, for `Authorization: Bearer`: shown this once, only its hash is kept'),
  apiToken: apiTokenOutput,
});
