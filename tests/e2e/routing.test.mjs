// Issue 9 end to end in headless Chromium: the customer sees their place in the queue fall, and
// the agent sets their own status from the inbox's top bar, by mouse and by keyboard (the
// accessibility mirror's radio group). The widget's header says "You are number N in the queue,
// about M min"; the estimate disappears while nobody is online to serve the queue.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist node --test tests/e2e/routing.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  Relay, Customer, launchBrowser, prerequisites, requirePrerequisites, state, waitState, waitFirstFrame,
  widgetFrame, clickLauncher, typeInto, staffCookie, screenshotDir, ADMIN, clickControl,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const DESKTOP = { width: 1280, height: 800 };

let relay;
let browser;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-routing-' });
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

async function accept(cookie, id) {
  const res = await fetch(`${relay.origin}/api/v1/conversations/${id}/accept`, {
    method: 'POST', headers: { Cookie: cookie, Origin: relay.origin, 'Content-Type': 'application/json' }, body: '{}',
  });
  assert.equal(res.status, 200, `accept ${id}: ${await res.text()}`);
}

test('the customer sees their place in the queue fall; the agent sets their status by mouse and keyboard', { skip }, async () => {
  requirePrerequisites(problem);
  const customerCtx = await browser.newContext({ viewport: DESKTOP });
  const agentCtx = await browser.newContext({ viewport: DESKTOP });
  const others = [];
  try {
    // Two visitors are waiting already (Node ws clients).
    const ahead = [];
    for (const name of ['Priya Raman', 'Tom Becker']) {
      const c = await Customer.connect(relay);
      others.push(c);
      const started = await c.request('chat.start', { name, topic: 'Billing' });
      await c.request('chat.request_human', { conversation_id: started.conversation_id });
      ahead.push(started.conversation_id);
    }

    // The visitor asks for a person in the widget: third in the queue, nobody online yet.
    const site = await customerCtx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online and open', (s) => s.ready && s.connection === 'online' && s.panel_open);
    await typeInto(site, widget, '#composer', 'I want to talk to a person');
    let w = await waitState(widget, 'third in the queue', (s) => s.status === 'pending' && s.queue && s.queue.position === 3);
    assert.equal(w.queue.minutes, null, 'nobody online: no estimate');
    assert.equal(w.header.subtitle, 'Number 3 in the queue');
    assert.equal(w.queue.text, 'You are number 3 in the queue');

    // The agent signs in: the estimate appears (capacity 3, five minutes a chat).
    const inbox = await agentCtx.newPage();
    await inbox.goto(`${relay.origin}/inbox`);
    await waitState(inbox, 'the login form', (s) => s.screen === 'login');
    await waitFirstFrame(inbox);
    await typeInto(inbox, inbox, '#login-user', ADMIN.username, { enter: false });
    await typeInto(inbox, inbox, '#login-password', ADMIN.password);
    let s = await waitState(inbox, 'the inbox, online', (s) => s.screen === 'inbox' && s.agent_status &&
      s.agent_status.status === 'online');
    w = await waitState(widget, 'an estimate', (s) => s.queue && s.queue.position === 3 && s.queue.minutes === 5);
    assert.equal(w.queue.text, 'You are number 3 in the queue, about 5 min');
    // The transcript's last line says it; the screen reader reads it in the widget's mirror.
    await widget.locator('#parley-a11y').getByText('You are number 3 in the queue, about 5 min').waitFor({ state: 'attached' });

    // Mouse: the agent steps away; nobody serves the queue, the estimate goes.
    await clickControl(inbox, 'status-away');
    s = await waitState(inbox, 'away', (s) => s.agent_status.status === 'away' && !s.agent_status.pending);
    assert.equal(s.agent_status.chosen, 'away');
    await waitState(widget, 'no estimate while the agent is away', (s) => s.queue && s.queue.position === 3 &&
      s.queue.minutes === null);
    await inbox.screenshot({ path: path.join(shots, 'inbox-status-away.png') });
    // Keyboard (and screen reader): the radio group of the mirror.
    const group = inbox.getByRole('radiogroup', { name: /^Your status/ });
    await group.getByRole('radio', { name: 'Away' }).waitFor({ state: 'attached' });
    assert.equal(await group.getByRole('radio', { name: 'Away' }).getAttribute('aria-checked'), 'true');
    await group.getByRole('radio', { name: 'Online' }).focus();
    await inbox.keyboard.press('Enter');
    s = await waitState(inbox, 'online again', (s) => s.agent_status.status === 'online' && !s.agent_status.pending);
    await waitState(widget, 'the estimate back', (s) => s.queue && s.queue.minutes === 5);

    // The two ahead are taken: the place falls, 3 -> 2 -> 1.
    const cookie = await staffCookie(relay);
    await accept(cookie, ahead[0]);
    w = await waitState(widget, 'second in the queue', (s) => s.queue && s.queue.position === 2);
    assert.equal(w.header.subtitle, 'Number 2 in the queue');
    assert.equal(w.queue.text, 'You are number 2 in the queue, about 4 min');
    await accept(cookie, ahead[1]);
    w = await waitState(widget, 'next in the queue', (s) => s.queue && s.queue.position === 1);
    assert.equal(w.queue.text, 'You are number 1 in the queue, about 2 min');
    await widget.locator('#parley-a11y').getByText('You are number 1 in the queue, about 2 min').waitFor({ state: 'attached' });
    await site.screenshot({ path: path.join(shots, 'widget-queue-place.png') });

    // Picked up: the place is gone, the header names the agent.
    await accept(cookie, w.conversation_id);
    w = await waitState(widget, 'the agent', (s) => s.status === 'active' && s.queue === null);
    assert.match(w.header.subtitle, /^Chatting with /);
    const final = await state(inbox);
    assert.equal(final.agent_status.status, 'online');
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    for (const c of others) c.close();
    await customerCtx.close();
    await agentCtx.close();
  }
});
