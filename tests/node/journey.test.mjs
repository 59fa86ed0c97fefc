// The customer -> hand-off -> agent journey of docs/protocol.md, driven by an independent client
// (Node's `ws` package and fetch), so the relay is not only tested by C++ code that shares its
// assumptions. Run: PARLEY_RELAY_BIN=build/relay/parley-relay node --test tests/node/
//
// Waits are for states (port file, frames) with generous deadlines; nothing asserts on time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';

const RELAY_BIN = process.env.PARLEY_RELAY_BIN;
const TIMEOUT_MS = 10_000;
const ADMIN = { username: 'admin', password: 'admin-password-1' };
const skip = !RELAY_BIN || !fs.existsSync(RELAY_BIN)
  ? `PARLEY_RELAY_BIN is not set or does not exist (${RELAY_BIN ?? 'unset'}): build parley-relay first`
  : false;

// ---- the relay process -----------------------------------------------------------------------

class Relay {
  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-node-'));
    this.dataDir = path.join(this.dir, 'data');
    fs.mkdirSync(this.dataDir);
    const portFile = path.join(this.dir, 'port');
    this.stderr = fs.openSync(path.join(this.dir, 'relay.stderr'), 'a');
    const webDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web');
    this.proc = spawn(RELAY_BIN, ['--listen', '127.0.0.1:0', '--data-dir', this.dataDir, '--web-dir', webDir,
      '--port-file', portFile], {
      env: { ...process.env, PARLEY_FAST_HASH: '1', PARLEY_ADMIN_USER: ADMIN.username,
        PARLEY_ADMIN_PASSWORD: ADMIN.password },
      stdio: ['ignore', 'ignore', this.stderr],
    });
    this.exit = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.exited = false;
    this.exit.then(() => { this.exited = true; });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (this.exited) throw new Error(`relay exited during start-up:\n${this.stderrText()}`);
      const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8').trim() : '';
      if (/^\d+$/.test(text)) {
        this.port = Number(text);
        this.origin = `http://127.0.0.1:${this.port}`;
        return;
      }
      if (Date.now() > deadline) throw new Error(`no port file in time:\n${this.stderrText()}`);
      await delay(10);  // polling for the file: a state check, not synchronisation by sleeping
    }
  }

  stderrText() {
    try { return fs.readFileSync(path.join(this.dir, 'relay.stderr'), 'utf8').slice(-6000); } catch { return ''; }
  }

  async stop() {
    if (!this.proc) return null;
    if (!this.exited) this.proc.kill('SIGTERM');
    const timeout = new AbortController();
    const result = await Promise.race([this.exit,
      delay(20_000, null, { signal: timeout.signal }).catch(() => null)]);
    timeout.abort();
    if (!result) this.proc.kill('SIGKILL');
    fs.closeSync(this.stderr);
    return result;
  }

  cleanup(keep) {
    if (keep) console.error(`relay directory kept: ${this.dir}\n${this.stderrText()}`);
    else fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- a WebSocket client that keeps every frame -------------------------------------------------

class Client {
  static async connect(relay, { cookie } = {}) {
    const headers = cookie ? { Cookie: cookie } : {};
    const path = cookie ? '/ws/inbox' : '/ws';
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}${path}`, { origin: relay.origin, headers });
    const c = new Client(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.all = [];      // every frame received
    this.pending = [];  // not yet consumed by waitFor
    this.waiters = [];
    this.nextId = 1;
    this.closeCode = null;
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? { type: '_binary' } : JSON.parse(data.toString('utf8'));
      this.all.push(frame);
      this.pending.push(frame);
      this.#wake();
    });
    ws.on('close', (code) => { this.closeCode = code; this.#wake(); });
  }

  #wake() {
    for (const w of [...this.waiters]) w();
  }

  // Consumes and returns the first unconsumed frame matching `pred`.
  waitFor(pred, what, timeoutMs = TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.pending.findIndex(pred);
        if (i >= 0) {
          const [f] = this.pending.splice(i, 1);
          done();
          resolve(f);
        } else if (this.closeCode !== null) {
          done();
          reject(new Error(`connection closed (${this.closeCode}) while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        const last = this.pending.slice(-10).map((f) => JSON.stringify(f).slice(0, 300)).join('\n  ');
        reject(new Error(`timed out waiting for ${what}; unconsumed:\n  ${last}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  // Sends a command and resolves with its ack or error frame.
  async request(type, fields = {}) {
    const id = `n${this.nextId++}`;
    this.ws.send(JSON.stringify({ v: 1, type, id, ...fields }));
    return this.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.re === id, `reply to ${type}`);
  }

  async ok(type, fields = {}) {
    const r = await this.request(type, fields);
    assert.equal(r.type, 'ack', `${type} refused: ${JSON.stringify(r)}`);
    return r.data;
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}

const event = (type, cid) => (f) => f.type === type && f.conversation_id === cid;
const messageText = (cid, text) => (f) =>
  f.type === 'chat.new_message' && f.conversation_id === cid && f.data?.message?.text === text;

async function login(relay, { username, password }) {
  const res = await fetch(`${relay.origin}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: relay.origin },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, `login failed: ${await res.text()}`);
  const cookies = typeof res.headers.getSetCookie === 'function'
    ? res.headers.getSetCookie() : [res.headers.get('set-cookie') ?? ''];
  const session = cookies.find((c) => c.startsWith('parley_session='));
  assert.ok(session, 'no parley_session cookie');
  assert.match(session, /HttpOnly/i);
  return session.split(';')[0];
}

// ---- the journey ------------------------------------------------------------------------------

let relay;
let failed = false;

before(async () => {
  if (skip) return;
  relay = new Relay();
  await relay.start();
});

after(async () => {
  if (!relay) return;
  await relay.stop();
  relay.cleanup(failed || process.env.PARLEY_IT_KEEP === '1');
});

test('journey: customer hands off, agent accepts, replies and resolves (ws + fetch)', { skip }, async () => {
  try {
    const customer = await Client.connect(relay);
    const hello = await customer.ok('hello', { tenant: 'default' });
    assert.ok(hello.visitor_token, 'hello ack has a visitor token');
    assert.equal(hello.new_visitor, true);

    const start = await customer.ok('chat.start', { name: 'Nadia', topic: 'Shipping' });
    const cid = start.conversation_id;
    assert.ok(cid);
    await customer.waitFor((f) => f.conversation_id === cid && f.data?.message?.sender?.role === 'bot',
      'assistant greeting');

    const sent = await customer.ok('chat.send_message',
      { conversation_id: cid, client_msg_id: 'node-1', text: 'I want to talk to a human' });
    assert.ok(sent.seq > 0);
    const handed = await customer.waitFor(event('chat.handed_off', cid), 'chat.handed_off');
    assert.equal(handed.data.reason, 'customer_asked');

    // The agent logs in over HTTP and connects with the cookie and the relay's own Origin.
    const cookie = await login(relay, ADMIN);
    const agent = await Client.connect(relay, { cookie });
    const snapshot = await agent.waitFor((f) => f.type === 'inbox.snapshot', 'inbox.snapshot');
    assert.ok(snapshot.data.queue.some((c) => c.id === cid), 'conversation is in the queue');
    const agentId = snapshot.data.user.id;

    const joined = await agent.request('chat.join', { conversation_id: cid, after_seq: 0 });
    assert.equal(joined.type, 'ack');
    const history = agent.all.filter((f) => f.conversation_id === cid && f.seq > 0);
    assert.ok(history.some((f) => f.type === 'chat.handoff_summary' && f.audience === 'staff'),
      'staff history includes the hand-off summary');

    await agent.ok('chat.accept', { conversation_id: cid });
    const assigned = await customer.waitFor(event('chat.session_assigned', cid), 'chat.session_assigned');
    assert.equal(assigned.data.agent.id, agentId);

    await agent.ok('chat.send_message', { conversation_id: cid, client_msg_id: 'node-a1', text: 'Hello Nadia!' });
    await customer.waitFor(messageText(cid, 'Hello Nadia!'), "agent's reply");
    await customer.ok('chat.send_message', { conversation_id: cid, client_msg_id: 'node-2', text: 'Where is my parcel?' });
    await agent.waitFor(messageText(cid, 'Where is my parcel?'), "customer's message");

    await agent.ok('chat.resolve', { conversation_id: cid, resolution: 'Tracking link sent', issue_type: 'general' });
    const resolved = await customer.waitFor(event('chat.resolved', cid), 'chat.resolved');
    assert.equal(resolved.data.ending, 'resolved_by_staff');
    await agent.waitFor(event('chat.resolution_note', cid), 'chat.resolution_note (staff)');

    // Everything the customer's socket ever received: visible events only, each seq once, in order.
    await customer.ok('ping');
    let last = 0;
    for (const f of customer.all) {
      assert.notEqual(f.type, 'chat.handoff_summary');
      assert.notEqual(f.type, 'chat.resolution_note');
      if (f.audience !== undefined) assert.equal(f.audience, 'everyone');
      assert.ok(!JSON.stringify(f).includes('Tracking link sent'), 'resolution text leaked to the customer');
      if (f.conversation_id === cid && f.seq > 0) {
        assert.ok(f.seq > last, `seq ${f.seq} after ${last}`);
        last = f.seq;
      }
    }

    customer.close();
    agent.close();
  } catch (e) {
    failed = true;
    if (relay) console.error(`relay stderr:\n${relay.stderrText()}`);
    throw e;
  }
});

test('relay exits 0 on SIGTERM after the journey', { skip }, async () => {
  const result = await relay.stop();
  relay.proc = null;
  assert.ok(result, 'relay exited');
  assert.equal(result.code, 0, `exit ${JSON.stringify(result)}`);
});
