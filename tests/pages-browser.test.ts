import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromiumPath, launchChromium, screenshotPath } from './browser.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { createPractice, loginAs, newPassword, sendInvite, sql, totpCode, wrongTotpCode, type TestUser } from './fixtures.ts';
import { tokenFromMail } from './smtp-capture.ts';

/** The mail-link pages in a real Chromium, with JavaScript off: plain forms must be enough. */
describe.skipIf(!chromiumPath)('mail-link pages in Chromium', () => {
  let t: TestServer;
  let admin: TestUser;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    t = await startTestServer();
    ({ admin } = await createPractice(t));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });
  const newPage = async () => {
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 800, height: 900 } });
    return context.newPage();
  };

  it('accepts an invite: a weak password is refused in words, then the account works', async () => {
    const { email, token } = await sendInvite(t, admin);
    const page = await newPage();
    const first = await page.goto(`${t.url}/invite?token=${token}`);
    expect(first?.status()).toBe(200);
    expect(await page.textContent('main')).toContain(email);
    await page.screenshot({ path: screenshotPath('invite-form'), fullPage: true });

    await page.getByLabel('Your name').fill('Dr Ada Byrne');
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Accept the invite' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('correct the fields');
    expect(await page.locator('#password-error').textContent()).toContain('at least 12 characters');
    expect(await page.getByLabel('Your name').inputValue()).toBe('Dr Ada Byrne'); // kept, not retyped
    expect(await page.getByLabel('New password').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: screenshotPath('invite-weak-password'), fullPage: true });

    const password = newPassword(t);
    await page.getByLabel('New password').fill(password);
    await page.getByRole('button', { name: 'Accept the invite' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Your account is ready');
    expect((await context.cookies()).map((c) => c.name)).toContain('pams_session');
    await page.screenshot({ path: screenshotPath('invite-done'), fullPage: true });
    t.secret(await loginAs(t, email, password));

    await page.goto(`${t.url}/invite?token=${token}`);
    expect(await page.getByRole('alert').textContent()).toContain('already accepted');
    await context.close();
  });

  it('enrols the new user in MFA where the practice requires it', async () => {
    const { practiceId, admin: mfaAdmin } = await createPractice(t);
    const { email, token } = await sendInvite(t, mfaAdmin);
    await sql(t, 'update practice set mfa_required = true where id = ?', [practiceId]);
    const page = await newPage();
    await page.goto(`${t.url}/invite?token=${token}`);
    await page.getByLabel('Your name').fill('Dr Cian Walsh');
    const password = newPassword(t);
    await page.getByLabel('New password').fill(password);
    await page.getByRole('button', { name: 'Accept the invite' }).click();
    expect(await page.locator('h1').textContent()).toBe('Set up two-factor sign-in');
    const secret = t.secret((await page.getByLabel('Key').textContent())!.trim());
    expect(await page.getByRole('link', { name: 'this link' }).getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
    await page.screenshot({ path: screenshotPath('invite-mfa-enrol'), fullPage: true });

    await page.getByLabel('Code from your app').fill(wrongTotpCode(t, secret));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('not valid');
    await page.screenshot({ path: screenshotPath('invite-mfa-wrong-code'), fullPage: true });

    await page.getByLabel('Code from your app').fill(totpCode(t, secret));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Two-factor sign-in is on');
    expect(await page.locator('ul.codes li').count()).toBe(10);
    await page.screenshot({ path: screenshotPath('invite-mfa-done'), fullPage: true });
    await context.close();

    const [row] = await sql(t, 'select mfa_enabled from users where email = ?', [email]);
    expect(row!.mfa_enabled).toBe(true);
  });

  it('resets a password once; the used link then says so', async () => {
    const { email } = await sendInvite(t, admin).then(async (s) => {
      await t
        .client()
        .invites.accept.mutate({ token: s.token, name: 'Reset Me', password: newPassword(t) })
        .then((a) => t.secret(a.token));
      return s;
    });
    await t.client().auth.requestPasswordReset.mutate({ email });
    const token = t.secret(tokenFromMail(await t.smtp.waitForMail(email, /reset-password\?token=/)));
    const page = await newPage();
    await page.goto(`${t.url}/reset-password?token=${token}`);
    await page.screenshot({ path: screenshotPath('reset-form'), fullPage: true });
    const password = newPassword(t);
    await page.getByLabel('New password').fill(password);
    await page.getByRole('button', { name: 'Change my password' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Your password is changed');
    await page.screenshot({ path: screenshotPath('reset-done'), fullPage: true });
    t.secret(await loginAs(t, email, password));

    await page.goto(`${t.url}/reset-password?token=${token}`);
    await page.getByLabel('New password').fill(newPassword(t));
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Change my password' }).click()]);
    expect(response.status()).toBe(410);
    expect(await page.getByRole('alert').textContent()).toContain('already used or expired');
    await page.screenshot({ path: screenshotPath('reset-used-link'), fullPage: true });
    await context.close();
  });
});
