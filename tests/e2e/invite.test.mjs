// Issue 9, staff accounts by mail, end to end in headless Chromium with the real relay mailing the
// stand-in SMTP server (tools/smtp_standin as a program): an admin opens Admin > Invitations,
// types an address, picks a role by mouse and sends the invitation with Enter; the invitation is
// listed as pending; the mail's one-time link opens the accept page (labelled fields, the user
// name suggested from the address), the person chooses a password by keyboard and the page says
// the account is ready; they log in to the inbox with it, with the invited role; the link then
// says, in words, that it was already accepted. Waits are for states, never for time.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist node --test tests/e2e/invite.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  Relay, launchBrowser, prerequisites, waitState, waitFirstFrame, typeInto, staffCookie, requirePrerequisites,
  TIMEOUT_MS, RELAY_BIN,
} from './lib.mjs';

const { problem: missing, skip: skipped } = prerequisites({ ctl: true });
const STANDIN = process.env.PARLEY_SMTP_STANDIN_BIN ||
  (RELAY_BIN ? path.join(path.dirname(RELAY_BIN), '../tools/parley-smtp-standin') : '');
const problem = missing || (STANDIN && fs.existsSync(STANDIN) ? null : `no stand-in SMTP server at ${STANDIN}`);
const skip = skipped || (problem && !/^(true|1|yes)$/i.test(process.env.CI || '') ? `browser e2e prerequisites missing: ${problem}` : false);
const DESKTOP = { width: 1280, height: 800 };

let relay;
let browser;
let smtp;
let mailsPath;
let failed = false;

