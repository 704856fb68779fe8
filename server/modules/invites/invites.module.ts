import { defineModule } from '../../module-manifest.ts';
import { Invite } from './invite.entity.ts';
import { invitesRouter } from './invites.router.ts';

export const invitesModule = defineModule({ routers: { invites: invitesRouter }, entities: [Invite] });
