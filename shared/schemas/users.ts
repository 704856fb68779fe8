import { z } from 'zod';
import { userRoles, userStatuses } from '../enums.ts';
import { pageInput } from './common.ts';

export const listUsersInput = pageInput.extend({ role: z.enum(userRoles).optional(), status: z.enum(userStatuses).optional() });
export type ListUsersInput = z.infer<typeof listUsersInput>;
