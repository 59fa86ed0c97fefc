#!/usr/bin/env node
// tools/bench_web.mjs: measurements of the browser apps (run by `make bench-web`, part of
// `make bench`). Measurements, not tests: nothing here passes or fails on a number.
//
//   (a) download sizes: tools/web_sizes.sh on the web build
//   (b) launcher click -> first frame of the widget, headless Chromium on loopback: 5 runs with an
//       empty HTTP cache (a new browser context each) and 5 with a warm cache (reload); median.
//       "First frame" = the app's first drawn frame (client/common/app_shell.cpp adds the class
//       parley-ready to <html> right after it); "ready" = hello acknowledged (state().ready).
//   (c) inbox frame time with 5,000 waiting conversations (and with 20, for comparison): the
//       inbox is idle when nothing changes (draw on change), so frames are caused by scrolling
//       the queue with the mouse wheel, one wheel event per animation frame for 240 frames. Per
//       frame: the main loop's requestAnimationFrame callback time (JS + WebAssembly + WebGL
//       calls on the main thread), and the interval between frames (includes SwiftShader's
//       rasterising in the GPU process: what the user sees). Median and p95.
//
// Environment: BUILD (native build folder, default build), WASM_BUILD (default build-wasm), or
// PARLEY_RELAY_BIN / PARLEY_CTL_BIN / PARLEY_WEB_DIST directly. Options: --out FILE (replace the
// "Browser apps" section of FILE, e.g. docs/benchmarks.md), --conversations N (default 5000),
// --runs N (default 5).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = path.resolve(repo, process.env.BUILD || 'build');
process.env.PARLEY_RELAY_BIN ||= path.join(build, 'relay/parley-relay');
process.env.PARLEY_CTL_BIN ||= path.join(build, 'tools/parleyctl');
process.env.PARLEY_WEB_DIST ||= path.resolve(repo, process.env.WASM_BUILD || 'build-wasm', 'dist');

const L = await import('../tests/e2e/lib.mjs');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const OUT = opt('--out', '');
const CONVERSATIONS = Number(opt('--conversations', '5000'));
const RUNS = Number(opt('--runs', '5'));
const SCROLL_FRAMES = 240;
const DESKTOP = { width: 1280, height: 800 };

const problem = L.missingPrerequisite({ ctl: true });
if (problem) {
  console.error(`bench_web: ${problem}`);
  process.exit(1);
}

const log = (...a) => console.error('bench_web:', ...a);
const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const ms = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

// ---- in-page instrumentation (addInitScript: runs in every frame before the page's scripts) ----

function instrument() {
  const now = () => performance.timeOrigin + performance.now();
  window.__bench = { frames: [], measuring: false };
  const raf = window.requestAnimationFrame.bind(window);
  window.__benchRaf = raf;  // the bench's own driver loop: not measured
  // Emscripten's main loop schedules itself with the global requestAnimationFrame.
  window.requestAnimationFrame = function (cb) {
    return raf(function (ts) {
      const t0 = performance.now();
      try {
        cb(ts);
      } finally {
        if (window.__bench.measuring) window.__bench.frames.push([t0, performance.now() - t0]);
      }
    });
  };
  // The first frame: app_shell.cpp marks <html class="parley-ready"> right after drawing it.
  // (<html> may not exist yet when this runs: watch the whole document.)
  new MutationObserver(() => {
    const html = document.documentElement;
    if (html && html.classList.contains('parley-ready') && !window.__bench.firstFrameAt) {
      window.__bench.firstFrameAt = now();
    }
  }).observe(document, { attributes: true, attributeFilter: ['class'], subtree: true, childList: true });
  // The launcher click on the host page (capture phase, before widget.js's handler).
  document.addEventListener('click', () => { window.__bench.clickAt = now(); }, true);
}

// ---- (b) launcher click -> first frame ---------------------------------------------------------

