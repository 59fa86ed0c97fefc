// Issue 10, the inbox's Knowledge base screen (Admin > Knowledge base), end to end in headless
// Chromium: an admin opens it by mouse, searches (FTS5 over REST, as typed) and sees the match
// with its passage, opens an article and renames it (Enter saves), turns it inactive from the
// keyboard through the accessibility mirror and saves, writes a new article whose body has two
// lines, and deletes it after the confirmation step (a first "Keep it" keeps it). Every change is
// checked against the REST API. Waits are for states; nothing sleeps.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist node --test tests/e2e/kb_admin.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  Relay, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, typeInto, staffCookie,
  screenshotDir, centre, clickControl, clickUntil,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const DESKTOP = { width: 1280, height: 800 };

let relay;
let browser;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-kb-' });
  await relay.start();
  browser = await launchBrowser();
  shots = screenshotDir();
});

after(async () => {
  if (browser) await browser.close();
  if (relay) {
    await relay.stop();
    relay.cleanup(failed);
  }
});

async function rest(cookie, method, url, body) {
  const res = await fetch(`${relay.origin}${url}`, {
    method,
    headers: { Cookie: cookie, Origin: relay.origin, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() };
}

test('an admin searches, edits, deactivates, creates and deletes knowledge-base articles', { skip }, async () => {
  requirePrerequisites(problem);
  try {
    const cookie = await staffCookie(relay);
    const seeded = await rest(cookie, 'POST', '/api/v1/kb', [
      { id: 'kb_refunds', title: 'Refunds', body: 'We pay refunds back to your card within five working days.',
        category: 'Billing', keywords: ['refund'] },
      { id: 'kb_router', title: 'Restarting the router', body: 'Unplug the router for thirty seconds.' },
    ]);
    assert.equal(seeded.status, 200);

    const [name, value] = cookie.split('=');
    const ctx = await browser.newContext({ viewport: DESKTOP });
    await ctx.addCookies([{ name, value, url: relay.origin }]);
    const page = await ctx.newPage();
    await page.goto(`${relay.origin}/inbox`);
    await waitFirstFrame(page);
    await waitState(page, 'the inbox online', (s) => s.screen === 'inbox' && s.connection === 'online');

    // Admin > Knowledge base by mouse: the list loads with usage counts.
    await clickControl(page, 'open_admin');
    await waitState(page, 'Admin open', (s) => s.admin.open);
    await clickUntil(page, 'admin_tabs:kb', 'the articles listed', (s) => s.kb_admin.shown && s.kb_admin.rows.length === 2);
    const listed = page.locator('#parley-a11y').getByRole('button', { name: /^Refunds, Billing · any language · active · unused/ });
    await listed.waitFor({ state: 'attached' });

    // Search as typed: the best match with its passage.
    await typeInto(page, page, '#kb-search', 'refund', { enter: false });
    await waitState(page, 'the search hit', (s) =>
      s.kb_admin.query === 'refund' && s.kb_admin.rows.length === 1 && s.kb_admin.rows[0].id === 'kb_refunds' &&
      s.kb_admin.rows[0].passage.includes('**refunds**'));

    // Open it and rename it; Enter in the title saves.
    await page.locator('#kb-search').evaluate((el) => el.blur());
    await clickUntil(page, 'kb_row:kb_refunds', 'the article open', (s) => s.kb_admin.draft_loaded && s.kb_admin.selected === 'kb_refunds');
    const title = page.locator('#kb-title');
    await title.waitFor({ state: 'visible' });
    assert.equal(await title.inputValue(), 'Refunds');
    await title.fill('Refunds and returns');
    await title.press('Enter');
    await waitState(page, 'saved', (s) => s.kb_admin.notice === 'Saved.' && !s.kb_admin.dirty);
    assert.equal((await rest(cookie, 'GET', '/api/v1/kb/articles/kb_refunds')).json.title, 'Refunds and returns');

    // Inactive by keyboard, through the mirror (a toggle button), then Save by keyboard too.
    const active = page.locator('#parley-a11y').getByRole('button', { name: 'Active', exact: true });
    await active.focus();
    await page.keyboard.press('Enter');
    await waitState(page, 'the draft inactive', (s) => s.kb_admin.active === false && s.kb_admin.dirty);
    assert.equal(await active.getAttribute('aria-pressed'), 'false');
    await page.locator('#parley-a11y').getByRole('button', { name: 'Save', exact: true }).focus();
    await page.keyboard.press('Enter');
    await waitState(page, 'saved inactive', (s) => s.kb_admin.notice === 'Saved.' && !s.kb_admin.dirty && !s.kb_admin.active);
    assert.equal((await rest(cookie, 'GET', '/api/v1/kb/articles/kb_refunds')).json.active, false);
    // The assistant's search leaves it out now; the admin's list still has it.
    assert.equal((await rest(cookie, 'GET', '/api/v1/kb/search?q=refund')).json.results.length, 0);

    // A new article: its body has two lines (Enter in the body is a new line, not a save).
    await clickControl(page, 'kb_new');
    await waitState(page, 'a new draft', (s) => s.kb_admin.is_new);
    await typeInto(page, page, '#kb-title', 'Opening hours', { enter: false });
    await typeInto(page, page, '#kb-body', 'Monday to Friday.', { enter: true });
    await page.keyboard.type('Closed at weekends.');
    await typeInto(page, page, '#kb-keywords', 'Hours, open', { enter: false });
    await page.locator('#kb-keywords').evaluate((el) => el.blur());
    const made = await clickUntil(page, 'kb_save', 'the new article saved', (s) => s.kb_admin.notice === 'Saved.' && !s.kb_admin.is_new);
    const id = made.kb_admin.selected;
    const stored = (await rest(cookie, 'GET', `/api/v1/kb/articles/${id}`)).json;
    assert.equal(stored.body, 'Monday to Friday.\nClosed at weekends.');
    assert.deepEqual(stored.keywords, ['hours', 'open']);
    await page.screenshot({ path: path.join(shots, 'kb-admin.png') });

    // Delete asks first: "Keep it" keeps it; "Yes, delete" deletes it.
    await clickUntil(page, 'kb_delete', 'the question asked', (s) => s.kb_admin.confirming_delete);
    await clickUntil(page, 'kb_cancel_delete', 'kept', (s) => !s.kb_admin.confirming_delete);
    assert.equal((await rest(cookie, 'GET', `/api/v1/kb/articles/${id}`)).status, 200);
    await clickUntil(page, 'kb_delete', 'the question asked again', (s) => s.kb_admin.confirming_delete);
    await clickControl(page, 'kb_confirm_delete');
    await waitState(page, 'deleted', (s) => s.kb_admin.notice === 'Deleted.' && !s.kb_admin.editing);
    assert.equal((await rest(cookie, 'GET', `/api/v1/kb/articles/${id}`)).status, 404);

    await page.keyboard.press('Escape');
    await waitState(page, 'Admin closed', (s) => !s.admin.open);
    await ctx.close();
  } catch (e) {
    failed = true;
    throw e;
  }
});
