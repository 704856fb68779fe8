import type { z } from 'zod';
import { isoDateTime, pageInput, text, uuid } from './common.ts';

export const listAuditInput = pageInput.extend({
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  actorId: uuid.optional(),
  action: text().max(64).optional(),
  entityId: text().max(64).optional(),
});
export type ListAuditInput = z.infer<typeof listAuditInput>;
