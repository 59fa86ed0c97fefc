// End to end in headless Chromium: the inbox shows a queue longer than one page. inbox.snapshot
// carries the first 200 items of each list; the app fetches the rest with inbox.list
// (docs/protocol.md). 260 chats wait (started by Node WebSocket clients, assistant off); the
// agent logs in through the form and the app's state must list all of them, in queue order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Relay, Customer, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, typeInto, ADMIN,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const WAITING = 260;

let relay;
let browser;
let failed = false;

before(async () => {
  if (problem) return;
  relay = new Relay({ args: ['--rate', '100000', '--burst', '100000'] });
  relay.ctl('tenant', 'set', 'assistant_enabled', 'false');  // chats wait for a person at once
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

// The snapshot arrives before the hello ack, when the session may not send yet: the inbox must
// still go on to fetch every further page (it asks again once hello is acknowledged).
test(`inbox lists all ${WAITING} waiting chats (snapshot page + inbox.list pages)`,
  { skip }, async () => {
    requirePrerequisites(problem);
    const customers = await Promise.all(Array.from({ length: 4 }, () => Customer.connect(relay)));
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      let n = 0;
      await Promise.all(customers.map(async (c) => {
        while (n < WAITING) {
          const i = n++;
          await c.request('chat.start', { name: `Waiting ${i + 1}`, client_msg_id: `p${i}`, text: `Question ${i + 1}` });
        }
      }));
      const inbox = await ctx.newPage();
      await inbox.goto(`${relay.origin}/inbox`);
      await waitState(inbox, 'the login form', (s) => s.screen === 'login');
      await waitFirstFrame(inbox);
      await typeInto(inbox, inbox, '#login-user', ADMIN.username, { enter: false });
      await typeInto(inbox, inbox, '#login-password', ADMIN.password);
      const s = await waitState(inbox, `all ${WAITING} chats in the queue`, (s, n) =>
        s.screen === 'inbox' && s.counts.waiting === n && s.queue.length === n, WAITING);
      assert.equal(new Set(s.queue.map((q) => q.id)).size, WAITING, 'each chat once');
      // Same priority: longest waiting first, i.e. the order they were started in per socket.
      const waits = s.queue.map((q) => q.waiting_s);
      assert.deepEqual(waits, [...waits].sort((a, b) => b - a), 'longest waiting first');
      await inbox.close();
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      for (const c of customers) c.close();
      await ctx.close();
    }
  });
