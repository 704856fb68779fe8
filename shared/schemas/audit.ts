import { z } from 'zod';
import { isoDateTime, pageInput, uuid } from './common.ts';

export const listAuditInput = pageInput.extend({
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  actorId: uuid.optional(),
  action: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
});
export type ListAuditInput = z.infer<typeof listAuditInput>;
