// Shared helpers of the end-to-end tests (tests/e2e/*.test.mjs) and the browser measurements
// (tools/bench_web.mjs): the real relay serving the real WebAssembly apps (build-wasm/dist),
// driven in headless Chromium through playwright-core (installed in tests/node/node_modules).
//
// Environment:
//   PARLEY_RELAY_BIN   parley-relay binary (required)
//   PARLEY_CTL_BIN     parleyctl binary (transcripts, tenant settings)
//   PARLEY_WEB_DIST    the assembled web folder (default: <repo>/build-wasm/dist)
//   PARLEY_CHROMIUM    browser binary (default /usr/bin/chromium)
//   PARLEY_SCREENSHOTS folder for the screenshots the journey takes (default: a new temporary
//                      folder, kept, printed at the end; CTest sets <build>/tests/e2e/screenshots)
//   PARLEY_IT_KEEP=1   keep the relay's temporary folder (logs, database) even on success
//   CI=true            a missing prerequisite (browser, web build, relay) fails instead of skipping
//
// Waits are for states (a port file, window.parley.state(), a frame) with generous deadlines;
// nothing sleeps and nothing asserts on time.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
const nodeRequire = createRequire(path.join(REPO, 'tests/node/package.json'));

export const RELAY_BIN = process.env.PARLEY_RELAY_BIN || '';
export const CTL_BIN = process.env.PARLEY_CTL_BIN || '';
export const GRAPH_STANDIN = process.env.PARLEY_GRAPH_STANDIN || '';  // tools/graph_standin (the Graph API)
export const WEB_DIST = process.env.PARLEY_WEB_DIST || path.join(REPO, 'build-wasm/dist');
export const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
export const CI = /^(true|1|yes)$/i.test(process.env.CI || '');
export const ADMIN = { username: 'admin', password: 'admin-password-1' };
export const TIMEOUT_MS = 30_000;  // generous: SwiftShader on 2 shared cores

// Exactly the flags of /work/shared/TOOLCHAIN.md (software WebGL, no background traffic).
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader',
  '--use-gl=angle', '--use-angle=swiftshader'];

// What is missing to run browser tests, or null. Under CI the tests fail with this message;
// elsewhere they are skipped with it.
export function missingPrerequisite({ ctl = false, graph = false } = {}) {
  if (!RELAY_BIN || !fs.existsSync(RELAY_BIN)) {
    return `PARLEY_RELAY_BIN is not set or does not exist (${RELAY_BIN || 'unset'}): build parley-relay first`;
  }
  if (ctl && (!CTL_BIN || !fs.existsSync(CTL_BIN))) {
    return `PARLEY_CTL_BIN is not set or does not exist (${CTL_BIN || 'unset'}): build parleyctl first`;
  }
  if (graph && (!GRAPH_STANDIN || !fs.existsSync(GRAPH_STANDIN))) {
    return `PARLEY_GRAPH_STANDIN is not set or does not exist (${GRAPH_STANDIN || 'unset'}): build parley-graph-standin first`;
  }
  for (const page of ['index.html', 'widget.html', 'inbox.html', 'widget.js']) {
    if (!fs.existsSync(path.join(WEB_DIST, page))) {
      return `the web build is missing: ${path.join(WEB_DIST, page)} does not exist ` +
        `(build the WebAssembly tree first: make wasm, or set PARLEY_WEB_DIST)`;
    }
  }
  if (!fs.existsSync(CHROMIUM)) return `no browser at ${CHROMIUM} (tools/setup.sh --browser installs chromium)`;
  try {
    nodeRequire.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed in tests/node/node_modules (tools/setup.sh --browser runs npm ci)';
  }
  return null;
}

// { skip, problem }: pass `skip` to test(); call `requirePrerequisites(problem)` first in the test
// body (throws under CI, where `skip` is false).
export function prerequisites(opts) {
  const problem = missingPrerequisite(opts);
  // CTest's SKIP_REGULAR_EXPRESSION (tests/e2e/CMakeLists.txt) matches this wording.
  return { problem, skip: problem && !CI ? `browser e2e prerequisites missing: ${problem}` : false };
}
export function requirePrerequisites(problem) {
  if (problem) throw new Error(`browser end-to-end tests cannot run: ${problem}`);
}

export function playwright() {
  return nodeRequire('playwright-core');
}