async function launcherToFirstFrame(browser, relay) {
  const cold = [], warm = [], coldReady = [], warmReady = [];
  const once = async (page, into, readyInto) => {
    await page.goto(`${relay.origin}/`);
    await page.locator('#parley-widget button.b').waitFor({ state: 'visible' });
    await L.clickLauncher(page);
    const frame = await L.widgetFrame(page, 60_000);
    await frame.waitForFunction(() => !!window.__bench.firstFrameAt, null, { timeout: 60_000, polling: 'raf' });
    await frame.waitForFunction(() => {
      if (window.parley.state().ready && !window.__bench.readyAt) {
        window.__bench.readyAt = performance.timeOrigin + performance.now();
      }
      return !!window.__bench.readyAt;
    }, null, { timeout: 60_000, polling: 'raf' });
    const clickAt = await page.evaluate(() => window.__bench.clickAt);
    const { firstFrameAt, readyAt } = await frame.evaluate(() => window.__bench);
    into.push(firstFrameAt - clickAt);
    readyInto.push(readyAt - clickAt);
  };
  for (let i = 0; i < RUNS; ++i) {
    const ctx = await browser.newContext({ viewport: DESKTOP });
    await ctx.addInitScript(instrument);
    const page = await ctx.newPage();
    await once(page, cold, coldReady);  // empty cache: a new context
    // The loader reopens a panel that was open on the previous page (issue 8, widget 1): start the
    // warm run from a closed launcher, as a visitor arriving again would.
    await page.evaluate(() => localStorage.clear());
    await once(page, warm, warmReady);  // same context: the hashed files come from the HTTP cache
    await ctx.close();
  }
  return { cold, warm, coldReady, warmReady };
}

// ---- (c) inbox frame time -------------------------------------------------------------------

async function startChats(relay, count, offset) {
  const SOCKETS = 25, WINDOW = 20;
  const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => L.Customer.connect(relay)));
  let next = 0;
  const topics = ['Billing', 'Outage', 'Moving house', 'New contract', 'Router', 'Speed'];
  const worker = async (c) => {
    for (;;) {
      const batch = [];
      while (batch.length < WINDOW && next < count) {
        const i = offset + next++;
        batch.push(c.request('chat.start', { name: `Customer ${i + 1}`, topic: topics[i % topics.length],
          client_msg_id: `b${i}`, text: `Question number ${i + 1}: my connection drops every evening.` }));
      }
      if (!batch.length) return;
      await Promise.all(batch);
    }
  };
  await Promise.all(sockets.map(worker));
  for (const c of sockets) c.close();
}

async function inboxFrames(browser, relay, expected) {
  const ctx = await browser.newContext({ viewport: DESKTOP });
  await ctx.addInitScript(instrument);
  const page = await ctx.newPage();
  await page.goto(`${relay.origin}/inbox`);
  await L.waitState(page, 'the login form', (s) => s.screen === 'login', undefined, { timeout: 60_000 });
  await L.typeInto(page, page, '#login-user', L.ADMIN.username, { enter: false });
  await L.typeInto(page, page, '#login-password', L.ADMIN.password, { enter: false });
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  // The whole queue, through inbox.snapshot's first page and inbox.list pages. If the app never
  // gets there (a paging bug), measure what it has and say so in the table.
  let loadMs = NaN;
  try {
    await L.waitState(page, `${expected} conversations in the queue`, (s, n) =>
      s.screen === 'inbox' && s.connection === 'online' && s.queue.length === n, expected,
    { timeout: 120_000, polling: 250 });
    loadMs = Date.now() - t0;
  } catch (e) {
    const s = await L.state(page);
    log(`the inbox lists ${s && s.queue.length} of ${expected} waiting conversations after 120 s; measuring anyway`);
  }
  // Wheel over the queue, one event per animation frame, from the page itself.
  await page.mouse.move(170, 400);
  const result = await page.evaluate(async (frames) => {
    const b = window.__bench;
    const canvas = document.getElementById('canvas');
    const r = canvas.getBoundingClientRect();
    b.frames = [];
    b.measuring = true;
    const t0 = performance.now();
    await new Promise((resolve) => {
      let n = 0;
      const step = () => {
        if (n++ >= frames) return resolve();
        // Down for the first half, back up for the second: both directions, always moving.
        const dy = n <= frames / 2 ? 60 : -60;
        canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: dy, deltaMode: 0, clientX: r.left + 170,
          clientY: r.top + 400, bubbles: true, cancelable: true }));
        window.__benchRaf(step);
      };
      window.__benchRaf(step);
    });
    b.measuring = false;
    return { frames: b.frames, elapsed: performance.now() - t0 };
  }, SCROLL_FRAMES);
  const s = await L.state(page);
  await ctx.close();
  const cost = result.frames.map(([, d]) => d);
  const starts = result.frames.map(([t]) => t);
  const intervals = starts.slice(1).map((t, i) => t - starts[i]);
  return {
    conversations: expected, queue: s.queue.length, loadMs, frames: cost.length, elapsedMs: result.elapsed,
    cost: { median: median(cost), p95: quantile(cost, 0.95), max: Math.max(...cost) },
    interval: { median: median(intervals), p95: quantile(intervals, 0.95), max: Math.max(...intervals) },
  };
}

