// Issue 9, tickets and blocks from the visitor's side: the real demo site, loader and widget app
// against the real relay. A staff member (a Node socket, so the widget offers its composer)
// converts the visitor's chat to a ticket over REST and sees it listed; then blocks the visitor:
// the widget's next message is refused and the widget says so (a status node in the
// accessibility mirror); once the block is lifted the visitor writes again. Waits are for
// states, never for time.
//
// The inbox's Convert / Tickets / Customer / Block controls have their own journey:
// tests/e2e/tickets_ui.test.mjs.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist \
//      node --test tests/e2e/tickets.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Relay, Staff, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame,
  clickLauncher, typeInto, staffCookie, TIMEOUT_MS,
} from './lib.mjs';

const { problem, skip } = prerequisites();
let relay;
let browser;
let failed = false;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-tickets-' });
  await relay.start();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (relay) {
    await relay.stop();
    relay.cleanup(failed);
  }
});

async function rest(method, target, cookie, body) {
  const res = await fetch(`${relay.origin}${target}`, {
    method,
    headers: { 'Content-Type': 'application/json', Origin: relay.origin, Cookie: cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

test('tickets and blocks: a chat becomes a ticket; a blocked visitor is told so in the widget', { skip }, async () => {
  requirePrerequisites(problem);
  const staff = await Staff.connect(relay);
  const cookie = await staffCookie(relay);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await typeInto(site, widget, '#composer', 'My parcel never arrived');
    const s1 = await waitState(widget, 'the conversation', (s) => s.conversation_id && s.messages.length >= 1);
    const cid = s1.conversation_id;

    // Staff convert the chat to a ticket; it is listed with its conversation.
    const made = await rest('POST', `/api/live-chat/${cid}/convert-to-ticket`, cookie, { title: 'Lost parcel' });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const list = await rest('GET', '/api/v1/tickets?status=open', cookie);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.tickets.map((t) => [t.id, t.conversation_id, t.title]),
      [[made.json.id, cid, 'Lost parcel']]);

    // Staff block the visitor: the next message is refused and the widget says so.
    const block = await rest('POST', '/api/v1/blocks', cookie,
      { kind: 'contact', conversation_id: cid, reason: 'abusive language' });
    assert.equal(block.status, 201, JSON.stringify(block.json));
    assert.equal((await waitState(widget, 'not blocked yet', (s) => s.ready)).blocked, false);
    await typeInto(site, widget, '#composer', 'you are useless');
    const s2 = await waitState(widget, 'the blocked banner', (s) => s.blocked === true);
    assert.equal(s2.banner, 'You can no longer send messages here.');
    // The banner is a status node of the accessibility mirror (its text, as screen readers read it).
    await widget.getByRole('status').filter({ hasText: 'You can no longer send messages here.' })
      .waitFor({ state: 'attached', timeout: TIMEOUT_MS });

    // Lifted: the visitor writes again and the banner goes.
    const lifted = await rest('DELETE', `/api/v1/blocks/${block.json.id}`, cookie);
    assert.equal(lifted.status, 200);
    assert.equal(lifted.json.active, false);
    await typeInto(site, widget, '#composer', 'Sorry about that');
    await waitState(widget, 'the banner gone', (s) => s.blocked === false &&
      s.messages.some((m) => m.text === 'Sorry about that' && m.delivery === 'stored'));
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
    staff.close();
  }
});
