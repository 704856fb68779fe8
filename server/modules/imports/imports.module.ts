import { defineModule } from '../../module-manifest.ts';
import { ImportRow } from './import-row.entity.ts';
import { ImportSession } from './import-session.entity.ts';
import { importsRouter } from './imports.router.ts';

export const importsModule = defineModule({ routers: { imports: importsRouter }, entities: [ImportSession, ImportRow] });
