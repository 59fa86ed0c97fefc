// Issue 8, "Inbox defects found": one end-to-end check per defect this file owns (1, 2, 3, 5,
// 6, 7, 8, 9; defect 4, focus after accept, is tested with the keyboard work). Real relay, real
// inbox page in headless Chromium, the mouse on the canvas: the app reports where it drew its
// named controls (state().controls, CSS px), so clicks aim at what was drawn, not at guesses.
// Customers are Node WebSocket clients (lib.mjs Customer). Waits are for states, never for time.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist \
//      node --test tests/e2e/defects_inbox.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  Relay, Customer, launchBrowser, prerequisites, requirePrerequisites, state, waitState, waitFirstFrame,
  staffCookie, typeInto, screenshotDir, REPO, centre, clickControl,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };

let relay;
let browser;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-defects-inbox-' });
  relay.ctl('kb', 'import', path.join(REPO, 'docs/examples/kb.md'));
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

// A customer with a chat waiting for a person. `messages`: texts sent after the first one.
async function waitingCustomer({ name, topic = '', first, messages = [] }) {
  const c = await Customer.connect(relay);
  const started = await c.request('chat.start', { name, topic, client_msg_id: `m-${name}-0`, text: first });
  const id = started.conversation_id;
  for (let i = 0; i < messages.length; ++i) {
    await c.request('chat.send_message', { conversation_id: id, client_msg_id: `m-${name}-${i + 1}`, text: messages[i] });
  }
  await c.requestHuman(id);
  return { c, id, n: messages.length + 1 };
}

// An inbox page logged in through the cookie (the login form has its own test below).
async function inboxPage(viewport) {
  const cookie = await staffCookie(relay);
  const [name, value] = cookie.split('=');
  const ctx = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  await ctx.addCookies([{ name, value, url: relay.origin }]);
  const page = await ctx.newPage();
  await page.goto(`${relay.origin}/inbox`);
  await waitFirstFrame(page);
  await waitState(page, 'the inbox online', (s) => s.screen === 'inbox' && s.connection === 'online');
  return { ctx, page };
}

async function openAndAccept(page, id) {
  await clickControl(page, `row:${id}`);
  await waitState(page, 'the chat open and joined', (s, id) => s.selected && s.selected.id === id && s.selected.joined, id);
  await clickControl(page, 'accept_bar');
  return waitState(page, 'the chat accepted, the composer shown', (s) => s.selected.status === 'active' &&
    !!s.controls.send);
}

