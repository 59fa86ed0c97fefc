// WhatsApp in the inbox (issue 11), end to end: the real relay, the Graph API stand-in
// (tools/graph_standin, a separate program on loopback) and the inbox in Chromium. A customer
// writes on WhatsApp (a signed webhook) and asks for a person; an agent accepts in the inbox and
// answers; the answer leaves through the outbox to the stand-in; Meta's statuses come back and the
// agent's message shows its ticks, in words for the screen reader too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import {
  Relay, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, staffCookie,
  screenshotDir, TIMEOUT_MS, clickControl, GRAPH_STANDIN,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true, graph: true });
const DESKTOP = { width: 1280, height: 800 };
const SAM = { username: 'sam', password: 'sam-password-1' };
const NUMBER = '1555000111', TOKEN = 'graph-token-e2e', SECRET = 'app-secret-e2e', WA_ID = '4915100077';

let relay;
let browser;
let graph;
let graphUrl;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-whatsapp-', args: ['--outbound-allow-private', 'true'] });
  await relay.start();
  relay.ctl('users', 'create', SAM.username, '--role', 'agent', '--password', SAM.password);
  graph = spawn(GRAPH_STANDIN, ['--port', '0', '--token', TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: graph.stdout });
  graphUrl = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    graph.once('exit', (code) => reject(new Error(`parley-graph-standin exited (${code})`)));
  });
  browser = await launchBrowser();
  shots = screenshotDir();
});

after(async () => {
  if (browser) await browser.close();
  if (graph) graph.kill('SIGTERM');
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
  return { status: res.status, json: await res.json().catch(() => null) };
}

// Posts a webhook body as Meta does: signed over the raw bytes with the app secret.
async function webhook(value) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001', phone_number_id: NUMBER }, ...value } }] }],
  });
  const sig = crypto.createHmac('sha256', SECRET).update(body).digest('hex');
  const res = await fetch(`${relay.origin}/webhooks/whatsapp`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${sig}` }, body,
  });
  assert.equal(res.status, 200, 'the webhook is taken');
}
const now = () => String(Math.floor(Date.now() / 1000));

async function until(what, fn) {
  const end = Date.now() + TIMEOUT_MS;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waiting for ${what} timed out`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('whatsapp: a customer asks for a person on WhatsApp; the agent answers from the inbox; the ticks follow Meta\'s statuses', { skip }, async () => {
  requirePrerequisites(problem);
  try {
    const admin = await staffCookie(relay);
    const put = await rest(admin, 'PUT', '/api/v1/channels/whatsapp', {
      phone_number_id: NUMBER, token: TOKEN, app_secret: SECRET, verify_token: 'verify-e2e', base_url: graphUrl,
    });
    assert.equal(put.status, 200, JSON.stringify(put.json));

    await webhook({ contacts: [{ profile: { name: 'Ada Okafor' }, wa_id: WA_ID }],
      messages: [{ from: WA_ID, id: 'wamid.E2E1', timestamp: now(), type: 'text', text: { body: 'Agent' } }] });
    const id = await until('the WhatsApp chat waiting in the queue', async () => {
      const r = await rest(admin, 'GET', '/api/live-chat/conversations?channel=whatsapp&status=pending');
      return r.status === 200 && r.json.conversations.length === 1 && r.json.conversations[0].id;
    });

    const cookie = await staffCookie(relay, SAM);
    const [name, value] = cookie.split('=');
    const ctx = await browser.newContext({ viewport: DESKTOP });
    await ctx.addCookies([{ name, value, url: relay.origin }]);
    const page = await ctx.newPage();
    await page.goto(`${relay.origin}/inbox`);
    await waitFirstFrame(page);
    await waitState(page, 'the chat in the queue', (s, id) => s.screen === 'inbox' && s.queue.some((q) => q.id === id), id);
    await clickControl(page, `row:${id}`);
    await waitState(page, 'the chat open and joined', (s, id) => s.selected && s.selected.id === id && s.selected.joined, id);
    await clickControl(page, 'accept_bar');
    const accepted = await waitState(page, 'accepted, composer shown', (s) => s.selected.status === 'active' && !!s.controls.send);
    // Presence is the widget's: the header never says a WhatsApp customer "left the site".
    assert.equal(accepted.selected.customer_online, null);

    const reply = 'Hello Ada, Sam here. How can I help?';
    await page.locator('#composer').fill(reply);
    await page.locator('#composer').press('Enter');
    // Out through the outbox to the stand-in: the message's state becomes "sent" (one tick), with
    // the wamid Graph gave it (the newest outbound job: the assistant's hand-off line went first).
    const shown = await waitState(page, 'one tick', (s, t) =>
      s.selected.messages.some((m) => m.text === t && m.delivery === 'sent'), reply);
    const seq = shown.selected.messages.find((m) => m.text === reply).seq;
    const wamid = await until('the reply\'s wamid', async () => {
      const r = await rest(admin, 'GET', `/api/v1/conversations/${id}/whatsapp`);
      const d = r.status === 200 ? r.json.deliveries.find((x) => x.seq === seq) : null;
      return d && d.provider_id;
    });

    // Meta's statuses: delivered, then read. The ticks follow; the mirror says it in words.
    const status = (st) => webhook({ statuses: [{ id: wamid, status: st, timestamp: now(), recipient_id: WA_ID }] });
    await status('delivered');
    await waitState(page, 'two ticks', (s, t) => s.selected.messages.some((m) => m.text === t && m.delivery === 'delivered'), reply);
    await status('read');
    await waitState(page, 'read', (s, t) => s.selected.messages.some((m) => m.text === t && m.delivery === 'read'), reply);
    await page.getByText(/Hello Ada, Sam here\. How can I help\? \(Read\)$/).first()
      .waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    await page.screenshot({ path: path.join(shots, 'inbox-whatsapp-ticks.png') });
    await ctx.close();
  } catch (e) {
    failed = true;
    throw e;
  }
});
