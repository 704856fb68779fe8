import { defineModule } from '../../module-manifest.ts';
import { AuditEvent } from './audit-event.entity.ts';
import { auditRouter } from './audit.router.ts';

export const auditModule = defineModule({ routers: { audit: auditRouter }, entities: [AuditEvent] });
