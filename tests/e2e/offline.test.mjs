// Issue 9, the offline form when nobody is online: the real demo site, loader and widget app,
// the real relay sending mail to the stand-in SMTP server (tools/smtp_standin, as a program).
// The visitor sees the offline message, fills the form with the keyboard (the fields are real
// DOM inputs, the button is in the accessibility mirror), the conversation waits in the queue;
// after the visitor left, the agent's answer arrives at the stand-in by email. Waits are for
// states, never for time.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist \
//      node --test tests/e2e/offline.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  Relay, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame,
  clickLauncher, typeInto, staffCookie, TIMEOUT_MS, REPO, RELAY_BIN,
} from './lib.mjs';

const { problem: missing, skip: skipped } = prerequisites({ ctl: true });
const STANDIN = process.env.PARLEY_SMTP_STANDIN_BIN ||
  (RELAY_BIN ? path.join(path.dirname(RELAY_BIN), '../tools/parley-smtp-standin') : '');
const problem = missing || (STANDIN && fs.existsSync(STANDIN) ? null : `no stand-in SMTP server at ${STANDIN}`);
const skip = skipped || (problem && !/^(true|1|yes)$/i.test(process.env.CI || '') ? `browser e2e prerequisites missing: ${problem}` : false);
const nodeRequire = createRequire(path.join(REPO, 'tests/node/package.json'));

let relay;
let browser;
let smtp;
let mailsPath;
let failed = false;

// Polls a condition on files the stand-in writes (a state check, not a sleep for timing).
async function until(what, pred) {
  const end = Date.now() + TIMEOUT_MS;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

before(async () => {
  if (problem) return;
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'parley-e2e-smtp-'));
  const portFile = path.join(dir, 'port');
  mailsPath = path.join(dir, 'mails.jsonl');
  smtp = spawn(STANDIN, ['--port-file', portFile, '--out', mailsPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await until('the stand-in SMTP port', () => fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim());
  relay = new Relay({
    prefix: 'parley-e2e-offline-',
    args: ['--smtp-host', '127.0.0.1', '--smtp-port', port, '--smtp-from', 'help@parley.test', '--mail-backoff', '0.05'],
  });
  await relay.start();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (relay) {
    await relay.stop();
    relay.cleanup(failed);
  }
  if (smtp) smtp.kill('SIGTERM');
});

test('offline form: nobody online -> leave a message by keyboard; the answer arrives by email', { skip }, async () => {
  requirePrerequisites(problem);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    // The assistant answers first; asking for a person while nobody is online brings the form.
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await typeInto(site, widget, '#composer', 'I want to talk to a person');
    const s0 = await waitState(widget, 'the offline form', (s) => s.offline && s.offline.shown);
    assert.equal(s0.offline.available, false);
    assert.ok(s0.offline.message.length > 0, 'the offline message is shown');
    // The controls are reachable by screen readers: heading, fields, button.
    await widget.getByRole('button', { name: 'Send message' }).waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    assert.equal(await widget.getByRole('heading', { name: 'Leave a message' }).count(), 1);

    // A bad address stays in the form with a sentence.
    await typeInto(site, widget, '#offline-email', 'ada@', { enter: true });  // Enter moves to the message
    await site.keyboard.type('My parcel 77 never arrived');
    await site.keyboard.press('Enter');
    await waitState(widget, 'the email error', (s) => s.offline.error === 'Please enter a valid email address.');
    // Fixed with the keyboard, sent with Enter.
    await widget.locator('#offline-email').click();
    await site.keyboard.press('End');
    await site.keyboard.type('example.com');
    await site.keyboard.press('Enter');
    await site.keyboard.press('Enter');  // in the message field: send
    const sent = await waitState(widget, 'the confirmation', (s) => s.offline.state === 'sent' && s.conversation_id);
    assert.equal(sent.offline.confirmation, 'Thanks! We will answer at ada@example.com.');
    const cid = sent.conversation_id;
    await waitState(widget, 'waiting in the queue', (s) => s.status === 'pending');

    // The visitor leaves; in the morning an agent answers.
    await ctx.close();
    const WebSocket = nodeRequire('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/ws/inbox`,
      { origin: relay.origin, headers: { Cookie: await staffCookie(relay) } });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const acks = new Map();
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString('utf8'));
      if ((f.type === 'ack' || f.type === 'error') && acks.has(f.re)) acks.get(f.re)(f);
    });
    let n = 0;
    const request = (type, fields) => new Promise((resolve) => {
      const id = `s${++n}`;
      acks.set(id, resolve);
      ws.send(JSON.stringify({ v: 1, type, id, ...fields }));
    });
    const acc = await request('chat.accept', { conversation_id: cid });
    assert.equal(acc.type, 'ack', JSON.stringify(acc));
    const joined = await request('chat.join', { conversation_id: cid, after_seq: 0 });
    assert.equal(joined.type, 'ack');
    if (joined.data.customer_online) {
      // The page's sockets close asynchronously: wait for the relay to see the customer leave.
      await new Promise((resolve) => ws.on('message', (d) => {
        const f = JSON.parse(d.toString('utf8'));
        if (f.type === 'chat.customer_presence' && f.conversation_id === cid && f.data.online === false) resolve();
      }));
    }
    const reply = await request('chat.send_message', { conversation_id: cid, client_msg_id: 'r1',
      text: 'Hello Ada, a new parcel is on its way.' });
    assert.equal(reply.type, 'ack', JSON.stringify(reply));
    const mail = await until('the answer at the stand-in', () => {
      if (!fs.existsSync(mailsPath)) return null;
      const lines = fs.readFileSync(mailsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      return lines.find((m) => m.to.includes('ada@example.com'));
    });
    assert.ok(mail.body.includes('Hello Ada, a new parcel is on its way.'));
    assert.equal(mail.from, 'help@parley.test');
    ws.close(1000);
  } catch (e) {
    failed = true;
    throw e;
  }
});