// A bare WebGL 2 canvas of the same size cleared every frame: the interval floor of this
// browser setup, to tell the app's cost from the machine's.
async function bareWebglIntervals(browser) {
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const page = await ctx.newPage();
  await page.setContent(`<canvas id="c" width="${DESKTOP.width}" height="${DESKTOP.height}"></canvas>`);
  const intervals = await page.evaluate(async (frames) => {
    const gl = document.getElementById('c').getContext('webgl2');
    const ts = [];
    await new Promise((resolve) => {
      const step = (t) => {
        ts.push(t);
        gl.clearColor(ts.length % 2, 0.5, 0.5, 1);
        gl.clear(gl.COLOR_BUFFER_BIT);
        if (ts.length < frames) requestAnimationFrame(step); else resolve();
      };
      requestAnimationFrame(step);
    });
    return ts.slice(1).map((t, i) => t - ts[i]);
  }, 121);
  await ctx.close();
  return { median: median(intervals), p95: quantile(intervals, 0.95) };
}

// ---- main ------------------------------------------------------------------------------------

const sizes = execFileSync(path.join(repo, 'tools/web_sizes.sh'), [process.env.PARLEY_WEB_DIST], { encoding: 'utf8' });
log('sizes measured');

const loadAtStart = os.loadavg()[0];
const browser = await L.launchBrowser();
const bare = await bareWebglIntervals(browser);
log('bare WebGL intervals', JSON.stringify(bare));
let first, small, big;
{
  const relay = new L.Relay({ prefix: 'parley-bench-web-' });
  await relay.start();
  try {
    first = await launcherToFirstFrame(browser, relay);
    log('launcher -> first frame', JSON.stringify(first));
  } finally {
    await relay.stop();
    relay.cleanup(false);
  }
}
{
  const relay = new L.Relay({ prefix: 'parley-bench-web-', args: ['--rate', '1000000', '--burst', '1000000',
    '--log-level', 'warn'] });
  relay.ctl('tenant', 'set', 'assistant_enabled', 'false');  // chats start waiting for a person
  await relay.start();
  try {
    await startChats(relay, 20, 0);
    small = await inboxFrames(browser, relay, 20);
    log('inbox, 20 conversations', JSON.stringify(small));
    const t0 = Date.now();
    await startChats(relay, CONVERSATIONS - 20, 20);
    log(`${CONVERSATIONS} conversations started in ${Date.now() - t0} ms`);
    big = await inboxFrames(browser, relay, CONVERSATIONS);
    log(`inbox, ${CONVERSATIONS} conversations`, JSON.stringify(big));
  } finally {
    await relay.stop();
    relay.cleanup(false);
  }
}
const chromiumVersion = browser.version();
await browser.close();

