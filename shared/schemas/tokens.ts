import { z } from 'zod';
import { text } from './common.ts';

export const createTokenInput = z.object({
  name: text().trim().min(1, 'is required').max(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateTokenInput = z.infer<typeof createTokenInput>;

export const tokenIdInput = z.object({ id: text().min(1).max(32) });
export type TokenIdInput = z.infer<typeof tokenIdInput>;
