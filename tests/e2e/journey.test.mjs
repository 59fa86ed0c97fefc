// End to end in headless Chromium: a visitor on the demo site opens the widget, asks the
// assistant, asks for a person; an agent logs into the inbox, accepts the chat from the queue,
// replies and resolves; the visitor sees the reply, and after a reload the same history.
// Everything goes through the real pages (build-wasm/dist) served by the real relay: the
// launcher is clicked, text is typed into the apps' DOM fields with the keyboard, inbox buttons
// are clicked on the canvas. Assertions read window.parley.state(); screenshots are evidence.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_WEB_DIST=build-wasm/dist node --test tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  Relay, Customer, launchBrowser, prerequisites, requirePrerequisites, state, waitState, waitFirstFrame,
  widgetFrame, clickLauncher, typeInto, screenshotDir, ADMIN, REPO,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

// Where the inbox draws its buttons (client/inbox/inbox_view.cpp, InboxView::draw and
// draw_conversation), in CSS pixels. The app does not expose element rectangles in its state, so
// the test derives them from the layout rules: top bar 56 px; list column 340 px (280 below 900 px
// wide); details column 320 px when the window is at least 1180 px wide and a conversation is
// open; conversation header 68 px high with its action button (34 px high) right-aligned 24 px
// from the conversation pane's right edge; the "Accept chat" bar at the bottom is 64 px high with
// a 150 x 36 px button 24 px from the right edge, 14 px below the bar's top.
function inboxLayout({ width, height }) {
  const listW = width < 900 ? 280 : 340;
  const detailsW = width >= 1180 ? 320 : 0;
  const paneRight = width - detailsW;
  return {
    // The bottom bar's accept button: 150 px wide, so its centre is a safe target.
    acceptBar: { x: paneRight - 24 - 75, y: height - 64 + 14 + 18 },
    // The header's action button ("Resolve" when the chat is ours): its width depends on the
    // label, so aim 24 px inside its right end.
    headerAction: { x: paneRight - 24 - 24, y: 56 + 34 },
    listW,
  };
}

let relay;
let browser;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay();
  // The example knowledge base gives the assistant real answers; written before the relay starts.
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
  if (shots) console.log(`# screenshots: ${shots}`);
});

// The panel's open transition (widget.js) and the loading overlay's fade (widget.css) have ended,
// so screenshots show the settled page.
async function settled(page, frame) {
  await page.waitForFunction(() => {
    const host = document.querySelector('#parley-widget');
    const panel = host && host.shadowRoot && host.shadowRoot.querySelector('.p');
    return !!panel && panel.getAnimations().length === 0;
  });
  if (frame) {
    await frame.waitForFunction(() => {
      const el = document.getElementById('parley-loading');
      return !el || getComputedStyle(el).opacity === '0';
    });
  }
}

