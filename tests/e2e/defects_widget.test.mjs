// Issue 8, "Widget defects found": end-to-end checks for defects 1, 3, 4 and 5 (2 and 6 are
// tested with the keyboard and screen-reader work). The real demo site and loader (widget.js),
// the real widget app in its iframe, the real relay; staff are a Node WebSocket client on
// /ws/inbox with a session cookie. Waits are for states, never for time.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist \
//      node --test tests/e2e/defects_widget.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Relay, Customer, Staff, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame,
  clickLauncher, typeInto, TIMEOUT_MS,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });

let relay;
let browser;
let failed = false;

before(async () => {
  if (problem) return;
  // No KB import: the relay seeds its built-in demo knowledge base on first start (defect 5).
  relay = new Relay({ prefix: 'parley-e2e-defects-widget-' });
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


const liveFrame = (page) => page.locator('#parley-widget >> iframe[src*="widget-live"]');
const appFrame = (page) => page.locator('#parley-widget >> iframe[src*="widget.html"]');

test('widget defect 1: a conversation carries across page loads; staff see whether the customer is there', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const staff = await Staff.connect(relay);
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    let widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await typeInto(site, widget, '#composer', 'I want to talk to a person');
    const s = await waitState(widget, 'waiting for a person', (s) => s.status === 'pending');
    const cid = s.conversation_id;

    // Staff open it: the customer is there.
    const joined = await staff.request('chat.join', { conversation_id: cid, after_seq: 0 });
    assert.equal(joined.customer_online, true, 'the join ack says the customer is connected');

    // The customer closes the panel and moves to another page of the site: the app is not
    // loaded again, the small live page keeps the customer present.
    await clickLauncher(site);
    await site.waitForFunction(() => {
      const h = document.querySelector('#parley-widget');
      return h && !h.shadowRoot.querySelector('.p').classList.contains('o');
    });
    await site.goto(`${relay.origin}/?page=2#faq`);
    await site.locator('#parley-widget button.b').waitFor({ state: 'visible' });
    await liveFrame(site).waitFor({ state: 'attached' });
    assert.equal(await appFrame(site).count(), 0, 'the WebAssembly app loads only when opened');
    // The old page's sockets closed and the live page's opened: staff never see "left" for good.
    await staff.frame('presence online after the move', (f) => f.type === 'chat.customer_presence' &&
      f.conversation_id === cid && f.data.online === true && staff.frames.indexOf(f) >
      staff.frames.findIndex((g) => g.type === 'chat.customer_presence' && g.data.online === false));

    // An agent accepts and replies: the launcher gets a badge on this page.
    await staff.request('chat.accept', { conversation_id: cid });
    await staff.request('chat.send_message', { conversation_id: cid, client_msg_id: 'a-1', text: 'Hello, Sam here. How can I help?' });
    await site.waitForFunction(() => {
      const b = document.querySelector('#parley-widget').shadowRoot.querySelector('.n');
      return b && !b.hidden && b.textContent === '1';
    }, null, { timeout: TIMEOUT_MS });

    // A further page load keeps the count (the flag on the host site), and opening shows the reply.
    await site.goto(`${relay.origin}/`);
    await site.waitForFunction(() => {
      const h = document.querySelector('#parley-widget');
      const b = h && h.shadowRoot.querySelector('.n');
      return b && !b.hidden && b.textContent === '1';
    }, null, { timeout: TIMEOUT_MS });
    await clickLauncher(site);
    widget = await widgetFrame(site);
    await waitState(widget, 'the reply in the reopened widget', (s) =>
      s.messages.some((m) => m.role === 'agent' && m.text === 'Hello, Sam here. How can I help?'));

    // Left open, the panel reopens by itself on the next page.
    await site.goto(`${relay.origin}/?page=3`);
    widget = await widgetFrame(site);
    await waitState(widget, 'reopened and resumed', (s, cid) => s.panel_open && s.conversation_id === cid &&
      s.connection === 'online', cid);
    await site.waitForFunction(() => document.querySelector('#parley-widget').shadowRoot.querySelector('.p.o'));

    // The customer leaves the site: staff see it.
    const before = staff.frames.length;
    await site.close();
    await staff.frame('presence offline', (f) => staff.frames.indexOf(f) >= before &&
      f.type === 'chat.customer_presence' && f.conversation_id === cid && f.data.online === false);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    staff.close();
    await ctx.close();
  }
});

