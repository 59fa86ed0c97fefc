// Keyboard only, end to end in headless Chromium (issue 8, "Keyboard"): the widget from the host
// page's launcher to the agent and back, and the inbox from the login form to a resolved chat,
// with nothing but Tab, Shift+Tab, arrows, Enter and Esc (and typing). Also the widget's "..."
// menu closing on Esc, on typing and on a click outside (widget defect 2), the launcher's label
// counting unread replies (widget defect 6), and the focus after accepting (inbox defect 4).
//
// Focus is read from the DOM (document.activeElement, in the frame and in the launcher's shadow
// root); the apps' controls are in the accessibility mirror (client/common/a11y_mirror.*), so a
// focused control has a name. Waits are for states; nothing sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  Relay, Customer, Staff, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame,
  staffCookie, typeInto, screenshotDir, ADMIN, REPO, TIMEOUT_MS,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const DESKTOP = { width: 1280, height: 800 };

let relay;
let browser;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-keys-' });
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

// The focused element of a page or frame: {id, role, name, tag}; the launcher's shadow root is
// looked into.
function focused(target) {
  return target.evaluate(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    const span = el.querySelector && el.querySelector(':scope > .pa-name');
    return {
      id: el.id, tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
      name: el.getAttribute('aria-label') || (span ? span.textContent : el.textContent || '').trim(),
      expanded: el.getAttribute('aria-expanded'), checked: el.getAttribute('aria-checked'),
    };
  });
}

// Waits until the focus in `target` satisfies `pred` (runs in Node on focused()).
async function waitFocus(target, what, pred) {
  const deadline = Date.now() + TIMEOUT_MS;
  let f = null;
  for (;;) {
    f = await focused(target);
    if (f && pred(f)) return f;
    if (Date.now() > deadline) throw new Error(`waiting for the focus on ${what}; it is on ${JSON.stringify(f)}`);
    await target.waitForTimeout(50);  // polling the DOM's focus: a state check
  }
}

// Presses `key` until the focus in `target` satisfies `pred`; returns the names passed on the way.
async function pressUntil(page, target, key, what, pred, max = 40) {
  const seen = [];
  for (let i = 0; i < max; ++i) {
    await page.keyboard.press(key);
    const f = await focused(target);
    seen.push(f ? f.name || f.id : null);
    if (f && pred(f)) return seen;
  }
  throw new Error(`${key} never reached ${what}; passed ${JSON.stringify(seen)}`);
}

const frameHasFocus = (frame) => frame.evaluate(() => document.hasFocus());
const launcherLabel = (site) => site.evaluate(() =>
  document.querySelector('#parley-widget').shadowRoot.querySelector('button.b').getAttribute('aria-label'));

