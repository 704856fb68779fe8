import { defineModule } from '../../module-manifest.ts';
import { Hl7Message } from './hl7-message.entity.ts';
import { hl7Router } from './hl7.router.ts';

export const hl7Module = defineModule({ routers: { hl7: hl7Router }, entities: [Hl7Message] });
