import { defineModule } from '../../module-manifest.ts';
import { reportsRouter } from './reports.router.ts';

/** Reports read the other modules' tables through plain SQL: no entities of their own. */
export const reportsModule = defineModule({ routers: { reports: reportsRouter }, entities: [] });