test('widget, keyboard only: launcher, composer, every control, the menu, Esc back to the launcher', { skip }, async () => {
  requirePrerequisites(problem);
  // Someone is online, so after the hand-off the widget keeps its composer (not the offline form).
  const staff = await Staff.connect(relay);
  const ctx = await browser.newContext({ viewport: DESKTOP });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await site.locator('#parley-widget button.b').waitFor({ state: 'visible' });
    // Tab to the launcher (after the demo page's own links).
    await pressUntil(site, site, 'Tab', 'the launcher', (f) => /^Open chat/.test(f.name), 60);
    await site.keyboard.press('Enter');
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online' && s.panel_open);
    // Focus moves into the composer on open: typing goes there.
    await waitFocus(widget, 'the composer', (f) => f.id === 'composer');
    assert.equal(await frameHasFocus(widget), true);
    await site.keyboard.type('What are your opening hours?');
    await site.keyboard.press('Enter');
    await waitState(widget, "the assistant's answer", (s) => s.messages.some((m) => m.role === 'bot' && /Monday/.test(m.text)));

    // Shift+Tab walks back through every control in reading order: the transcript's message
    // actions (one stop), the header's buttons; Tab comes back to the composer and Send.
    const back = await pressUntil(site, widget, 'Shift+Tab', 'the menu button', (f) => f.name === 'Chat options');
    assert.deepEqual(back, ['Copy message', 'Close chat', 'Chat options']);
    await site.screenshot({ path: path.join(shots, 'keyboard-widget-focus.png') });
    const forward = await pressUntil(site, widget, 'Tab', 'Send', (f) => f.name === 'Send');
    assert.deepEqual(forward, ['Close chat', 'Copy message', 'Message', 'Send']);
    // Up in the transcript moves between messages' actions (one Tab stop for the whole log).
    await pressUntil(site, widget, 'Shift+Tab', 'the last message', (f) => f.name === 'Copy message');
    await site.keyboard.press('ArrowUp');
    const up = await focused(widget);
    assert.equal(up.name, 'Copy message');
    await site.keyboard.press('Shift+Tab');
    await site.keyboard.press('Shift+Tab');
    await waitFocus(widget, 'the menu button', (f) => f.name === 'Chat options');

    // The menu: Enter opens it with the focus on its first item; arrows move; Esc closes it and
    // gives the focus back to the button; Enter on an item chooses it.
    await site.keyboard.press('Enter');
    await waitState(widget, 'the menu open', (s) => s.menu_open);
    await waitFocus(widget, 'the first menu item', (f) => f.role === 'menuitem' && f.name === 'Talk to a person');
    assert.equal(await widget.locator('[aria-label="Chat options"], button:has-text("Chat options")').first().getAttribute('aria-expanded'), 'true');
    await site.keyboard.press('ArrowDown');
    await waitFocus(widget, 'the second menu item', (f) => f.name === 'End chat');
    await site.keyboard.press('Escape');
    await waitState(widget, 'the menu closed by Esc', (s) => !s.menu_open && s.panel_open);
    await waitFocus(widget, 'the menu button again', (f) => f.name === 'Chat options');
    await site.keyboard.press('Enter');
    await waitFocus(widget, 'the first menu item', (f) => f.name === 'Talk to a person');
    await site.keyboard.press('Enter');
    await waitState(widget, 'the hand-off', (s) => s.status === 'pending' && !s.menu_open);

    // Esc closes the panel and the focus is back on the launcher in the host page.
    await waitFocus(widget, 'the menu button', (f) => f.name === 'Chat options');
    await site.keyboard.press('Escape');
    await waitState(widget, 'the panel closed', (s) => !s.panel_open);
    await waitFocus(site, 'the launcher', (f) => /^Open chat/.test(f.name));
    // Enter opens it again: back in the composer.
    await site.keyboard.press('Enter');
    await waitState(widget, 'the panel open again', (s) => s.panel_open);
    await waitFocus(widget, 'the composer', (f) => f.id === 'composer');
    // Esc from the composer closes it too.
    await site.keyboard.press('Escape');
    await waitFocus(site, 'the launcher', (f) => /^Open chat/.test(f.name));
    await site.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    staff.close();
    await ctx.close();
  }
});

test('widget: the "..." menu closes on Esc, on typing and on a click outside', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: DESKTOP });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await site.locator('#parley-widget button.b').click();
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await waitFocus(widget, 'the composer', (f) => f.id === 'composer');
    await site.keyboard.type('hello');
    await site.keyboard.press('Enter');
    await waitState(widget, 'a conversation (the menu has items)', (s) => s.conversation_id && s.messages.some((m) => m.role === 'bot'));
    // The menu button's place on the canvas, from its mirror element.
    const frameBox = await site.locator('#parley-widget iframe').boundingBox();
    const menuBox = await widget.locator('button', { hasText: 'Chat options' }).boundingBox();
    const menu = { x: menuBox.x + menuBox.width / 2, y: menuBox.y + menuBox.height / 2 };
    const openByMouse = async () => {
      await site.mouse.click(menu.x, menu.y);
      await waitState(widget, 'the menu open', (s) => s.menu_open);
    };
    // Esc (focus on the canvas after the click).
    await openByMouse();
    await site.keyboard.press('Escape');
    await waitState(widget, 'the menu closed by Esc, the panel still open', (s) => !s.menu_open && s.panel_open);
    // Typing.
    await openByMouse();
    await site.keyboard.type('x');
    await waitState(widget, 'the menu closed by typing', (s) => !s.menu_open);
    // A click into the composer (a DOM field over the canvas).
    await openByMouse();
    await widget.locator('#composer').click();
    await waitState(widget, 'the menu closed by a click on the composer', (s) => !s.menu_open);
    // A click outside the widget (the host page).
    await openByMouse();
    await site.mouse.click(frameBox.x - 200, frameBox.y + 200);
    await waitState(widget, 'the menu closed by a click outside', (s) => !s.menu_open && s.panel_open);
    // A click on the canvas outside the menu.
    await openByMouse();
    await site.mouse.click(frameBox.x + 40, frameBox.y + 300);
    await waitState(widget, 'the menu closed by a click on the transcript', (s) => !s.menu_open);
    await site.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
  }
});

