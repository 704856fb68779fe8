import { defineModule } from '../../module-manifest.ts';
import { Document } from './document.entity.ts';
import { documentsRouter } from './documents.router.ts';

export const documentsModule = defineModule({
  routers: { documents: documentsRouter },
  entities: [Document],
});