// Two animation frames: the app's main loop (resumed by the input event) has drawn.
const afterFrames = (page) => page.evaluate(() =>
  new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

const texts = (messages) => messages.filter((m) => m.delivery === 'stored').map((m) => `${m.role}: ${m.text}`);

test('widget to inbox and back: ask, hand off, accept, reply, resolve, reload', { skip }, async () => {
  requirePrerequisites(problem);
  const customerCtx = await browser.newContext({ viewport: DESKTOP });
  const agentCtx = await browser.newContext({ viewport: DESKTOP });
  const extra = [];
  try {
    // ---- the visitor: demo page, launcher, the assistant ----
    const site = await customerCtx.newPage();
    await site.goto(`${relay.origin}/`);
    await site.locator('#parley-widget button.b').waitFor({ state: 'visible' });
    await site.screenshot({ path: path.join(shots, 'widget-closed.png') });

    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    let s = await waitState(widget, 'the widget online and open',
      (s) => s.ready && s.connection === 'online' && s.panel_open);
    assert.equal(s.embedded, true);
    assert.equal(s.prechat, false);
    await settled(site, widget);
    await site.screenshot({ path: path.join(shots, 'widget-open.png') });

    const question = 'Where can I find my invoice?';
    await typeInto(site, widget, '#composer', question);
    s = await waitState(widget, "the assistant's answer", (s, q) => {
      const i = s.messages.findIndex((m) => m.role === 'customer' && m.text === q && m.delivery === 'stored');
      return i >= 0 && s.messages.slice(i + 1).some((m) => m.role === 'bot' && m.delivery === 'stored');
    }, question);
    const cid = s.conversation_id;
    assert.ok(cid, 'the widget knows its conversation');
    assert.equal(s.status, 'bot');
    const answer = s.messages.find((m) => m.role === 'bot' && m.seq > s.messages.find((x) => x.text === question).seq);
    assert.match(answer.text, /invoice/i, 'the assistant answered from the knowledge base');
    assert.equal(await widget.locator('#composer').inputValue(), '', 'the composer was cleared');

    await typeInto(site, widget, '#composer', 'I want to talk to a person');
    s = await waitState(widget, 'the hand-off (status pending)', (s) => s.status === 'pending');

    // Two other visitors waiting, so the queue looks like a queue (Node ws clients).
    for (const [name, topic, text] of [['Priya Raman', 'Moving house', 'We move on the 3rd, can the line move with us?'],
      ['Tom Becker', 'Outage', 'No internet since this morning in Mill Lane.']]) {
      const c = await Customer.connect(relay);
      extra.push(c);
      const started = await c.request('chat.start', { name, topic, client_msg_id: `m-${name}`, text });
      await c.request('chat.request_human', { conversation_id: started.conversation_id });
    }

    // ---- the agent: login form, queue ----
    const inbox = await agentCtx.newPage();
    await inbox.goto(`${relay.origin}/inbox`);
    await waitState(inbox, 'the login form', (s) => s.screen === 'login');
    await waitFirstFrame(inbox);
    await typeInto(inbox, inbox, '#login-user', ADMIN.username, { enter: false });
    await typeInto(inbox, inbox, '#login-password', ADMIN.password);
    s = await waitState(inbox, 'the inbox with the three waiting chats', (s, cid) =>
      s.screen === 'inbox' && s.connection === 'online' && s.queue.length === 3 && s.queue.some((q) => q.id === cid),
    cid);
    assert.equal(s.user.name.length > 0, true);
    assert.equal(s.selected, null);
    await inbox.screenshot({ path: path.join(shots, 'inbox-queue.png') });

    // Keyboard: Down moves the focus through the queue, Enter opens the focused chat.
    for (let i = 0; i < 4 && s.focus !== cid; ++i) {
      await inbox.keyboard.press('ArrowDown');
      s = await waitState(inbox, 'the focus to move', (s, before) => s.focus !== before, s.focus);
    }
    assert.equal(s.focus, cid, 'the keyboard reaches the visitor\'s chat');
    await inbox.keyboard.press('Enter');
    s = await waitState(inbox, 'the chat open with its history', (s, cid) =>
      s.selected && s.selected.id === cid && s.selected.joined && s.selected.messages.length >= 4, cid);
    assert.equal(s.selected.status, 'pending');
    assert.ok(s.selected.messages.some((m) => m.role === 'customer' && m.text === question), 'history in the inbox');
    assert.ok(s.selected.summary.length > 0, 'the hand-off summary is shown');

    // Accept: a click on the bottom bar's button.
    const layout = inboxLayout(DESKTOP);
    await inbox.mouse.click(layout.acceptBar.x, layout.acceptBar.y);
    s = await waitState(inbox, 'the chat accepted', (s) => s.selected && s.selected.status === 'active' &&
      s.mine.some((m) => m.id === s.selected.id) && !s.queue.some((q) => q.id === s.selected.id));
    s = await waitState(widget, 'the widget to show the agent', (s) => s.status === 'active' && s.agent !== '');

    const reply = 'Hi! I am looking at your account now: the invoice is under Account > Billing.';
    await typeInto(inbox, inbox, '#composer', reply);
    await waitState(inbox, 'the reply stored', (s, r) =>
      s.selected.messages.some((m) => m.role === 'agent' && m.text === r && !m.pending), reply);
    s = await waitState(widget, 'the reply in the widget', (s, r) =>
      s.messages.some((m) => m.role === 'agent' && m.text === r && m.delivery === 'stored'), reply);
    const followUp = 'Found it, thank you!';
    await typeInto(site, widget, '#composer', followUp);
    await waitState(inbox, "the visitor's follow-up in the inbox", (s, t) =>
      s.selected.messages.some((m) => m.role === 'customer' && m.text === t), followUp);
    await waitState(widget, 'the follow-up stored', (s, t) =>
      s.messages.some((m) => m.text === t && m.delivery === 'stored'), followUp);
    await settled(site, widget);
    await site.screenshot({ path: path.join(shots, 'widget-conversation.png') });
    // The transcript does not follow new messages once the composer has replaced the accept bar
    // (reported: InboxView::draw_transcript loses stick-to-bottom when its viewport shrinks), so
    // scroll it to the end for the screenshot. Not an assertion: state() has no scroll position.
    await inbox.mouse.move(layout.listW + 200, 400);
    await inbox.mouse.wheel(0, 5000);
    await afterFrames(inbox);
    await inbox.screenshot({ path: path.join(shots, 'inbox-conversation.png') });

    // Resolve: the header's Resolve button opens the panel with the note focused; in the note,
    // Enter is a new line and Ctrl+Enter resolves (client/inbox/inbox_dom.js).
    await inbox.mouse.click(layout.headerAction.x, layout.headerAction.y);
    await waitState(inbox, 'the resolve panel', (s) => s.selected.resolve_open && s.focused_field === 'resolve-note');
    await inbox.keyboard.type('Pointed to Account > Billing.');
    await inbox.keyboard.press('Control+Enter');
    s = await waitState(inbox, 'the chat resolved', (s) => s.selected && s.selected.status === 'resolved');
    s = await waitState(widget, 'the widget to show the end', (s) => s.status === 'resolved');
    const history = texts(s.messages);
    assert.deepEqual(history.filter((t) => t.startsWith('customer: ')),
      [question, 'I want to talk to a person', followUp].map((t) => `customer: ${t}`));
    assert.ok(history.includes(`agent: ${reply}`));
    assert.ok(!JSON.stringify(s).includes('Pointed to Account'), 'the resolution note is staff-only');

    // ---- reload: the same history from the relay ----
    await site.reload();
    await clickLauncher(site);
    const again = await widgetFrame(site);
    s = await waitState(again, 'the history after a reload', (s, n) =>
      s.ready && s.messages.filter((m) => m.delivery === 'stored').length === n, history.length);
    assert.equal(s.conversation_id, cid);
    assert.equal(s.status, 'resolved');
    assert.deepEqual(texts(s.messages), history);
    await site.close();
    await inbox.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    for (const c of extra) c.close();
    await customerCtx.close();
    await agentCtx.close();
  }
});

test('phone width: the widget fills the screen', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await site.locator('#parley-widget button.b').tap();
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    // The panel covers the page (widget.js: full screen below 600 px).
    const box = await site.locator('#parley-widget iframe').boundingBox();
    assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, PHONE.width, PHONE.height]);
    const question = 'What are your opening hours?';
    await typeInto(site, widget, '#composer', question);
    await waitState(widget, "the assistant's answer", (s, q) => s.messages.some((m) => m.text === q) &&
      s.messages.some((m) => m.role === 'bot' && /Monday/.test(m.text)), question);
    await settled(site, widget);
    await site.screenshot({ path: path.join(shots, 'widget-phone.png') });
    await site.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
  }
});
