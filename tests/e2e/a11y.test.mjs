// Screen readers, end to end in headless Chromium (issue 8, "Screen readers"): the accessibility
// mirror of both apps (client/common/a11y_mirror.*) as Playwright's accessibility tree sees it
// (locator.ariaSnapshot(): roles, names, states), the transcript's role="log" present before any
// message, announcements of new messages, state changes and errors (the aria-live region), the
// history after a reload, and axe-core (npm, injected into the page) with no serious or critical
// violations on every screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  Relay, Customer, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame,
  typeInto, ADMIN, REPO, TIMEOUT_MS,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const DESKTOP = { width: 1280, height: 800 };

let relay;
let browser;
let failed = false;
let axeSource = '';

before(async () => {
  if (problem) return;
  const nodeRequire = createRequire(path.join(REPO, 'tests/node/package.json'));
  axeSource = fs.readFileSync(nodeRequire.resolve('axe-core/axe.min.js'), 'utf8');
  relay = new Relay({ prefix: 'parley-e2e-a11y-' });
  relay.ctl('kb', 'import', path.join(REPO, 'docs/examples/kb.md'));
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

// axe-core in `target` (page or frame; evaluated through the DevTools protocol, which the pages'
// CSP does not govern). Returns the serious and critical violations, summarised.
async function axeSerious(target) {
  if (!(await target.evaluate(() => typeof window.axe === 'object'))) await target.evaluate(axeSource);
  const result = await target.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

const liveText = (target) => target.evaluate(() => document.getElementById('parley-live').textContent);

async function waitLive(target, what, re) {
  await target.waitForFunction((src) => new RegExp(src).test(document.getElementById('parley-live').textContent),
    re.source, { timeout: TIMEOUT_MS }).catch(async (e) => {
    throw new Error(`no announcement of ${what} (${re}); the live region says: ${await liveText(target)}\n${e.message}`);
  });
}

async function waitSnapshot(locator, what, re) {
  const deadline = Date.now() + TIMEOUT_MS;
  let snap = '';
  for (;;) {
    snap = await locator.ariaSnapshot();
    if (re.test(snap)) return snap;
    if (Date.now() > deadline) throw new Error(`the accessibility tree never showed ${what} (${re}):\n${snap}`);
    await locator.page().waitForTimeout(50);  // polling the tree: a state check
  }
}

test('widget: mirror, log before messages, announcements, history after reload, axe', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: DESKTOP });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    assert.deepEqual(await axeSerious(site), [], 'the host page with the launcher');
    await site.locator('#parley-widget button.b').click();
    const widget = await widgetFrame(site);
    // The transcript's log is in the page before the app has drawn or connected.
    assert.equal(await widget.locator('[role="log"]').count() >= 1, true);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    const tree = widget.locator('body');
    let snap = await waitSnapshot(tree, 'the header, the log, the composer and Send',
      /heading "Chat with us"[\s\S]*button "Close chat"[\s\S]*log "Chat messages"[\s\S]*textbox "Message"[\s\S]*button "Send" \[disabled\]/);
    assert.deepEqual(await axeSerious(widget), [], 'the open widget');

    // A question: the answer is in the log and announced.
    await typeInto(site, widget, '#composer', 'What are your opening hours?');
    await waitState(widget, "the assistant's answer", (s) => s.messages.some((m) => m.role === 'bot' && /Monday/.test(m.text)));
    snap = await waitSnapshot(tree, 'both messages in the log',
      /log "Chat messages":[\s\S]*You, [^\n]*What are your opening hours\?[\s\S]*button "Copy message"[\s\S]*Opening hours/);
    assert.match(snap, /button "Chat options"/, 'the menu button once there is a conversation');
    await waitLive(widget, 'the answer', /Monday to Friday/);
    // The menu: its button's state and its items.
    await widget.locator('button', { hasText: 'Chat options' }).focus();
    await site.keyboard.press('Enter');
    snap = await waitSnapshot(tree, 'the open menu', /button "Chat options" \[expanded\][\s\S]*menu "Chat options":[\s\S]*menuitem "Talk to a person"[\s\S]*menuitem "End chat"/);
    assert.deepEqual(await axeSerious(widget), [], 'the widget with its menu open');
    await site.keyboard.press('Enter');  // Talk to a person
    await waitState(widget, 'the hand-off', (s) => s.status === 'pending');
    await waitSnapshot(tree, 'the menu closed', /button "Chat options"(?! \[expanded\])/);

    // An outage (the relay killed) is announced, and so is the way back.
    await relay.stop('SIGKILL');
    await waitState(widget, 'the connection lost', (s) => s.connection !== 'online' && s.banner);
    await waitSnapshot(tree, 'the connection status', /status: .+/);
    await waitLive(widget, 'the outage', /connect/i);
    await relay.start();
    await waitState(widget, 'online again', (s) => s.ready && s.connection === 'online', undefined, { timeout: 60_000 });
    await waitLive(widget, 'the reconnection', /Connected again/);

    // After a reload the history is in the log again.
    await site.reload();
    await site.locator('#parley-widget button.b').click();
    const again = await widgetFrame(site);
    await waitState(again, 'the history', (s) => s.ready && s.messages.some((m) => /opening hours/.test(m.text)));
    await waitSnapshot(again.locator('body'), 'the history in the log', /log "Chat messages":[\s\S]*What are your opening hours\?/);
    await site.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
  }
});

