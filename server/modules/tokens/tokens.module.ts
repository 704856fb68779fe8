import { defineModule } from '../../module-manifest.ts';
import { ApiToken } from './api-token.entity.ts';
import { tokensRouter } from './tokens.router.ts';

export const tokensModule = defineModule({ routers: { tokens: tokensRouter }, entities: [ApiToken] });
