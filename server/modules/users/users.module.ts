import { defineModule } from '../../module-manifest.ts';
import { User } from './user.entity.ts';
import { usersRouter } from './users.router.ts';

export const usersModule = defineModule({ routers: { users: usersRouter }, entities: [User] });
