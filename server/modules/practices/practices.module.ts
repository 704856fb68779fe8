import { defineModule } from '../../module-manifest.ts';
import { Practice } from './practice.entity.ts';
import { practicesRouter } from './practices.router.ts';

export const practicesModule = defineModule({ routers: { practices: practicesRouter }, entities: [Practice] });