test('inbox defects 1, 2, 3, 5, 9: mouse in the resolve dialog, following the bottom, Copy, one summary, stats', { skip }, async () => {
  requirePrerequisites(problem);
  const history = Array.from({ length: 14 }, (_, i) => `Line ${i + 1} of a long story about my invoice`);
  const cust = await waitingCustomer({ name: 'Long History', first: 'Hello, I have a question', messages: history });
  const { ctx, page } = await inboxPage(DESKTOP);
  try {
    let s = await openAndAccept(page, cust.id);

    // Defect 2: after the accept (the composer replaced the bar, the viewport shrank) the
    // transcript still follows the bottom, and the agent's own reply is in view.
    s = await waitState(page, 'the transcript at the bottom after accept', (s) => s.transcript.at_bottom);
    const reply = 'Thanks for waiting, I am reading your messages now.';
    await typeInto(page, page, '#composer', reply);
    s = await waitState(page, 'the reply stored', (s, r) =>
      s.selected.messages.some((m) => m.role === 'agent' && m.text === r && !m.pending), reply);
    s = await waitState(page, 'the reply in view', (s) => s.transcript.at_bottom && s.transcript.new_below === 0);
    const replySeq = s.selected.messages.find((m) => m.text === reply).seq;
    await waitState(page, "the reply's bubble drawn", (s, k) => !!s.controls[`msg:${k}`], replySeq);

    // Scrolled up, a new customer message does not move the view: a marker says it is there.
    const tr = centre((await state(page)).controls[`msg:${replySeq}`]);
    await page.mouse.move(tr.x - 200, tr.y - 100);
    await page.mouse.wheel(0, -3000);
    await waitState(page, 'the reader scrolled up', (s) => !s.transcript.at_bottom);
    await cust.c.request('chat.send_message', { conversation_id: cust.id, client_msg_id: 'm-late', text: 'Are you still there?' });
    s = await waitState(page, 'the new-messages marker', (s) => s.transcript.new_below >= 1 && !!s.controls.new_messages &&
      s.selected.messages.some((m) => m.text === 'Are you still there?'));
    assert.equal(s.transcript.at_bottom, false, 'the view stayed where the reader was');
    await clickControl(page, 'new_messages');
    await waitState(page, 'back at the bottom, marker gone', (s) => s.transcript.at_bottom && s.transcript.new_below === 0 &&
      !s.controls.new_messages);

    // Defect 5: the hand-off summary is shown once (a card in the transcript, not also in the
    // details panel) and reads as sentences, not as a log line.
    s = await state(page);
    assert.ok(s.selected.summary.length > 0);
    assert.doesNotMatch(s.selected.summary, / \| |Reason:|customer_asked|assistant_gave_up/, 'no log-line wording');
    // Why, in words: the customer asked, or (lines the assistant could not place) it gave up first.
    assert.match(s.selected.summary, /^The (customer asked for a person|assistant could not answer)\./);
    await page.mouse.move(tr.x - 200, tr.y - 100);
    await page.mouse.wheel(0, -400);
    s = await waitState(page, 'the summary card drawn', (s) => Object.keys(s.controls).some((k) => k.startsWith('summary:')));
    assert.deepEqual(Object.keys(s.controls).filter((k) => k.startsWith('summary:')), ['summary:transcript']);

    // Defect 3 (+ 9: feedback): hovering a message offers Copy; the text lands on the clipboard
    // and the inbox says "Copied".
    const customerMsg = s.selected.messages.find((m) => m.role === 'customer' && s.controls[`msg:${m.seq}`]);
    assert.ok(customerMsg, 'a customer message is on screen');
    const bubble = centre(s.controls[`msg:${customerMsg.seq}`]);
    await page.mouse.move(bubble.x, bubble.y);
    await clickControl(page, `copy:${customerMsg.seq}`);
    s = await waitState(page, 'the copy confirmed', (s) => s.copies === 1 && s.flash === 'Copied to the clipboard');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), customerMsg.text);
    assert.ok(s.alerts >= 1, 'announced to screen readers');
    await clickControl(page, 'copy_id');
    await waitState(page, 'the id copied', (s) => s.copies === 2);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), cust.id);

    // Defect 1: the resolve dialog by mouse: an issue type, Cancel, again, another type, Resolve.
    await clickControl(page, 'resolve');
    await waitState(page, 'the resolve dialog', (s) => s.selected.resolve_open);
    await clickControl(page, 'type:billing');
    await waitState(page, 'billing chosen by a click', (s) => s.selected.issue_type === 'billing');
    await clickControl(page, 'cancel_resolve');
    await waitState(page, 'the dialog closed by Cancel', (s) => !s.selected.resolve_open && s.selected.status === 'active');
    await clickControl(page, 'resolve');
    await waitState(page, 'the resolve dialog again', (s) => s.selected.resolve_open);
    await clickControl(page, 'type:technical');
    await waitState(page, 'technical chosen by a click', (s) => s.selected.issue_type === 'technical');
    await clickControl(page, 'do_resolve');
    await waitState(page, 'resolved by the Resolve button', (s) => s.selected.status === 'resolved');
    const cookie = await staffCookie(relay);
    const conv = await (await fetch(`${relay.origin}/api/v1/conversations/${cust.id}`, { headers: { Cookie: cookie } })).json();
    assert.equal((conv.conversation ?? conv).issue_type, 'technical', 'the clicked issue type was stored');

    // Defect 9: the stats API rounds at the edge (a tenth of a second).
    const stats = await (await fetch(`${relay.origin}/api/v1/stats`, { headers: { Cookie: cookie } })).json();
    for (const k of ['avg_wait_s', 'avg_first_response_s']) {
      assert.equal(Math.round(stats[k] * 10) / 10, stats[k], `${k} = ${stats[k]} is rounded`);
    }
    assert.ok(stats.avg_wait_s > 0, 'a wait was measured');
  } catch (e) {
    failed = true;
    await page.screenshot({ path: path.join(shots, 'defects-inbox-failure.png') }).catch(() => {});
    throw e;
  } finally {
    cust.c.close();
    await ctx.close();
  }
});

test('inbox defect 9: the login form asks for the user name, not an email', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: DESKTOP });
  try {
    const page = await ctx.newPage();
    await page.goto(`${relay.origin}/inbox`);
    await waitState(page, 'the login form', (s) => s.screen === 'login');
    const placeholder = await page.locator('#login-user').getAttribute('placeholder');
    assert.doesNotMatch(placeholder, /@/, `placeholder "${placeholder}" suggests an email`);
    assert.match(placeholder, /user name/i);
  } finally {
    await ctx.close();
  }
});