test('widget: the launcher\'s label counts unread replies', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: DESKTOP });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await site.locator('#parley-widget button.b').click();
    const widget = await widgetFrame(site);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await typeInto(site, widget, '#composer', 'agent');
    let s = await waitState(widget, 'the hand-off', (s) => s.status === 'pending');
    const cid = s.conversation_id;
    await site.keyboard.press('Escape');  // panel closed
    await waitState(widget, 'the panel closed', (s) => !s.panel_open);
    // The loader hears of the close by message: wait for its label.
    await site.waitForFunction(() => /^Open chat: [^,]+$/.test(document.querySelector('#parley-widget')
      .shadowRoot.querySelector('button.b').getAttribute('aria-label')), null, { timeout: TIMEOUT_MS });
    // An agent accepts and replies twice (REST, as the logged-in admin).
    const cookie = await staffCookie(relay, ADMIN);
    const post = (p, body) => fetch(`${relay.origin}${p}`, {
      method: 'POST', headers: { Cookie: cookie, Origin: relay.origin, 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    }).then((r) => { assert.ok(r.ok, `${p}: HTTP ${r.status}`); return r.json(); });
    await post(`/api/v1/conversations/${cid}/accept`);
    await post(`/api/v1/conversations/${cid}/messages`, { text: 'Hello, I am here.', client_msg_id: 'k-1' });
    await waitState(widget, 'one unread reply', (s) => s.unread === 1);
    await site.waitForFunction(() => /1 unread message$/.test(document.querySelector('#parley-widget')
      .shadowRoot.querySelector('button.b').getAttribute('aria-label')), null, { timeout: TIMEOUT_MS });
    await post(`/api/v1/conversations/${cid}/messages`, { text: 'How can I help?', client_msg_id: 'k-2' });
    await site.waitForFunction(() => /2 unread messages$/.test(document.querySelector('#parley-widget')
      .shadowRoot.querySelector('button.b').getAttribute('aria-label')), null, { timeout: TIMEOUT_MS });
    const snap = await site.locator('#parley-widget').ariaSnapshot();
    assert.match(snap, /button "Open chat: .*, 2 unread messages"/);
    // Opened, the count is read.
    await site.locator('#parley-widget button.b').click();
    await waitState(widget, 'nothing unread', (s) => s.unread === 0 && s.panel_open);
    assert.equal(await launcherLabel(site), 'Close chat');  // set by the click itself
    await site.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
  }
});

