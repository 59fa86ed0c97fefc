// Issue 10, streaming into the widget: a tenant with an OpenAI-compatible provider (tools/llm_standin
// on loopback, scripted to stream slowly), the real demo site, loader and widget app. While the
// reply streams the widget draws it as the assistant's bubble (state().reply_draft, and a text node
// "<assistant> is writing: ..." in the accessibility mirror); the committed message then replaces
// it, once. Waits are for states, never for time.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist \
//      node --test tests/e2e/llm_draft.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  Relay, Staff, CTL_BIN, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame,
  clickLauncher, typeInto, staffCookie, TIMEOUT_MS,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
let relay;
let browser;
let standin;
let standinPort = 0;
let failed = false;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-llm-', args: ['--outbound-allow-private', 'true'] });
  const portFile = path.join(relay.dir, 'llm.port');
  standin = spawn(path.join(path.dirname(CTL_BIN), 'llm_standin'), ['--port-file', portFile], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(portFile)) {
    if (Date.now() > deadline) throw new Error('llm_standin wrote no port file');
    await delay(10);  // polling a file: a state check
  }
  standinPort = Number(fs.readFileSync(portFile, 'utf8').trim());
  await relay.start();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (standin) standin.kill('SIGKILL');
  if (relay) {
    await relay.stop();
    relay.cleanup(failed);
  }
});

async function rest(origin, method, target, cookie, body) {
  const res = await fetch(`${origin}${target}`, {
    method,
    headers: { 'Content-Type': 'application/json', Origin: relay.origin, ...(cookie ? { Cookie: cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

test('llm streaming: the widget draws the draft while it streams, then the committed message replaces it', { skip }, async () => {
  requirePrerequisites(problem);
  const staff = await Staff.connect(relay);
  const cookie = await staffCookie(relay);
  const set = await rest(relay.origin, 'PUT', '/api/v1/assistant/provider', cookie,
    { provider: 'openai', base_url: `http://127.0.0.1:${standinPort}`, model: 'standin-model' });
  assert.equal(set.status, 200, JSON.stringify(set.json));
  const answer = 'Our team is available Monday to Friday, from nine in the morning to six in the evening.';
  // About 15 chunks, 200 ms apart: the draft is on screen for seconds.
  const scripted = await rest(`http://127.0.0.1:${standinPort}`, 'POST', '/_script', null,
    { steps: [{ text: answer, chunk_delay_ms: 200 }] });
  assert.equal(scripted.status, 200);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const site = await ctx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    await typeInto(site, widget, '#composer', 'When are you open?');
    const drafting = await waitState(widget, 'a streamed draft', (s) => s.reply_draft && s.reply_draft.length > 0);
    assert.ok(answer.startsWith(drafting.reply_draft), drafting.reply_draft);
    assert.ok(!drafting.messages.some((m) => m.text === answer), 'the answer is not committed yet');
    // The draft is in the accessibility mirror, as its text.
    await widget.getByText(/is writing: Our/).first().waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    const done = await waitState(widget, 'the committed answer', (s, a) => s.messages.some((m) => m.text === a), answer);
    assert.equal(done.reply_draft, '');
    assert.equal(done.messages.filter((m) => m.role === 'bot' && m.text === answer).length, 1);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await ctx.close();
    staff.close();
  }
});