test('inbox defects 6 and 7: my conversations show priority apart from the preview and the wait; date dividers', { skip }, async () => {
  requirePrerequisites(problem);
  const cust = await waitingCustomer({ name: 'Urgent Una', first: 'I need help', messages: ['It is about my bill'] });
  // The first two messages are from last year: back-date them in the database while the relay
  // is stopped (the relay loads the conversation back on demand).
  // The event log is append-only (a trigger): lift it for this one fixture edit, then restore it.
  await relay.stop();
  try {
    const year = 400 * 86400000;
    const triggers = JSON.parse(execFileSync('sqlite3', ['-json', relay.db,
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"], { encoding: 'utf8' }) || '[]');
    execFileSync('sqlite3', [relay.db, 'BEGIN;' +
      triggers.map((t) => `DROP TRIGGER "${t.name}";`).join('') +
      `UPDATE messages SET at = at - ${year} WHERE conversation_id = '${cust.id}' AND seq <= 2;` +
      `UPDATE events SET at = at - ${year}, data_json = json_set(data_json, '$.message.at', ` +
      `json_extract(data_json, '$.message.at') - ${year}) WHERE conversation_id = '${cust.id}' AND seq <= 2 ` +
      `AND type = 'chat.new_message';` +
      triggers.map((t) => `${t.sql};`).join('') + 'COMMIT;']);
  } finally {
    await relay.start();
  }
  const cookie = await staffCookie(relay);
  const res = await fetch(`${relay.origin}/api/v1/conversations/${cust.id}/priority`, {
    method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json', Origin: relay.origin },
    body: JSON.stringify({ priority: 'urgent' }),
  });
  assert.equal(res.status, 200, await res.text());
  const { ctx, page } = await inboxPage(DESKTOP);
  try {
    let s = await openAndAccept(page, cust.id);
    // Defect 7: a divider where the day changes, the full date of every message for hover/focus.
    s = await waitState(page, 'two days in the transcript', (s) => s.selected.days.length >= 2);
    const days = s.selected.days.map((d) => d.text);
    assert.match(days[0], /^[A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ \d{4}$/, `first divider "${days[0]}" is a full date`);
    assert.equal(days[days.length - 1], 'Today');
    const first = s.selected.messages[0];
    assert.match(first.full_time, new RegExp(`^${days[0]}, `), 'full date and time of the old message');
    // The dividers are drawn (the full date shows in a tooltip on hover): at the top.
    await page.mouse.move(600, 400);
    await page.mouse.wheel(0, -5000);
    await waitState(page, 'a date divider drawn', (s) => Object.keys(s.controls).some((k) => k.startsWith('day:')));

    // Defect 6: the row in "My conversations": "Urgent · I need help"-style second line, and a wait.
    s = await waitState(page, 'the chat in mine', (s, id) => s.mine.some((m) => m.id === id), cust.id);
    const row = s.mine.find((m) => m.id === cust.id);
    assert.equal(row.topic, '');
    assert.match(row.line2, /^Urgent · \S/, `"${row.line2}" separates the priority from the preview`);
    assert.equal(typeof row.waiting_s, 'number');
  } catch (e) {
    failed = true;
    await page.screenshot({ path: path.join(shots, 'defects-inbox-failure.png') }).catch(() => {});
    throw e;
  } finally {
    cust.c.close();
    await ctx.close();
  }
});

test('inbox defect 8: 390 px wide, the list, then the conversation, then back', { skip }, async () => {
  requirePrerequisites(problem);
  const cust = await waitingCustomer({ name: 'Phone Pia', topic: 'Moving house', first: 'We move on the 3rd, can the line move with us?' });
  const { ctx, page } = await inboxPage(NARROW);
  // Into the test's screenshot folder (PARLEY_SCREENSHOTS): a test run never rewrites tracked
  // files; the copies in docs/screenshots are refreshed by hand from there.
  const docShots = shots;
  try {
    let s = await waitState(page, 'the narrow list', (s, id) => s.layout === 'narrow' && !!s.controls[`row:${id}`], cust.id);
    const [, , rowW] = s.controls[`row:${cust.id}`];
    assert.ok(rowW >= NARROW.width - 20, `the list takes the width (${rowW} px)`);
    fs.mkdirSync(docShots, { recursive: true });
    await page.screenshot({ path: path.join(docShots, 'inbox-narrow-list.png') });
    s = await openAndAccept(page, cust.id);
    const reply = 'Yes, we can move your line. Which date suits you?';
    await typeInto(page, page, '#composer', reply);
    s = await waitState(page, 'the reply stored and drawn', (s, r) => {
      const m = s.selected.messages.find((m) => m.text === r && !m.pending);
      return m && s.controls[`msg:${m.seq}`];
    }, reply);
    // The conversation has the whole width: no list beside it, bubbles wider than a few letters.
    assert.ok(!s.controls[`row:${cust.id}`], 'the list is not drawn beside the conversation');
    const bubble = s.controls[`msg:${s.selected.messages.find((m) => m.text === reply).seq}`];
    assert.ok(bubble[2] >= 200, `the reply bubble is ${bubble[2]} px wide`);
    // Nothing of the top bar overlaps: the header's Resolve and Back buttons are inside the screen.
    for (const k of ['back', 'resolve', 'send', 'logout']) {
      const [x, y, w, h] = s.controls[k];
      assert.ok(x >= 0 && x + w <= NARROW.width && y >= 0 && y + h <= NARROW.height, `${k} on screen`);
    }
    const back = s.controls.back, resolve = s.controls.resolve;
    assert.ok(back[0] + back[2] <= resolve[0], 'Back and Resolve do not overlap');
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.screenshot({ path: path.join(docShots, 'inbox-narrow-conversation.png') });
    await clickControl(page, 'back');
    await waitState(page, 'back to the list', (s, id) => s.selected === null && !!s.controls[`row:${id}`], cust.id);
  } catch (e) {
    failed = true;
    await page.screenshot({ path: path.join(shots, 'defects-inbox-failure.png') }).catch(() => {});
    throw e;
  } finally {
    cust.c.close();
    await ctx.close();
  }
});
