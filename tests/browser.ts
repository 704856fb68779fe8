import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH, else Debian's `chromium` on PATH (.ci/run installs
 * it). Null when there is none: those tests then skip, and say so, while the rest of `npm test` runs.
 */
export const chromiumPath: string | null = (() => {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || null;
    } catch {}
  }
  return null;
})();

if (!chromiumPath) console.warn("No Chromium found (install Debian's `chromium` or set CHROMIUM_PATH): the browser tests are skipped.");

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: chromiumPath! });

/** Screenshots go to test-results/screenshots/ (ignored by git); each path is printed so a reader can open it. */
export const screenshotDir = path.resolve('test-results/screenshots');
export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  console.log(`screenshot: ${file}`);
  return file;
}
