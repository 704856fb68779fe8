import { defineModule } from '../../module-manifest.ts';
import { Alert } from './alert.entity.ts';
import { Assessment } from './assessment.entity.ts';
import { alertsRouter, assessmentsRouter } from './assessments.router.ts';

export const assessmentsModule = defineModule({ routers: { assessments: assessmentsRouter, alerts: alertsRouter }, entities: [Assessment, Alert] });