test('inbox, keyboard only: sign in, open from the queue, accept (focus in the composer), reply, resolve with the dialog', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const customer = await Customer.connect(relay);
  try {
    const started = await customer.request('chat.start', { name: 'Kim Keys', topic: 'Keyboard', client_msg_id: 'kk-1',
      text: 'Can you hear me?' });
    await customer.request('chat.request_human', { conversation_id: started.conversation_id });
    const cid = started.conversation_id;

    const inbox = await ctx.newPage();
    await inbox.goto(`${relay.origin}/inbox`);
    await waitState(inbox, 'the login form', (s) => s.screen === 'login');
    await waitFirstFrame(inbox);
    await waitFocus(inbox, 'the user name field', (f) => f.id === 'login-user');
    await inbox.keyboard.type(ADMIN.username);
    await inbox.keyboard.press('Tab');
    await waitFocus(inbox, 'the password field', (f) => f.id === 'login-password');
    await inbox.keyboard.type(ADMIN.password);
    await inbox.keyboard.press('Tab');
    await waitFocus(inbox, 'the Sign in button', (f) => f.name === 'Sign in');
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'the inbox with the chat waiting', (s, cid) =>
      s.screen === 'inbox' && s.connection === 'online' && s.queue.some((q) => q.id === cid), cid);

    // Tab reaches the queue (a list box: one Tab stop, arrows inside); Enter opens the chat.
    await pressUntil(inbox, inbox, 'Tab', 'the queue', (f) => f.role === 'option');
    await pressUntil(inbox, inbox, 'ArrowDown', 'the chat in the queue', (f) => f.role === 'option' && f.name.startsWith('Kim Keys'), 10);
    await inbox.keyboard.press('Enter');
    let s = await waitState(inbox, 'the chat open', (s, cid) => s.selected && s.selected.id === cid && s.selected.joined, cid);
    assert.equal(s.selected.status, 'pending');
    // Tab reaches Accept; accepting puts the focus in the composer.
    await pressUntil(inbox, inbox, 'Tab', 'Accept chat', (f) => f.name === 'Accept chat');
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'the chat accepted', (s) => s.selected && s.selected.status === 'active');
    await waitFocus(inbox, 'the composer after accepting', (f) => f.id === 'composer');
    await inbox.keyboard.type('Loud and clear.');
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'the reply stored', (s) =>
      s.selected.messages.some((m) => m.role === 'agent' && m.text === 'Loud and clear.' && !m.pending));
    // Tab from the composer reaches Send (disabled while the draft is empty).
    await inbox.keyboard.press('Tab');
    await waitFocus(inbox, 'Send', (f) => f.name === 'Send');
    await inbox.screenshot({ path: path.join(shots, 'keyboard-inbox-focus.png') });

    // Resolve: Shift+Tab back to the header's button; Enter opens the dialog with the note
    // focused; Esc cancels and the focus returns to the button.
    await pressUntil(inbox, inbox, 'Shift+Tab', 'Resolve', (f) => f.name === 'Resolve');
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'the resolve dialog', (s) => s.selected.resolve_open && s.focused_field === 'resolve-note');
    await inbox.keyboard.press('Escape');
    await waitState(inbox, 'the dialog cancelled', (s) => !s.selected.resolve_open);
    await waitFocus(inbox, 'the Resolve button again', (f) => f.name === 'Resolve');
    await inbox.keyboard.press('Enter');
    await waitState(inbox, 'the resolve dialog again', (s) => s.selected.resolve_open && s.focused_field === 'resolve-note');
    // In the dialog: Shift+Tab to the issue types (a radio group: arrows choose), Tab back to
    // the note, Tab to Cancel and Resolve, and Tab wraps inside the dialog.
    await inbox.keyboard.press('Shift+Tab');
    const radio = await waitFocus(inbox, 'an issue type', (f) => f.role === 'radio');
    await inbox.keyboard.press('ArrowRight');
    s = await waitState(inbox, 'another issue type chosen', (s, first) => s.selected.issue_type && s.selected.issue_type !== first,
      radio.checked === 'true' ? radio.name : '');
    const chosen = s.selected.issue_type;
    await waitFocus(inbox, 'the chosen type', (f) => f.role === 'radio' && f.name === chosen && f.checked === 'true');
    await inbox.keyboard.press('Tab');
    await waitFocus(inbox, 'the note', (f) => f.id === 'resolve-note');
    await inbox.keyboard.type('Checked by keyboard.');
    await inbox.keyboard.press('Tab');
    await waitFocus(inbox, 'Cancel', (f) => f.name === 'Cancel');
    await inbox.keyboard.press('Tab');
    await waitFocus(inbox, 'Resolve (in the dialog)', (f) => f.name === 'Resolve');
    await inbox.keyboard.press('Tab');
    await waitFocus(inbox, 'the dialog\'s first control (Tab wraps)', (f) => f.role === 'radio');
    await inbox.keyboard.press('Shift+Tab');
    await waitFocus(inbox, 'Resolve (Shift+Tab wraps)', (f) => f.name === 'Resolve');
    await inbox.keyboard.press('Enter');
    s = await waitState(inbox, 'the chat resolved with the chosen type', (s) => s.selected && s.selected.status === 'resolved');
    assert.equal(s.selected.issue_type, chosen);
    await inbox.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    customer.close();
    await ctx.close();
  }
});

test('widget pre-chat form, keyboard only: Name first, Tab through the fields to Start chat, then the composer', { skip }, async () => {
  requirePrerequisites(problem);
  const cookie = await staffCookie(relay, ADMIN);
  const settings = (body) => fetch(`${relay.origin}/api/v1/settings`, {
    method: 'PATCH', headers: { Cookie: cookie, Origin: relay.origin, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => assert.ok(r.ok, `PATCH /api/v1/settings: HTTP ${r.status}`));
  await settings({ prechat_form: true });
  const ctx = await browser.newContext({ viewport: DESKTOP });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await site.locator('#parley-widget button.b').waitFor({ state: 'visible' });
    await pressUntil(site, site, 'Tab', 'the launcher', (f) => /^Open chat/.test(f.name), 60);
    await site.keyboard.press('Enter');
    const widget = await widgetFrame(site);
    await waitState(widget, 'the pre-chat form', (s) => s.ready && s.prechat);
    await waitFocus(widget, 'the name field', (f) => f.id === 'prechat-name');
    await site.keyboard.type('Pat Keys');
    await site.keyboard.press('Tab');
    await waitFocus(widget, 'the email field', (f) => f.id === 'prechat-email');
    await site.keyboard.type('pat@example.org');
    await site.keyboard.press('Tab');
    await waitFocus(widget, 'the topic field', (f) => f.id === 'prechat-topic');
    await site.keyboard.press('Tab');
    await waitFocus(widget, 'Start chat', (f) => f.name === 'Start chat');
    await site.keyboard.press('Enter');
    await waitState(widget, 'the form sent', (s) => !s.prechat);
    await waitFocus(widget, 'the composer', (f) => f.id === 'composer');
    await site.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
    await settings({ prechat_form: false });
  }
});
