import { defineModule } from '../../module-manifest.ts';
import { Document } from './document.entity.ts';

export const documentsModule = defineModule({
  routers: {},
  entities: [Document],
});