test('inbox: mirror of login, lists, conversation and dialog; announcements; axe', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const customer = await Customer.connect(relay);
  try {
    const started = await customer.request('chat.start', { name: 'Ada Reader', topic: 'Screen reader', client_msg_id: 'ar-1',
      text: 'Is anyone there?' });
    await customer.request('chat.request_human', { conversation_id: started.conversation_id });
    const cid = started.conversation_id;

    const inbox = await ctx.newPage();
    await inbox.goto(`${relay.origin}/inbox`);
    await waitState(inbox, 'the login form', (s) => s.screen === 'login');
    await waitFirstFrame(inbox);
    const tree = inbox.locator('body');
    await waitSnapshot(tree, 'the login form',
      /heading "Sign in to Parley Inbox"[\s\S]*textbox "Username"[\s\S]*textbox "Password"[\s\S]*button "Sign in"/);
    assert.deepEqual(await axeSerious(inbox), [], 'the login form');
    // A wrong password: the error is announced.
    await typeInto(inbox, inbox, '#login-user', ADMIN.username, { enter: false });
    await typeInto(inbox, inbox, '#login-password', 'not-the-password');
    await waitState(inbox, 'the login error', (s) => s.screen === 'login' && s.login_error);
    await waitLive(inbox, 'the login error', /.{8,}/);
    await inbox.locator('#login-password').fill('');
    await typeInto(inbox, inbox, '#login-password', ADMIN.password);
    await waitState(inbox, 'the inbox', (s, cid) => s.screen === 'inbox' && s.connection === 'online' &&
      s.queue.some((q) => q.id === cid), cid);

    let snap = await waitSnapshot(tree, 'the top bar and the queue',
      /heading "Parley Inbox"[\s\S]*button "Mute sounds"[\s\S]*Signed in as Administrator[\s\S]*button "Log out"[\s\S]*listbox "Waiting, \d+":[\s\S]*option "Ada Reader, Normal priority, Screen reader, waiting [^"]*Is anyone there\?"[\s\S]*listbox "My conversations, \d+"/);
    assert.doesNotMatch(snap, /button "Sign in"/, 'no leftover of the login form');
    assert.deepEqual(await axeSerious(inbox), [], 'the inbox with its queue');

    // Open from the queue: the conversation's log with its history, Accept.
    await inbox.getByRole('option', { name: /^Ada Reader/ }).focus();
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'the chat open', (s, cid) => s.selected && s.selected.id === cid && s.selected.joined, cid);
    snap = await waitSnapshot(tree, 'the open conversation',
      /option "Ada Reader[^\n]*\[selected\][\s\S]*heading "Ada Reader, Waiting"[\s\S]*button "Accept chat"[\s\S]*log "Conversation with Ada Reader":[^\n]*Is anyone there\?[^\n]*Assistant hand-off summary/);
    assert.match(snap, /heading "CONTACT"[\s\S]*Name: Ada Reader/, 'the details panel');
    assert.deepEqual(await axeSerious(inbox), [], 'an open waiting conversation');
    await inbox.getByRole('button', { name: 'Accept chat' }).first().focus();
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'accepted', (s) => s.selected.status === 'active');
    await waitLive(inbox, 'the accept', /Chat accepted/);
    snap = await waitSnapshot(tree, 'the composer', /heading "Ada Reader, Active"[\s\S]*button "Resolve"[\s\S]*log "Conversation with Ada Reader"[\s\S]*textbox "Reply to the customer"[\s\S]*button "Send" \[disabled\]/);
    // A new customer message is announced and appears in the log.
    await customer.request('chat.send_message', { conversation_id: cid, client_msg_id: 'ar-2', text: 'Great, thanks for answering.' });
    await waitLive(inbox, 'the new message', /Great, thanks for answering/);
    await waitSnapshot(tree, 'the new message in the log', /log "Conversation with Ada Reader":[\s\S]*Great, thanks for answering\./);
    assert.deepEqual(await axeSerious(inbox), [], 'an active conversation');

    // The resolve dialog: a modal dialog with a radio group, the note, Cancel and Resolve.
    await inbox.getByRole('button', { name: 'Resolve' }).focus();
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'the dialog', (s) => s.selected.resolve_open);
    snap = await waitSnapshot(tree, 'the dialog', /dialog "Resolve conversation":[\s\S]*radiogroup "Issue type":[\s\S]*radio "general" \[checked\][\s\S]*textbox "Resolution note"[\s\S]*button "Cancel"[\s\S]*button "Resolve"/);
    assert.deepEqual(await axeSerious(inbox), [], 'the resolve dialog');
    await inbox.keyboard.press('Control+Enter');
    await waitState(inbox, 'resolved', (s) => s.selected.status === 'resolved');
    await waitLive(inbox, 'the resolution', /Conversation resolved/);
    await waitSnapshot(tree, 'the resolved conversation', /heading "Ada Reader, Resolved"/);
    await inbox.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    customer.close();
    await ctx.close();
  }
});
