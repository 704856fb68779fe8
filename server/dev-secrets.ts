import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type Env = Record<string, string | undefined>;

/**
 * Outside production, secrets missing from the environment are generated once into
 * PAMS_DATA_DIR/secrets.json (mode 0600, git-ignored) and reused on every later start.
 * In production nothing is generated: a missing secret stops start-up.
 */
export function withDevSecrets(env: Env): Env {
  if (env.NODE_ENV === 'production' || env.PAMS_ENCRYPTION_KEYS) return env;
  const dir = env.PAMS_DATA_DIR || '.pams';
  const file = path.join(dir, 'secrets.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const secrets = { PAMS_ENCRYPTION_KEYS: `dev1:${randomBytes(32).toString('base64')}` };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as Env), ...env };
}
