// End to end in headless Chromium: the relay dies mid-conversation (SIGKILL); the widget says it
// is reconnecting, keeps a message typed meanwhile, and once the relay is back on the same port
// and data directory it delivers that message exactly once: once in the widget's state, once in
// the stored transcript (parleyctl conversations transcript).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  Relay, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame,
  clickLauncher, typeInto, screenshotDir, REPO,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });

let relay;
let browser;
let failed = false;

before(async () => {
  if (problem) return;
  relay = new Relay();
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

// Customer messages with exactly this text in the stored transcript.
function storedCustomerMessages(transcript, text) {
  const lines = transcript.split('\n');
  let n = 0;
  for (let i = 0; i + 1 < lines.length; ++i) {
    if (/^\[[^\]]*\] customer(\/[^:]*)?:$/.test(lines[i]) && lines[i + 1] === `      ${text}`) ++n;
  }
  return n;
}

test('relay killed mid-conversation: reconnecting, then the queued message is delivered exactly once',
  { skip }, async () => {
    requirePrerequisites(problem);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const site = await ctx.newPage();
      await site.goto(`${relay.origin}/`);
      await clickLauncher(site);
      const widget = await widgetFrame(site);
      await waitFirstFrame(widget);
      await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');

      const first = 'What are your opening hours?';
      await typeInto(site, widget, '#composer', first);
      let s = await waitState(widget, "the assistant's answer", (s, q) =>
        s.messages.some((m) => m.text === q && m.delivery === 'stored') &&
        s.messages.some((m) => m.role === 'bot' && m.delivery === 'stored' && /Monday/.test(m.text)), first);
      const cid = s.conversation_id;
      assert.ok(cid);

      // The relay crashes.
      const killed = await relay.stop('SIGKILL');
      assert.equal(killed.signal, 'SIGKILL');
      s = await waitState(widget, 'the widget to notice (reconnecting)', (s) =>
        s.connection !== 'online' && /Reconnecting/.test(s.header.subtitle));
      assert.ok(['retrying', 'connecting'].includes(s.connection), `connection ${s.connection}`);

      // A message typed meanwhile waits in the outbox, visibly not sent.
      const offline = 'Sent while the relay was down (ref 7781)';
      await typeInto(site, widget, '#composer', offline);
      s = await waitState(widget, 'the message queued in the outbox', (s, t) =>
        s.messages.some((m) => m.text === t && m.delivery !== 'stored'), offline);
      assert.equal(s.messages.filter((m) => m.text === offline).length, 1);
      if (process.env.PARLEY_SCREENSHOTS) {
        await site.screenshot({ path: path.join(screenshotDir(), 'widget-reconnecting.png') });
      }

      // Back on the same port with the same data: the widget reconnects by itself, resumes and
      // re-sends its outbox (same client_msg_id: the relay stores it once).
      await relay.start();
      s = await waitState(widget, 'the queued message stored after the restart', (s, t) =>
        s.connection === 'online' && s.ready && s.messages.some((m) => m.text === t && m.delivery === 'stored'),
      offline, { timeout: 60_000 });
      assert.equal(s.conversation_id, cid, 'the same conversation continues');
      assert.equal(s.messages.filter((m) => m.text === offline).length, 1, 'shown once');
      assert.equal(s.messages.filter((m) => m.delivery !== 'stored').length, 0, 'outbox empty');
      const seqs = s.messages.map((m) => m.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in seq order');
      assert.equal(new Set(seqs).size, seqs.length, 'no seq twice');
      // The assistant answers the re-sent message like any other: the conversation is live.
      await waitState(widget, 'an answer after the restart', (s, t) => {
        const m = s.messages.find((x) => x.text === t);
        return s.messages.some((x) => x.role === 'bot' && x.seq > m.seq);
      }, offline);

      const transcript = relay.ctl('conversations', 'transcript', cid);
      assert.equal(storedCustomerMessages(transcript, offline), 1, `stored once:\n${transcript}`);
      assert.equal(storedCustomerMessages(transcript, first), 1, `stored once:\n${transcript}`);

      // A reload shows the same: nothing from the outbox is left to send twice.
      await site.reload();
      await clickLauncher(site);
      const again = await widgetFrame(site);
      s = await waitState(again, 'the history after a reload', (s, t) =>
        s.ready && s.messages.some((m) => m.text === t && m.delivery === 'stored'), offline);
      assert.equal(s.messages.filter((m) => m.text === offline).length, 1);
      await site.close();
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      await ctx.close();
    }
  });
