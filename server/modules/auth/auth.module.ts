import { defineModule } from '../../module-manifest.ts';
import { authRouter } from './auth.router.ts';
import { LoginThrottle } from './login-throttle.entity.ts';
import { mfaRouter } from './mfa.router.ts';
import { PasswordReset } from './password-reset.entity.ts';
import { RecoveryCode } from './recovery-code.entity.ts';
import { Session } from './session.entity.ts';
import { sessionsRouter } from './sessions.router.ts';
import { SignUp } from './sign-up.entity.ts';

export const authModule = defineModule({
  routers: { auth: authRouter, sessions: sessionsRouter, mfa: mfaRouter },
  entities: [Session, RecoveryCode, PasswordReset, LoginThrottle, SignUp],
});
