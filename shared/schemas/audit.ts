import { z } from 'zod';
import { instantOutput, isoDateTime, pageInput, pageOutput, text, uuid } from './common.ts';

export const listAuditInput = pageInput.extend({
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  actorId: uuid.optional(),
  action: text().max(64).optional(),
  entityId: text().max(64).optional(),
});
export type ListAuditInput = z.infer<typeof listAuditInput>;

export const auditEventOutput = z.object({
  id: z.string(),
  at: instantOutput,
  actorId: z.string().nullable().describe('The user who acted; null for events without one (a failed login of an unknown email)'),
  action: z.string().describe('What happened, as `<domain>.<verb>`: `auth.login`, `patient.read`'),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .nullable()
    .describe("Flat facts about the event, by action (never PHI): a read's result count, a job's name"),
});
export type AuditEventOutput = z.infer<typeof auditEventOutput>;

export const auditEventPageOutput = pageOutput(auditEventOutput);
