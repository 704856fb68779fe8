import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromiumPath, launchChromium, screenshotPath } from './browser.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { createPractice, loginAs, newEmail, newPassword, sendInvite, sql, totpCode, wrongTotpCode, type TestUser } from './fixtures.ts';
import { SWEEP_REMINDERS } from '../server/modules/reminders/reminders.jobs.ts';
import { extracted, NOTE, patientWithPortal, startCareLoop } from './care-loop-setup.ts';
import { linkFromMail, tokenFromMail } from './smtp-capture.ts';
import { runJobNow, startWorker } from './workers.ts';

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

  it("confirms a sign-up's email with one button; the account then works, and the used link says so", async () => {
    await t.client(admin.token).practices.update.mutate({ patientSignUp: 'open' });
    const email = newEmail('signup');
    const password = newPassword(t);
    await t.client().auth.signUp.mutate({ practice: admin.practiceId, givenName: 'Nora', familyName: 'Keane', birthDate: '1990-04-05', email, password });
    const token = t.secret(tokenFromMail(await t.smtp.waitForMail(email, /verify-email\?token=/)));
    const page = await newPage();
    expect((await page.goto(`${t.url}/verify-email?token=${token}`))?.status()).toBe(200);
    expect(await sql(t, 'select id from users where email = ?', [email])).toEqual([]); // the GET changed nothing
    await page.screenshot({ path: screenshotPath('verify-email-ask'), fullPage: true });
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Your account is ready');
    await page.screenshot({ path: screenshotPath('verify-email-done'), fullPage: true });
    t.secret(await loginAs(t, email, password));

    await page.goto(`${t.url}/verify-email?token=${token}`);
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Confirm my email' }).click()]);
    expect(response.status()).toBe(410);
    expect(await page.getByRole('alert').textContent()).toContain('already used or expired');
    await page.screenshot({ path: screenshotPath('verify-email-used-link'), fullPage: true });
    await context.close();
  });
});

/** The links of a reminder mail, from a real reminder sent by a real worker, in Chromium without JavaScript. */
describe.skipIf(!chromiumPath)('reminder-link pages in Chromium', () => {
  let world: Awaited<ReturnType<typeof startCareLoop>>;
  let browser: Browser;

  beforeAll(async () => {
    world = await startCareLoop();
    await startWorker(world.t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  /** A reminded patient's two mails (amlodipine and the walk), their links pointed at the test server. */
  async function reminderMails() {
    const { t, clock, clinician } = world;
    clock.set('2026-03-02T13:00:00Z');
    const { patient } = await patientWithPortal(t, clinician);
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: NOTE });
    await extracted(t, clinician.token, note.id);
    clock.set('2026-03-02T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    const local = (link: { url: string }) => link.url.replace('http://pams.test', t.url);
    const links = (mail: string) => ({ checkIn: local(linkFromMail(mail, 'check-in')), unsubscribe: local(linkFromMail(mail, 'unsubscribe')) });
    return { take: links(await t.smtp.waitForMail(patient.email!, /amlodipine/)), walk: links(await t.smtp.waitForMail(patient.email!, /Walk 30 minutes/)) };
  }

  it('checks in with one button; the used link and an expired one say so in words', async () => {
    const { take, walk } = await reminderMails();
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 800, height: 700 } });
    const page = await context.newPage();
    expect((await page.goto(take.checkIn))?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Check in for today?');
    expect(await page.textContent('main')).toContain('Take amlodipine 5 mg daily at 08:30');
    await page.screenshot({ path: screenshotPath('check-in-ask'), fullPage: true });

    // Keyboard only: the button is the first stop, and shows its focus.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Yes, check in');
    await page.screenshot({ path: screenshotPath('check-in-focus'), fullPage: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/check-in$/);
    expect(await page.getByRole('status').textContent()).toContain('you are checked in for “Take amlodipine');
    await page.screenshot({ path: screenshotPath('check-in-done'), fullPage: true });

    expect((await page.goto(take.checkIn))?.status()).toBe(410);
    expect(await page.getByRole('alert').textContent()).toContain('You have already checked in');
    await page.screenshot({ path: screenshotPath('check-in-used-link'), fullPage: true });

    world.clock.advance(48 * 3_600_000 + 1000);
    expect((await page.goto(walk.checkIn))?.status()).toBe(410);
    expect(await page.getByRole('alert').textContent()).toContain('This link has expired');
    await page.screenshot({ path: screenshotPath('check-in-expired-link'), fullPage: true });
    await context.close();
  });

  it('stops reminder emails with one button; the page says the app reminders go on', async () => {
    const { take } = await reminderMails();
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 800, height: 700 } });
    const page = await context.newPage();
    expect((await page.goto(take.unsubscribe))?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Stop reminder emails?');
    await page.screenshot({ path: screenshotPath('unsubscribe-ask'), fullPage: true });
    await page.getByRole('button', { name: 'Stop reminder emails' }).click();
    expect(await page.getByRole('status').textContent()).toContain('You will get no more reminder emails');
    expect(await page.textContent('main')).toContain('Reminders in the app go on');
    await page.screenshot({ path: screenshotPath('unsubscribe-done'), fullPage: true });

    expect((await page.goto(`${take.unsubscribe}x`))?.status()).toBe(404);
    expect(await page.getByRole('alert').textContent()).toContain('has been changed');
    await page.screenshot({ path: screenshotPath('unsubscribe-altered-link'), fullPage: true });
    await context.close();
  });
});