export async function launchBrowser() {
  const { chromium } = playwright();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

// ---- the relay process -----------------------------------------------------------------------

export class Relay {
  // A new temporary folder with a data directory. `args`: extra relay flags.
  constructor({ args = [], prefix = 'parley-e2e-' } = {}) {
    this.args = args;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dataDir = path.join(this.dir, 'data');
    fs.mkdirSync(this.dataDir);
    this.db = path.join(this.dataDir, 'parley.db');
    this.port = 0;
    this.proc = null;
    this.starts = 0;
  }

  ctl(...args) {
    return execFileSync(CTL_BIN, ['--db', this.db, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  // Starts the relay: on port 0 the first time, then on the same port (restart after a stop/kill).
  async start() {
    const portFile = path.join(this.dir, 'port');
    fs.rmSync(portFile, { force: true });
    this.stderrPath = path.join(this.dir, `relay.${++this.starts}.stderr`);
    const stderr = fs.openSync(this.stderrPath, 'a');
    this.proc = spawn(RELAY_BIN, ['--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir,
      '--web-dir', WEB_DIST, '--port-file', portFile, ...this.args], {
      env: { ...process.env, PARLEY_FAST_HASH: '1', PARLEY_ADMIN_USER: ADMIN.username,
        PARLEY_ADMIN_PASSWORD: ADMIN.password },
      stdio: ['ignore', 'ignore', stderr],
    });
    fs.closeSync(stderr);
    const proc = this.proc;
    proc.exited = false;
    proc.exitInfo = new Promise((resolve) => proc.on('exit', (code, signal) => {
      proc.exited = true;
      resolve({ code, signal });
    }));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exited) throw new Error(`relay exited during start-up:\n${this.stderrText()}`);
      const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8').trim() : '';
      if (/^\d+$/.test(text)) {
        this.port = Number(text);
        this.origin = `http://127.0.0.1:${this.port}`;
        return this;
      }
      if (Date.now() > deadline) throw new Error(`no port file in time:\n${this.stderrText()}`);
      await delay(10);  // polling a file: a state check, not synchronisation by sleeping
    }
  }

  // SIGTERM (graceful) or SIGKILL (crash); resolves with {code, signal} once the process is gone.
  async stop(signal = 'SIGTERM') {
    const proc = this.proc;
    if (!proc) return null;
    this.proc = null;
    if (!proc.exited) proc.kill(signal);
    const timer = new AbortController();  // the deadline must not keep Node's event loop alive
    const result = await Promise.race([proc.exitInfo,
      delay(20_000, null, { signal: timer.signal }).catch(() => null)]);
    timer.abort();
    if (!result) {
      proc.kill('SIGKILL');
      return proc.exitInfo;
    }
    return result;
  }

  stderrText() {
    let text = '';
    for (let i = 1; i <= this.starts; ++i) {
      try {
        text += `--- relay start ${i} ---\n${fs.readFileSync(path.join(this.dir, `relay.${i}.stderr`), 'utf8').slice(-4000)}`;
      } catch { /* not written */ }
    }
    return text;
  }

  cleanup(keep) {
    if (keep || process.env.PARLEY_IT_KEEP === '1') {
      console.error(`relay folder kept: ${this.dir}`);
      if (keep) console.error(this.stderrText());
    } else {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

// ---- pages ------------------------------------------------------------------------------------

// window.parley.state() of a page or frame, or null before the app has started.
export function state(target) {
  return target.evaluate(() => (window.parley && window.parley.state ? window.parley.state() : null));
}

// Waits until `pred(state)` holds in the page or frame and returns that state. `pred` runs in the
// browser (it is serialised: use `arg` for values). On timeout the error shows the last state.
export async function waitState(target, what, pred, arg, { timeout = TIMEOUT_MS, polling = 100 } = {}) {
  // The pages' Content-Security-Policy forbids eval in the page, so the predicate is composed
  // here (Node) into one function that Playwright sends as a function.
  // eslint-disable-next-line no-new-func
  const check = new Function('arg', 'const s = window.parley && window.parley.state ? window.parley.state() : null;\n' +
    `return s && (${pred.toString()})(s, arg) ? s : false;`);
  try {
    const handle = await target.waitForFunction(check, arg, { timeout, polling });
    return handle.jsonValue();
  } catch (e) {
    let last = null;
    try { last = await state(target); } catch { /* page gone */ }
    const text = JSON.stringify(last, null, 1) ?? 'null';
    throw new Error(`waiting for ${what} failed; last state:\n${text.slice(0, 4000)}\n(${e.message.split('\n')[0]})`);
  }
}

// The app drew its first frame (app_shell.cpp marks <html class="parley-ready">).
// The centre of a control's [x, y, w, h] box, as the app reports it in state().controls.
export const centre = ([x, y, w, h]) => ({ x: x + w / 2, y: y + h / 2 });

// Clicks the control `name` of an inbox or widget page once it is drawn; returns the state seen.
export async function clickControl(page, name) {
  const s = await waitState(page, `the control ${name} drawn`, (s, n) => !!(s.controls && s.controls[n]), name);
  const p = centre(s.controls[name]);
  await page.mouse.click(p.x, p.y);
  return s;
}

// Clicks an idempotent control until `pred` holds (at most three times): a click that lands while
// the focus leaves a DOM field, or between two frames of a loaded machine, is not lost.
export async function clickUntil(page, name, what, pred, arg) {
  for (let attempt = 1; ; ++attempt) {
    await clickControl(page, name);
    try {
      return await waitState(page, what, pred, arg, { timeout: attempt < 3 ? 5_000 : undefined });
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

export async function waitFirstFrame(target, timeout = TIMEOUT_MS) {
  await target.waitForFunction(() => document.documentElement.classList.contains('parley-ready'), null,
    { timeout, polling: 'raf' });
}

// The widget's iframe in the demo page (created by widget.js on the first launcher click).
export async function widgetFrame(page, timeout = TIMEOUT_MS) {
  const handle = await page.waitForSelector('#parley-widget >> iframe', { state: 'attached', timeout });
  const frame = await handle.contentFrame();
  await frame.waitForFunction(() => !!(window.parley && window.parley.state), null, { timeout });
  return frame;
}

export async function clickLauncher(page) {
  await page.locator('#parley-widget button.b').click();
}

// Types into a DOM field the app placed over its canvas (real focus + keyboard). The field must
// be visible (placed) first.
export async function typeInto(page, frame, selector, text, { enter = true } = {}) {
  const field = frame.locator(selector);
  await field.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  await field.click();
  await page.keyboard.type(text);
  if (enter) await page.keyboard.press('Enter');
}

// ---- relay access from Node (fixtures and fillers, not the system under test) ---------------

export async function staffCookie(relay, { username, password } = ADMIN) {
  const res = await fetch(`${relay.origin}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: relay.origin },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
  const cookies = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie()
    : [res.headers.get('set-cookie') ?? ''];
  const session = cookies.find((c) => c.startsWith('parley_session='));
  if (!session) throw new Error('no parley_session cookie');
  return session.split(';')[0];
}

// A customer socket (Node's ws) that says hello and can start chats: used to put other visitors'
// chats in the queue (screenshots, the 5,000-conversation measurement).
export class Customer {
  static async connect(relay) {
    const WebSocket = nodeRequire('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/ws`, { origin: relay.origin });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const c = new Customer(ws);
    await c.request('hello', { tenant: 'default' });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.waiting = new Map();
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString('utf8'));
      if ((f.type === 'ack' || f.type === 'error') && this.waiting.has(f.re)) {
        const w = this.waiting.get(f.re);
        this.waiting.delete(f.re);
        if (f.type === 'ack') w.resolve(f.data);
        else w.reject(new Error(`${w.type} refused: ${JSON.stringify(f)}`));
      }
    });
    ws.on('close', () => {
      for (const w of this.waiting.values()) w.reject(new Error('customer socket closed'));
      this.waiting.clear();
    });
  }

  request(type, fields = {}) {
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, type });
      this.ws.send(JSON.stringify({ v: 1, type, id, ...fields }));
    });
  }

  // Asks for a person, unless the assistant already handed the chat to people by its own rules
  // (several unanswered turns, an emergency, ...): either way the chat then waits for staff.
  async requestHuman(conversationId) {
    try {
      await this.request('chat.request_human', { conversation_id: conversationId });
    } catch (e) {
      if (!/only bot conversations are handed off \(conversation is (pending|active)\)/.test(e.message)) throw e;
    }
  }

  close() {
    this.ws.close(1000);
  }
}