// Polls a condition on the file the stand-in writes (a state check, not a sleep for timing).
async function until(what, pred) {
  const end = Date.now() + TIMEOUT_MS;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

before(async () => {
  if (problem) return;
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'parley-e2e-invite-smtp-'));
  const portFile = path.join(dir, 'port');
  mailsPath = path.join(dir, 'mails.jsonl');
  smtp = spawn(STANDIN, ['--port-file', portFile, '--out', mailsPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await until('the stand-in SMTP port', () => fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim());
  relay = new Relay({
    prefix: 'parley-e2e-invite-',
    args: ['--smtp-host', '127.0.0.1', '--smtp-port', port, '--smtp-from', 'help@parley.test', '--mail-backoff', '0.05'],
  });
  await relay.start();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (relay) {
    await relay.stop();
    relay.cleanup(failed);
  }
  if (smtp) smtp.kill('SIGTERM');
});

const centre = ([x, y, w, h]) => ({ x: x + w / 2, y: y + h / 2 });

async function clickControl(page, name) {
  const s = await waitState(page, `the control ${name} drawn`, (s, n) => !!(s.controls && s.controls[n]), name);
  await page.mouse.click(centre(s.controls[name]).x, centre(s.controls[name]).y);
  return s;
}

// Clicks an idempotent control until `pred` holds (at most three times; a click between two
// frames of a loaded machine may be lost).
async function clickUntil(page, name, what, pred) {
  for (let attempt = 1; ; ++attempt) {
    await clickControl(page, name);
    try {
      return await waitState(page, what, pred, undefined, { timeout: attempt < 3 ? 5_000 : TIMEOUT_MS });
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

test('invitation: Admin > Invitations mails a link; the accept page makes the account; it logs in', { skip }, async () => {
  requirePrerequisites(problem);
  try {
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const [name, value] = (await staffCookie(relay)).split('=');
    await ctx.addCookies([{ name, value, url: relay.origin }]);
    const page = await ctx.newPage();
    await page.goto(`${relay.origin}/inbox`);
    await waitFirstFrame(page);
    await waitState(page, 'the inbox online', (s) => s.screen === 'inbox' && s.connection === 'online');

    // Admin > Invitations by mouse; the address typed into the real field, the role by mouse,
    // Enter sends it.
    await clickUntil(page, 'open_admin', 'the Admin card open', (s) => s.admin.open);
    await clickUntil(page, 'admin_tabs:invitations', 'the Invitations tab', (s) => s.admin.tab === 'invitations');
    const field = page.locator('#admin-invite-email');
    await field.waitFor({ state: 'visible' });
    assert.equal(await field.getAttribute('aria-label'), 'E-mail address to invite');
    await clickUntil(page, 'admin_invite_role:supervisor', 'the role chosen', (s) => s.admin.invite_role === 'supervisor');
    await typeInto(page, page, '#admin-invite-email', 'Nina.Holt@example.test', { enter: true });
    const s1 = await waitState(page, 'the invitation listed as pending', (s) =>
      s.admin.invitations.some((i) => i.email === 'nina.holt@example.test' && i.status === 'pending' && i.role === 'supervisor'));
    assert.equal(s1.admin.status, 'Invitation sent to Nina.Holt@example.test.');
    // The Revoke button of the pending invitation is drawn and in the mirror.
    await waitState(page, 'its Revoke button', (s) => !!(s.controls && s.controls['admin_revoke_invite:nina.holt@example.test']));

    // The mail's link: the token only in the fragment.
    const mail = await until('the invitation mail', () => {
      if (!fs.existsSync(mailsPath)) return null;
      return fs.readFileSync(mailsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
        .find((m) => m.to.includes('nina.holt@example.test'));
    });
    const link = (mail.body.match(/https?:\/\/\S+\/invite#token=[A-Za-z0-9_-]+/) || [])[0];
    assert.ok(link, mail.body);
    assert.ok(link.startsWith(`${relay.origin}/invite#token=`));

    // The accept page, by keyboard, in a fresh browser (no cookie).
    const guest = await browser.newContext({ viewport: DESKTOP });
    const accept = await guest.newPage();
    await accept.goto(link);
    const username = accept.getByLabel('User name');
    await username.waitFor({ state: 'visible' });
    assert.equal(await username.inputValue(), 'nina.holt');
    assert.match(await accept.locator('#intro').textContent(), /invited as a supervisor \(nina\.holt@example\.test\)/);
    assert.equal(new URL(accept.url()).hash, '');  // the token left the address bar
    await accept.getByLabel('Password', { exact: true }).focus();
    await accept.keyboard.type('short');
    await accept.keyboard.press('Tab');
    await accept.keyboard.type('short');
    await accept.keyboard.press('Enter');
    await accept.waitForFunction(() => document.getElementById('error').textContent.includes('at least 10 characters'));
    assert.equal(await accept.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await accept.getByLabel('Password', { exact: true }).fill('nina-password-123');
    await accept.getByLabel('The password again').fill('nina-password-123');
    await accept.getByLabel('The password again').press('Enter');
    await accept.waitForFunction(() => document.getElementById('status').textContent.includes('is ready'));
    assert.equal(await accept.locator('#error').textContent(), '');

    // The same link again: refused in words.
    const again = await guest.newPage();
    await again.goto(link);
    await again.waitForFunction(() => document.getElementById('error').textContent.includes('already accepted'));

    // Log in to the inbox with the new account: the invited role.
    const inbox = await guest.newPage();
    await inbox.goto(`${relay.origin}/inbox`);
    await waitFirstFrame(inbox);
    await typeInto(inbox, inbox, '#login-user', 'nina.holt', { enter: false });
    await typeInto(inbox, inbox, '#login-password', 'nina-password-123');
    await waitState(inbox, 'signed in as the invited supervisor', (s) => s.screen === 'inbox' && s.connection === 'online');
    const me = await (await fetch(`${relay.origin}/api/me`, {
      headers: { Cookie: await staffCookie(relay, { username: 'nina.holt', password: 'nina-password-123' }) },
    })).json();
    assert.equal(me.user.role, 'supervisor');
    assert.equal(me.user.email, 'nina.holt@example.test');
    // Accepted: no longer pending in the admin's list once reloaded.
    const list = await (await fetch(`${relay.origin}/api/v1/invitations`, { headers: { Cookie: `${name}=${value}` } })).json();
    assert.equal(list.invitations.find((i) => i.email === 'nina.holt@example.test').status, 'accepted');
    await guest.close();
    await ctx.close();
  } catch (e) {
    failed = true;
    throw e;
  }
});