test('widget defect 3: coming back to the page reconnects at once, not at the end of the backoff', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await relay.stop();
    // Wait for a backoff long enough that the timer cannot be what reconnects (attempt 3 on:
    // 2 s or more), then bring the relay back and the page "back into view".
    await waitState(widget, 'a long retry wait', (s) => s.connection === 'retrying' && s.retry_at - Date.now() >= 2000);
    await relay.start();
    await widget.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    const s = await waitState(widget, 'online again', (s) => s.connection === 'online' && s.ready);
    assert.equal(s.last_open_reason, 'visible', 'the visibility change reconnected, not the timer');
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
  }
});

test('widget defect 4: on a site not in allowed_sites nothing shows, and the console says why', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Another origin on loopback: the page comes from Playwright, the loader from the relay. A
  // page reaching the relay on 127.0.0.1 needs Chromium's local-network-access permission (a real
  // relay is on the public network, like the sites that embed it).
  await ctx.grantPermissions(['local-network-access']);
  const site = `http://127.0.0.2:${relay.port}`;
  try {
    const page = await ctx.newPage();
    await page.route(`${site}/shop`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>Shop</title><h1>A shop</h1>` +
        `<script src="${relay.origin}/widget.js" data-tenant="default" async></script>`,
    }));
    const told = page.waitForEvent('console', { predicate: (m) => /allowed_sites/.test(m.text()), timeout: TIMEOUT_MS });
    await page.goto(`${site}/shop`);
    const message = (await told).text();
    assert.ok(message.includes(site), `the console names the site: ${message}`);
    assert.equal(await page.locator('#parley-widget').count(), 0, 'no launcher, no panel');

    // Once the site is allowed, the same page shows the chat, and it loads.
    relay.ctl('tenant', 'set', 'allowed_sites', site);
    // parleyctl's change reaches the running relay within a second: poll its answer (a state).
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const c = await (await fetch(`${relay.origin}/api/config?tenant=default`, { headers: { Origin: site } })).json();
      if (c.embed_allowed) break;
      if (Date.now() > deadline) throw new Error('the relay never allowed the site');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.reload();
    await clickLauncher(page);
    const widget = await widgetFrame(page);
    await waitState(widget, 'the widget online on the allowed site', (s) => s.ready && s.connection === 'online');
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    relay.ctl('tenant', 'set', 'allowed_sites', '[]');
    await ctx.close();
  }
});

test("widget defect 5: the demo knowledge base answers the demo site's questions", { skip }, async () => {
  requirePrerequisites(problem);
  const cases = [
    ['Is there an outage in my street?', /outage/i],
    ["I'm moving house", /mov/i],
    ['How do I read my invoice?', /invoice/i],
  ];
  for (const [question, expect] of cases) {
    const c = await Customer.connect(relay);
    try {
      const answer = new Promise((resolve) => c.ws.on('message', (d) => {
        const f = JSON.parse(d.toString('utf8'));
        if (f.type === 'chat.new_message' && f.actor && f.actor.role === 'bot') resolve(f.data.message.text);
      }));
      await c.request('chat.start', { name: 'Demo', client_msg_id: `q-${question}`, text: question });
      const text = await answer;
      assert.doesNotMatch(text, /not sure I understood/i, `"${question}" was not understood`);
      assert.match(text, expect, `"${question}" got: ${text}`);
    } finally {
      c.close();
    }
  }
});

test('inbox defect 9 (the widget side): Copy says "Copied"', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 },
    permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await typeInto(site, widget, '#composer', 'What are your opening hours?');
    let s = await waitState(widget, "the assistant's answer drawn", (s) => {
      const m = s.messages.find((m) => m.role === 'bot' && m.delivery === 'stored');
      return m && s.controls[`msg:${m.seq}`];
    });
    const answer = s.messages.find((m) => m.role === 'bot' && m.delivery === 'stored');
    // The widget's frame sits in the page: controls are relative to it.
    const box = await site.locator('#parley-widget >> iframe[src*="widget.html"]').boundingBox();
    const at = ([x, y, w, h]) => ({ x: box.x + x + w / 2, y: box.y + y + h / 2 });
    const bubble = at(s.controls[`msg:${answer.seq}`]);
    await site.mouse.click(bubble.x, bubble.y);
    s = await waitState(widget, 'the Copy action', (s) => !!s.controls.copy);
    const copy = at(s.controls.copy);
    await site.mouse.click(copy.x, copy.y);
    s = await waitState(widget, 'the copy confirmed on screen', (s) => s.copies === 1 && !!s.controls.copied);
    assert.equal(await widget.evaluate(() => navigator.clipboard.readText()), answer.text);
    assert.equal(await widget.evaluate(() => document.getElementById('parley-live').textContent.includes('Copied')), true,
      'announced to screen readers');
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
  }
});