// A staff socket (Node's ws on /ws/inbox with a session cookie): requests with acks, and every
// frame kept for waiting on. An open one also makes the tenant's staff "online", so the widget
// offers its composer rather than the offline form (docs/protocol.md "Offline messages and mail").
export class Staff {
  static async connect(relay, creds = ADMIN) {
    const WebSocket = nodeRequire('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/ws/inbox`,
      { origin: relay.origin, headers: { Cookie: await staffCookie(relay, creds) } });
    const s = new Staff(ws);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    await s.request('hello', {});
    return s;
  }
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    this.next = 1;
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString('utf8'));
      this.frames.push(f);
      for (const w of [...this.waiters]) if (w.pred(f)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(f); }
    });
  }
  // The first frame (already received or to come) for which pred holds.
  frame(what, pred) {
    const had = this.frames.find(pred);
    if (had) return Promise.resolve(had);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => { if (this.waiters.includes(w)) reject(new Error(`staff: no ${what}`)); }, TIMEOUT_MS).unref();
    });
  }
  async request(type, fields) {
    const id = `s${this.next++}`;
    this.ws.send(JSON.stringify({ v: 1, type, id, ...fields }));
    const f = await this.frame(`answer to ${type}`, (f) => (f.type === 'ack' || f.type === 'error') && f.re === id);
    if (f.type === 'error') throw new Error(`${type} refused: ${JSON.stringify(f)}`);
    return f.data;
  }
  close() { this.ws.close(1000); }
}

// PARLEY_SCREENSHOTS, or a new temporary folder that is kept (its path is printed by the tests).
let defaultShots = null;
export function screenshotDir() {
  if (process.env.PARLEY_SCREENSHOTS) {
    fs.mkdirSync(process.env.PARLEY_SCREENSHOTS, { recursive: true });
    return process.env.PARLEY_SCREENSHOTS;
  }
  defaultShots ??= fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-screenshots-'));
  return defaultShots;
}
