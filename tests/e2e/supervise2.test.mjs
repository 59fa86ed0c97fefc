// Issue 9, supervision (sup2), end to end in headless Chromium. Agent Ann helps a customer; a
// supervisor's queue marks a second chat that waited past the tenant's threshold (text in the
// mirror, not colour alone); the supervisor searches a word of Ann's chat and the result opens
// the conversation at the matching message (drawn, highlighted, named "Search match" in the
// mirror) read-only: the composer is not offered and the bar says why ("listening in"); a new
// customer message arrives live; the supervisor reassigns the chat to agent Bo (the Reassign
// button by keyboard, Bo by mouse, Enter to reassign) and the relay's record says Bo. Waits are
// for states; nothing sleeps.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist node --test tests/e2e/supervise2.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Relay, Customer, Staff, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, staffCookie,
  typeInto, TIMEOUT_MS, centre, clickControl,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const DESKTOP = { width: 1280, height: 800 };
const ANN = { username: 'ann', password: 'ann-password-1' };
const BO = { username: 'bo', password: 'bo-password-1' };
const SUE = { username: 'sue', password: 'sue-password-1' };

let relay;
let browser;
let failed = false;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-supervise2-' });
  await relay.start();
  relay.ctl('users', 'create', ANN.username, '--role', 'agent', '--name', 'Ann', '--password', ANN.password);
  relay.ctl('users', 'create', BO.username, '--role', 'agent', '--name', 'Bo', '--password', BO.password);
  relay.ctl('users', 'create', SUE.username, '--role', 'supervisor', '--name', 'Sue', '--password', SUE.password);
  browser = await launchBrowser();
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
    method, headers: { cookie, origin: relay.origin, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// Waits until an element of the accessibility mirror has a name (or text) matching `re`.
async function mirrorMatches(page, re) {
  await page.waitForFunction((src) => {
    const r = new RegExp(src);
    const root = document.getElementById('parley-a11y');
    if (!root) return false;
    for (const el of root.querySelectorAll('*')) {
      if (r.test(el.getAttribute('aria-label') || '') || r.test((el.textContent || '').trim())) return true;
    }
    return false;
  }, re.source, { timeout: TIMEOUT_MS });
}

test('a supervisor sees a long wait, listens in at a search match, sees a new message live, reassigns to Bo', { skip }, async () => {
  requirePrerequisites(problem);
  const admin = await staffCookie(relay);
  // Ann and Bo are online (their sockets stay open: an assignee who is gone loses the chat).
  const ann = await Staff.connect(relay, ANN);
  const boSocket = await Staff.connect(relay, BO);
  // The tenant's waiting threshold: one second, so the waiting chat below is over it.
  assert.equal((await rest(admin, 'PATCH', '/api/v1/routing', { wait_threshold_s: 1 })).status, 200);

  // Ann's chat: the matching message first, then enough lines that the bottom is far from it.
  const cust = await Customer.connect(relay);
  const started = await cust.request('chat.start', { name: 'Ada Lovelace', client_msg_id: 'sv-0', text: 'Hello there' });
  const id = started.conversation_id;
  await cust.requestHuman(id);
  await ann.request('chat.accept', { conversation_id: id });
  await cust.request('chat.send_message', { conversation_id: id, client_msg_id: 'sv-1', text: 'My quasar lamp flickers at night' });
  // Long lines (each wraps to several rows), few of them: a customer socket is rate-limited.
  const detail = 'the box came with a cracked corner, the cable is shorter than the listing said, and the '
    + 'manual is in a language I cannot read, so I would like to know what my options are now. ';
  for (let i = 0; i < 12; i++) {
    await cust.request('chat.send_message', { conversation_id: id, client_msg_id: `sv-f${i}`, text: `Detail ${i + 1}: ${detail.repeat(2)}` });
  }
  // A second customer waits in the queue.
  const other = await Customer.connect(relay);
  const waiting = await other.request('chat.start', { name: 'Lena', client_msg_id: 'sv-l0', text: 'Anyone there?' });
  await other.requestHuman(waiting.conversation_id);

  const sue = await staffCookie(relay, SUE);
  const [cname, cvalue] = sue.split('=');
  const ctx = await browser.newContext({ viewport: DESKTOP });
  await ctx.addCookies([{ name: cname, value: cvalue, url: relay.origin }]);
  const page = await ctx.newPage();
  try {
    await page.goto(`${relay.origin}/inbox`);
    await waitFirstFrame(page);
    await waitState(page, 'the inbox online', (s) => s.screen === 'inbox' && s.connection === 'online' && s.wait_threshold_s === 1);

    // The long wait: a drawn marker and words in the queue row's name.
    await waitState(page, 'the long-wait marker drawn', (s, w) => !!s.controls[`long_wait:${w}`], waiting.conversation_id);
    await mirrorMatches(page, /^Lena, .*long wait: over the waiting threshold/);

    // Search a word of Ann's chat; the result opens at its message.
    await clickControl(page, 'open_conversations');
    await waitState(page, 'the conversations view', (s) => s.supervise.panel === 'conversations');
    await typeInto(page, page, '#search-query', 'quasar');
    let s = await waitState(page, 'the search result', (s, id) => !s.supervise.searching && s.supervise.total === 1 &&
      s.supervise.hits[0].id === id, id);
    const matchSeq = s.supervise.hits[0].match_seq;
    assert.ok(matchSeq > 0, 'the result names its message');
    await clickControl(page, `result:${id}`);
    s = await waitState(page, 'opened at the match, listening in', (s, [id, seq]) => s.supervise.panel === 'none' &&
      s.selected && s.selected.id === id && s.selected.joined && s.selected.match_seq === seq &&
      s.selected.view_mode === 'listen_in', [id, matchSeq]);
    const matched = s.selected.messages.find((m) => m.seq === matchSeq);
    assert.ok(matched && /quasar/.test(matched.text), 'the match is the quasar message');
    // Scrolled to it: its highlight is drawn (twelve long messages below it push the bottom far away).
    // Not at the bottom (the transcript is longer than the view), yet the match is drawn: the jump.
    await waitState(page, 'the match drawn in view, away from the bottom', (s) => !!s.controls.match &&
      s.transcript && s.transcript.at_bottom === false);
    await mirrorMatches(page, /^Search match\. Ada Lovelace, .*quasar lamp/);
    // Read-only: no composer, and the bar says why.
    await mirrorMatches(page, /^Listening in, read-only: \u2068?Ann\u2069? is handling this chat\./);
    assert.equal(await page.locator('#composer').isVisible(), false, 'no composer while listening in');
    assert.ok(!s.controls.send, 'no Send button while listening in');

    // A new customer message arrives live.
    await cust.request('chat.send_message', { conversation_id: id, client_msg_id: 'sv-late', text: 'Is anyone reading this?' });
    await waitState(page, 'the new message seen live', (s) => s.selected.messages.some((m) => m.text === 'Is anyone reading this?'));

    // Reassign: the bar's button by keyboard, Bo by mouse, Enter reassigns.
    const reassign = page.getByRole('button', { name: 'Reassign', exact: true }).first();
    await reassign.waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    await reassign.focus();
    await page.keyboard.press('Enter');
    s = await waitState(page, 'the reassign dialog with the agents', (s) => s.transfer.open && s.transfer.reassign &&
      !s.transfer.loading && s.transfer.agents.some((a) => a.name === 'Bo'));
    assert.ok(!s.transfer.agents.some((a) => a.name === 'Ann'), 'the current assignee is not offered');
    await page.getByRole('dialog', { name: 'Reassign conversation' }).waitFor({ state: 'attached' });
    const bo = s.transfer.agents.find((a) => a.name === 'Bo');
    await clickControl(page, `agent:${bo.id}`);
    await waitState(page, 'Bo chosen', (s, bo) => s.transfer.agents[s.transfer.choice]?.id === bo, bo.id);
    await page.keyboard.press('Enter');
    await waitState(page, 'reassigned to Bo', (s) => !s.transfer.open && s.selected.assignee === 'Bo' &&
      s.flash === 'Reassigned to Bo.');
    const rec = await rest(admin, 'GET', `/api/v1/conversations/${id}`);
    assert.equal(rec.status, 200);
    const conv = rec.json.conversation || rec.json;
    assert.equal(conv.assignee_id ?? conv.assignee?.id, bo.id, 'the relay says Bo');
    await mirrorMatches(page, /^Listening in, read-only: \u2068?Bo\u2069? is handling this chat\./);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    cust.close();
    other.close();
    ann.close();
    boSocket.close();
    await ctx.close();
  }
});
