// Issue 9, the inbox's tickets UI end to end in headless Chromium against the real relay: a
// customer (a Node socket) had an earlier chat, resolved; their new chat waits. The admin opens it
// in the inbox, opens "Customer" (the earlier conversation is listed, with its CSAT-less status),
// converts the chat to a ticket (title typed, priority by mouse, Enter) and sees its id; blocks the
// visitor (reason typed, a confirm step): the customer's next message is refused as blocked. The
// earlier conversation opens read-only from the panel. In the Tickets area the new ticket is
// listed; opened, its status changes to solved (the REST agrees); the Blocked tab lists the block
// and Lift (by keyboard) lifts it: the customer writes again. The Agents tab shows the admin's
// workload. Waits are for states, never for time; controls are clicked by name.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist node --test tests/e2e/tickets_ui.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Relay, Customer, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, typeInto,
  staffCookie, screenshotDir, TIMEOUT_MS, centre, clickControl, clickUntil,
} from './lib.mjs';

const { problem, skip } = prerequisites();
const DESKTOP = { width: 1280, height: 800 };

let relay;
let browser;
let failed = false;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-tickets-ui-' });
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

async function rest(cookie, method, url, body) {
  const res = await fetch(`${relay.origin}${url}`, {
    method, headers: { cookie, origin: relay.origin, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const blur = (page) => page.evaluate(() => document.activeElement && document.activeElement.blur());

test('tickets UI: convert, customer context, block and lift, tickets list and status', { skip }, async () => {
  requirePrerequisites(problem);
  const admin = await staffCookie(relay);
  // The customer's earlier chat, resolved by staff; then a new one that waits for a person.
  const cust = await Customer.connect(relay);
  const first = await cust.request('chat.start', { name: 'Rita Moreno', client_msg_id: 'tu-0', text: 'Where is my invoice?' });
  const c1 = first.conversation_id;
  await cust.requestHuman(c1);
  assert.equal((await rest(admin, 'POST', `/api/v1/conversations/${c1}/accept`)).status, 200);
  assert.equal((await rest(admin, 'POST', `/api/v1/conversations/${c1}/resolve`, { resolution: 'Invoice re-sent' })).status, 200);
  const second = await cust.request('chat.start', { name: 'Rita Moreno', client_msg_id: 'tu-1', text: 'My parcel never arrived' });
  const c2 = second.conversation_id;
  assert.notEqual(c2, c1);
  await cust.requestHuman(c2);

  const [cname, cvalue] = admin.split('=');
  const ctx = await browser.newContext({ viewport: DESKTOP });
  await ctx.addCookies([{ name: cname, value: cvalue, url: relay.origin }]);
  const page = await ctx.newPage();
  try {
    // The accessible name of the focused element (a mirror node's aria-label, else its text).
    await page.addInitScript(() => {
      window.focusedName = () => {
        const el = document.activeElement;
        return el ? (el.getAttribute('aria-label') || el.textContent || '').trim() : '';
      };
    });
    await page.goto(`${relay.origin}/inbox`);
    await waitFirstFrame(page);
    await waitState(page, 'the inbox online', (s) => s.screen === 'inbox' && s.connection === 'online');

    // Open the waiting chat, then its Customer panel: the earlier conversation is listed.
    await clickUntil(page, `row:${c2}`, 'the chat open', (s, id) => s.selected && s.selected.id === id, c2);
    await clickUntil(page, 'open_customer', 'the customer panel', (s) => s.customer.open);
    let s = await waitState(page, 'the context with the earlier chat', (s, id) => s.customer.loaded &&
      s.customer.previous.some((p) => p.id === id && p.status === 'resolved'), c1);
    assert.equal(s.customer.name, 'Rita Moreno');
    assert.equal(s.customer.blocked, false);
    await page.getByRole('dialog', { name: 'Customer' }).waitFor({ state: 'attached', timeout: TIMEOUT_MS });

    // Convert to ticket: the title is prefilled; typed over, priority by mouse, Enter submits.
    await clickUntil(page, 'convert_ticket', 'the convert form', (s) => s.customer.form === 'convert');
    const title = page.locator('#ticket-title');
    await title.waitFor({ state: 'visible' });
    assert.equal(await title.inputValue(), 'Chat with Rita Moreno');
    await blur(page);
    await clickUntil(page, 'ticket_form_priority:high', 'priority high', (s) => s.customer.priority === 'high');
    await title.fill('Lost parcel');
    await title.press('Enter');
    s = await waitState(page, 'the ticket made', (s) => s.customer.ticket_id && s.customer.form === 'none' &&
      !s.customer.status_error);
    const ticketId = s.customer.ticket_id;
    assert.match(s.customer.status, /^Ticket tk_.+ created\.$/);
    const made = await rest(admin, 'GET', `/api/v1/tickets/${ticketId}`);
    assert.equal(made.status, 200);
    assert.deepEqual([made.json.title, made.json.priority, made.json.conversation_id], ['Lost parcel', 'high', c2]);
    // The panel now offers the ticket, not a second conversion.
    await waitState(page, 'the ticket button', (s, id) => !!s.controls.open_own_ticket && !s.controls.convert_ticket, ticketId);
    await page.screenshot({ path: `${screenshotDir()}/tickets-ui-customer.png` });
    // The transcript has the system line (the event chat.ticket_created), in the mirror too.
    await page.waitForFunction((want) => {
      for (const el of document.querySelectorAll('#parley-a11y *')) {
        if ((el.getAttribute('aria-label') || el.textContent || '').includes(want)) return true;
      }
      return false;
    }, `Ticket ${ticketId} created by Administrator`, { timeout: TIMEOUT_MS });

    // Block the visitor: reason typed, Enter, then the confirm step.
    await clickUntil(page, 'block_visitor', 'the block form', (s) => s.customer.form === 'block');
    const reason = page.locator('#block-reason');
    await reason.waitFor({ state: 'visible' });
    await reason.fill('abusive language');
    await reason.press('Enter');
    await waitState(page, 'the confirm step', (s) => s.customer.form === 'confirm_block');
    await page.getByText(/^Block Rita Moreno until lifted\?/).first().waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    await clickUntil(page, 'block_confirm_yes', 'blocked', (s) => s.customer.blocked && s.customer.form === 'none');
    await assert.rejects(cust.request('chat.send_message', { conversation_id: c2, client_msg_id: 'tu-2', text: 'you are useless' }),
      /"code":"blocked"/);

    // Esc closes the panel (the keyboard goes back to the Customer button); opened again by mouse.
    await blur(page);
    await page.keyboard.press('Escape');
    await waitState(page, 'the panel closed', (s) => !s.customer.open);
    await page.waitForFunction((name) => focusedName() === name, 'Customer', { timeout: TIMEOUT_MS });
    await clickUntil(page, 'open_customer', 'the customer panel again', (s) => s.customer.open && s.customer.loaded);

    // The earlier conversation opens read-only from the panel.
    await clickUntil(page, `prev:${c1}`, 'the earlier chat open', (s, id) => !s.customer.open && s.selected &&
      s.selected.id === id && s.selected.joined, c1);
    s = await waitState(page, 'its transcript', (s) => s.selected.messages.some((m) => m.text === 'Where is my invoice?'));
    assert.equal(await page.locator('#composer').isVisible(), false, 'no composer on a resolved chat');

    // The Tickets area, by keyboard (the top bar's button, Enter): the keyboard moves into the card;
    // the new ticket is listed; opened, it is solved.
    const ticketsButton = page.getByRole('button', { name: 'Tickets', exact: true });
    await ticketsButton.waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    await ticketsButton.focus();
    await page.keyboard.press('Enter');
    await waitState(page, 'the tickets area', (s) => s.tickets_ui.open);
    await page.waitForFunction((name) => focusedName() === name, 'Close', { timeout: TIMEOUT_MS }).catch(async () => {
      throw new Error(`the keyboard is not on the card's Close button but on "${await page.evaluate(focusedName)}"`);
    });
    await waitState(page, 'the ticket listed', (s, id) => s.tickets_ui.tickets_loaded &&
      s.tickets_ui.tickets.some((t) => t.id === id && t.status === 'open' && t.priority === 'high'), ticketId);
    await clickUntil(page, 'tickets_priority:urgent', 'filtered to urgent', (s) => s.tickets_ui.priority_filter === 'urgent' &&
      s.tickets_ui.tickets.length === 0);
    await clickUntil(page, 'tickets_priority:any', 'any priority', (s) => s.tickets_ui.priority_filter === '');
    await clickUntil(page, `ticket:${ticketId}`, 'the ticket open', (s, id) => s.tickets_ui.ticket &&
      s.tickets_ui.ticket.id === id && s.tickets_ui.ticket.lines >= 1, ticketId);
    await clickUntil(page, 'ticket_status:solved', 'solved', (s) => s.tickets_ui.ticket.status === 'solved' &&
      s.tickets_ui.status === 'Ticket solved.');
    assert.equal((await rest(admin, 'GET', `/api/v1/tickets/${ticketId}`)).json.status, 'solved');
    await page.screenshot({ path: `${screenshotDir()}/tickets-ui-ticket.png` });
    // A solved ticket cannot go to pending: that chip is disabled in the mirror.
    const pending = page.getByRole('radiogroup', { name: 'Ticket status' }).getByRole('radio', { name: 'Pending' });
    await pending.waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    assert.equal(await pending.getAttribute('aria-disabled'), 'true');

    // Blocked: listed; Lift by keyboard (the mirror's button, Enter).
    await clickUntil(page, 'tickets_tabs:blocked', 'the blocked tab', (s) => s.tickets_ui.tab === 'blocked' &&
      s.tickets_ui.blocks_loaded && s.tickets_ui.blocks.length === 1);
    const lift = page.getByRole('button', { name: 'Lift', exact: true });
    await lift.waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    await lift.focus();
    await page.keyboard.press('Enter');
    await waitState(page, 'lifted', (s) => s.tickets_ui.blocks.length === 0 &&
      s.tickets_ui.status === 'Block lifted: the visitor can write again.');
    await cust.request('chat.send_message', { conversation_id: c2, client_msg_id: 'tu-3', text: 'Sorry about that' });

    // Agents: the admin's own row with their workload (the chat of c2 is not theirs: nobody accepted it).
    await clickUntil(page, 'tickets_tabs:agents', 'the agents tab', (s) => s.tickets_ui.tab === 'agents' &&
      s.tickets_ui.agents.some((a) => a.name === 'Administrator' && a.loaded && a.status === 'online' && a.capacity > 0));
    await page.screenshot({ path: `${screenshotDir()}/tickets-ui-agents.png` });

    // Esc closes the card; the keyboard is back on the top bar's Tickets button.
    await blur(page);
    await page.keyboard.press('Escape');
    await waitState(page, 'the card closed', (s) => !s.tickets_ui.open);
    await page.waitForFunction((name) => focusedName() === name, 'Tickets', { timeout: TIMEOUT_MS });
  } catch (e) {
    failed = true;
    await page.screenshot({ path: `${screenshotDir()}/tickets-ui-failure.png` }).catch(() => {});
    throw e;
  } finally {
    await ctx.close();
    cust.close();
  }
});
