import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, screenshotPath } from './browser.ts';
import { createPatient, createPractice, inviteUser, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';

/**
 * The API reference (/docs, Swagger UI) in a real Chromium, opened at the server's own address while the
 * document's server is APP_URL (http://pams.test here, as a deployment's public name would be): "Try it
 * out" must call the address the page came from, with a token authorised once.
 */
describe.skipIf(!chromiumPath)('the API reference in Chromium', () => {
  let t: TestServer;
  let clinician: TestUser;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestServer();
    const { admin } = await createPractice(t);
    clinician = await inviteUser(t, admin);
    await createPatient(t, clinician.token, { givenName: 'Tryit', familyName: 'Outwell' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('tries a procedure out from the address it was opened at, authorised once for every call and reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 1400 } });
    const page = await context.newPage();
    // Generous: Swagger UI parses and lays out the whole document (every procedure) before it draws a button, which
    // takes seconds on a busy 2-core machine. A wait, not a measure of speed.
    page.setDefaultTimeout(30_000);
    // A deep link to the operation: Swagger UI renders operations as they scroll into view, and this one is far down.
    await page.goto(`${t.url}/docs#/patients/patients.list`);
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(clinician.token);
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    // Kept across a reload: the token is pasted once. The deep link opens the operation.
    await page.reload();
    const operation = page.locator('.opblock.is-open', { hasText: '/trpc/patients.list' });
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.locator('.parameters textarea, .parameters input').first().fill('{"limit": 5}');
    const answered = page.waitForResponse((r) => r.url().includes('/trpc/patients.list'));
    await operation.getByRole('button', { name: 'Execute' }).click();
    const response = await answered;
    expect(new URL(response.url()).origin).toBe(new URL(t.url).origin);
    expect(response.status()).toBe(200);
    await expect.poll(() => operation.locator('.responses-wrapper .live-responses-table').textContent()).toContain('Outwell');
    await page.screenshot({ path: screenshotPath('api-docs-try-it-out'), fullPage: true });
    await context.close();
  }, 120_000);
});