const cpu = (os.cpus()[0]?.model || 'unknown CPU').trim();
let rev = 'unknown';
try { rev = execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { /* no git */ }
const date = new Date().toISOString().slice(0, 10);
const frameRow = (r) => `| ${r.conversations} | ${r.queue}${r.queue === r.conversations ? '' : ' (incomplete)'} | ${r.frames} | ${ms(r.cost.median, 2)} | ${ms(r.cost.p95, 2)} | ` +
  `${ms(r.cost.max, 2)} | ${ms(r.interval.median)} | ${ms(r.interval.p95)} | ` +
  `${Number.isFinite(r.loadMs) ? `${ms(r.loadMs / 1000, 1)} s` : 'never'} |`;

let md = '<!-- browser-apps:start (written by tools/bench_web.mjs; tools/bench.sh keeps it) -->\n';
md += '## Browser apps\n\n';
md += `Measured by \`make bench-web\` (tools/bench_web.mjs, tools/web_sizes.sh) on ${os.cpus().length} cores, ${cpu}, `;
md += `Chromium ${chromiumVersion} headless with software WebGL (SwiftShader, the flags of the end-to-end tests), `;
md += `relay on 127.0.0.1; commit ${rev}, ${date}; load average ${loadAtStart.toFixed(1)} when it started (the `;
md += 'machine may be shared). A real GPU draws faster; these are the slow-machine numbers.\n\n';
md += '### Download sizes\n\n';
md += 'gzip -9 and brotli -q 11, as served by the relay (precompressed siblings in the web build).\n\n';
md += sizes + '\n';
md += '### Launcher click to first frame (widget)\n\n';
md += 'From the click on the launcher of the demo page to the widget\'s first drawn frame (the app marks ';
md += '`<html class="parley-ready">` right after it), and to "ready" (WebSocket open, `hello` acknowledged). ';
md += `Median of ${RUNS} runs; cold = new browser context (empty HTTP cache), warm = the page reloaded in the same `;
md += 'context (content-hashed files from the cache).\n\n';
md += '| | first frame, median ms | min | max | ready, median ms |\n|---|---:|---:|---:|---:|\n';
md += `| cold cache | ${ms(median(first.cold), 0)} | ${ms(Math.min(...first.cold), 0)} | ${ms(Math.max(...first.cold), 0)} | ${ms(median(first.coldReady), 0)} |\n`;
md += `| warm cache | ${ms(median(first.warm), 0)} | ${ms(Math.min(...first.warm), 0)} | ${ms(Math.max(...first.warm), 0)} | ${ms(median(first.warmReady), 0)} |\n\n`;
md += '### Inbox frame time with a long queue\n\n';
md += 'The inbox draws only when something changes, so frames are produced by scrolling the queue with ';
md += `the mouse wheel (one wheel event per animation frame, ${SCROLL_FRAMES} frames). "Frame cost" is the main `;
md += 'loop\'s requestAnimationFrame callback (ImGui layout + drawing + WebGL calls, main thread); "interval" is ';
md += 'the time between frames (includes rasterising in the GPU process; 16.7 ms = 60 fps). "Queue loaded" ';
md += 'is from pressing Enter in the login form to the whole queue in the app\'s state (first page in ';
md += '`inbox.snapshot`, the rest through `inbox.list`). Chats were started by Node WebSocket clients with the ';
md += 'assistant off, so all wait for a person.\n\n';
md += '| conversations waiting | rows in the app | frames | frame cost median ms | p95 ms | max ms | interval median ms | p95 ms | queue loaded |\n';
md += '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
md += frameRow(small) + '\n' + frameRow(big) + '\n\n';
md += `For comparison, a bare WebGL 2 canvas of the same size, cleared every frame, runs at ${ms(bare.median)} ms `;
md += `intervals (p95 ${ms(bare.p95)} ms) in the same browser: most of the app's interval is spent outside its main-thread `;
md += 'work, in drawing its triangles with SwiftShader (GPU process).\n';
for (const r of [small, big]) {
  if (r.queue !== r.conversations) {
    md += `\n**Incomplete:** with ${r.conversations} conversations waiting the app listed only ${r.queue} `;
    md += '(it did not fetch the pages after `inbox.snapshot` within 120 s), so that row measures ';
    md += `${r.queue} rows.\n`;
  }
}
const round = (k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v);
md += `\nRaw: \`${JSON.stringify({ bare, first, small, big }, round)}\`\n`;
md += '<!-- browser-apps:end -->\n';

process.stdout.write(md);
if (OUT) {
  const file = path.resolve(repo, OUT);
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const re = /<!-- browser-apps:start[\s\S]*?<!-- browser-apps:end -->\n?/;
  const text = re.test(old) ? old.replace(re, md) : `${old.replace(/\n*$/, '\n\n')}${md}`;
  fs.writeFileSync(file, text);
  log(`written to ${file}`);
}
