import { auditEventPageOutput, listAuditInput } from '../../../shared/schemas/audit.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { listAudit } from './audit.service.ts';

export const auditRouter = router({
  list: adminProcedure
    .input(listAuditInput)
    .output(auditEventPageOutput)
    .query(({ ctx, input }) => listAudit(ctx, input)),
});
