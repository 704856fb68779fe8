import { z } from 'zod';
import { userRoles, userStatuses } from '../enums.ts';
import { instantOutput, pageInput, pageOutput } from './common.ts';

export const listUsersInput = pageInput.extend({ role: z.enum(userRoles).optional(), status: z.enum(userStatuses).optional() });
export type ListUsersInput = z.infer<typeof listUsersInput>;

export const userOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable().describe('Null until an invited user accepts and gives their name'),
  role: z.enum(userRoles),
  status: z.enum(userStatuses),
  mfaEnabled: z.boolean(),
  createdAt: instantOutput,
});
export type UserOutput = z.infer<typeof userOutput>;

export const userPageOutput = pageOutput(userOutput);
