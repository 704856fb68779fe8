import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ensurePrivateDir, writePrivateFile } from './private-files.ts';

/** The stored login: one server URL and one API token, in the user's config directory, mode 0600. */
export type StoredLogin = { url: string; token: string; email: string; tokenId: string };

function configDir(env = process.env): string {
  return env.PAMS_CONFIG_DIR ?? path.join(env.XDG_CONFIG_HOME ?? path.join(homedir(), '.config'), 'pams');
}

const loginFile = () => path.join(configDir(), 'login.json');

export function readLogin(): StoredLogin | null {
  return existsSync(loginFile()) ? (JSON.parse(readFileSync(loginFile(), 'utf8')) as StoredLogin) : null;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether two server URLs name the same server: the banner prints `127.0.0.1` and people type
 * `localhost`, so every spelling of the loopback is one host (scheme and port must still agree).
 */
export function sameServer(a: string, b: string): boolean {
  const key = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${LOOPBACK.has(url.hostname) ? 'loopback' : url.hostname}:${url.port}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u;
    }
  };
  return key(a) === key(b);
}

export function writeLogin(login: StoredLogin): string {
  ensurePrivateDir(configDir());
  writePrivateFile(loginFile(), `${JSON.stringify(login, null, 2)}\n`);
  return loginFile();
}

export function forgetLogin(): void {
  rmSync(loginFile(), { force: true });
}
