// Issue 9, files both ways, end to end in headless Chromium: the customer attaches a PNG from the
// widget by keyboard ("Attach a file" in the accessibility mirror, Enter, the browser's file
// chooser); the agent sees the file message in the inbox and downloads the same bytes by mouse;
// the agent attaches an image by mouse and the customer sees it and downloads it by keyboard
// (fetch with the visitor token in a header, then a blob: URL); both images are drawn inline in
// both apps; a refused file (an executable,
// then an over-limit file after PATCH attachment_max_bytes) shows the refusal in words in the
// transcript and to screen readers, and can be retried or removed.
// Waits are for states, never for time.
//
// Run: PARLEY_RELAY_BIN=... PARLEY_CTL_BIN=... PARLEY_WEB_DIST=build-wasm/dist \
//      node --test tests/e2e/files.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  Relay, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame, widgetFrame, clickLauncher,
  typeInto, staffCookie, screenshotDir, TIMEOUT_MS, centre, clickControl,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });
const DESKTOP = { width: 1280, height: 800 };
const SAM = { username: 'sam', password: 'sam-password-1' };

let relay;
let browser;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-files-' });
  await relay.start();
  relay.ctl('users', 'create', SAM.username, '--role', 'agent', '--password', SAM.password);
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

// A real w x h PNG of one colour (signature, IHDR, IDAT, IEND with their CRCs).
function png(w, h, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;  // bit depth
  ihdr[9] = 2;  // RGB
  const rows = [];
  for (let y = 0; y < h; ++y) {
    rows.push(Buffer.from([0]));
    for (let x = 0; x < w; ++x) rows.push(Buffer.from([r, g, b]));
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

async function rest(cookie, method, url, body) {
  const res = await fetch(`${relay.origin}${url}`, {
    method, headers: { cookie, origin: relay.origin, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

// The mirror's button (role, name) focused as a keyboard user's Tab would, then Enter.
async function pressMirror(target, page, name) {
  const el = target.getByRole('button', { name, exact: true }).first();
  await el.waitFor({ state: 'attached', timeout: TIMEOUT_MS });
  await el.focus();
  await page.keyboard.press('Enter');
}

async function bytesOf(download) {
  const p = await download.path();
  return fs.readFileSync(p);
}

async function liveText(target) {
  return target.evaluate(() => document.getElementById('parley-live').textContent);
}

test('files both ways: customer and agent attach images, each downloads the other\'s bytes; refusals in words', { skip }, async () => {
  requirePrerequisites(problem);
  const customerPng = png(64, 48, [200, 30, 30]);
  const agentPng = png(48, 48, [20, 120, 220]);

  // The agent first (someone online: the widget offers its composer, not the offline form).
  const cookie = await staffCookie(relay, SAM);
  const [cname, cvalue] = cookie.split('=');
  const staffCtx = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  await staffCtx.addCookies([{ name: cname, value: cvalue, url: relay.origin }]);
  const inbox = await staffCtx.newPage();
  await inbox.goto(`${relay.origin}/inbox`);
  await waitFirstFrame(inbox);
  await waitState(inbox, 'the inbox online', (s) => s.screen === 'inbox' && s.connection === 'online');

  const siteCtx = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  try {
    const site = await siteCtx.newPage();
    await site.goto(`${relay.origin}/`);
    await clickLauncher(site);
    const widget = await widgetFrame(site);
    await waitFirstFrame(widget);
    await waitState(widget, 'the widget online', (s) => s.ready && s.connection === 'online');
    // No conversation yet: nothing to attach to.
    assert.equal((await waitState(widget, 'state', () => true)).can_attach, false);
    await typeInto(site, widget, '#composer', 'I want to talk to a person');
    const waiting = await waitState(widget, 'waiting for a person, attaching possible', (s) =>
      s.status === 'pending' && s.can_attach);
    const cid = waiting.conversation_id;

    // The agent accepts.
    await clickControl(inbox, `row:${cid}`);
    await waitState(inbox, 'the chat open and joined', (s, id) => s.selected && s.selected.id === id && s.selected.joined, cid);
    await clickControl(inbox, 'accept_bar');
    await waitState(inbox, 'accepted: attaching possible', (s) => s.selected.status === 'active' && s.can_attach && !!s.controls.attach);

    // 1. The customer attaches a PNG by keyboard: Enter on "Attach a file" opens the chooser.
    let chooser = site.waitForEvent('filechooser', { timeout: TIMEOUT_MS });
    await pressMirror(widget, site, 'Attach a file');
    await (await chooser).setFiles({ name: 'red dot.png', mimeType: 'image/png', buffer: customerPng });
    const w1 = await waitState(widget, 'the file message in the widget', (s) =>
      s.uploads.length === 0 && s.messages.some((m) => m.attachment && m.attachment.name === 'red dot.png'));
    const sent = w1.messages.find((m) => m.attachment && m.attachment.name === 'red dot.png');
    assert.equal(sent.attachment.content_type, 'image/png');
    assert.equal(sent.attachment.size, customerPng.length);
    assert.match(await liveText(widget), /Uploading red dot\.png/);
    assert.match(await liveText(widget), /red dot\.png sent/);

    // The agent sees it (name, type and size in words) and downloads the same bytes by mouse.
    const i1 = await waitState(inbox, 'the file message in the inbox', (s) =>
      s.selected.messages.some((m) => m.attachment && m.attachment.name === 'red dot.png'));
    const inInbox = i1.selected.messages.find((m) => m.attachment && m.attachment.name === 'red dot.png');
    assert.equal(inInbox.text, `red dot.png\nPNG image \u00b7 ${customerPng.length} bytes`);
    assert.equal(await inbox.getByRole('button', { name: `Download red dot.png, PNG image, ${customerPng.length} bytes` }).count(), 1);
    // The image is drawn inline above its name (so the bubble's layout is final before the click).
    await waitState(inbox, 'the image drawn inline', (s) => s.thumbnails.shown === 1 && s.thumbnails.failed === 0);
    const bubble = (await waitState(inbox, 'the bubble drawn', (s, k) => !!s.controls[k], `msg:${inInbox.seq}`)).controls[`msg:${inInbox.seq}`];
    let download = inbox.waitForEvent('download', { timeout: TIMEOUT_MS });
    await inbox.mouse.click(bubble[0] + 14 + 8, bubble[1] + bubble[3] * 0.3);  // on the name (the first text line's link)
    const d1 = await download;
    assert.equal(d1.suggestedFilename(), 'red dot.png');
    assert.ok((await bytesOf(d1)).equals(customerPng), 'the agent downloaded other bytes');
    await waitState(inbox, 'the download counted', (s) => s.downloads.done === 1 && s.downloads.failed === 0);

    // 2. The agent attaches an image by mouse; the customer sees it.
    chooser = inbox.waitForEvent('filechooser', { timeout: TIMEOUT_MS });
    await clickControl(inbox, 'attach');
    await (await chooser).setFiles({ name: 'blue.png', mimeType: 'image/png', buffer: agentPng });
    await waitState(inbox, 'the agent\'s file stored', (s) =>
      s.uploads.length === 0 && s.selected.messages.some((m) => m.attachment && m.attachment.name === 'blue.png' && !m.pending));
    const w2 = await waitState(widget, 'the agent\'s file in the widget', (s) =>
      s.messages.some((m) => m.role === 'agent' && m.attachment && m.attachment.name === 'blue.png'));
    assert.equal(w2.messages.find((m) => m.attachment && m.attachment.name === 'blue.png').attachment.content_type, 'image/png');
    // Both images shown inline in the widget (decoded from the bytes fetched with the token).
    await waitState(widget, 'both images drawn inline', (s) => s.thumbnails.shown === 2 && s.thumbnails.failed === 0);
    await waitState(inbox, 'both images drawn inline in the inbox', (s) => s.thumbnails.shown === 2 && s.thumbnails.failed === 0);
    await site.screenshot({ path: path.join(shots, 'files-widget.png') });
    await inbox.screenshot({ path: path.join(shots, 'files-inbox.png') });
    // The customer downloads it by keyboard (the token in a header, the bytes from a blob: URL).
    download = site.waitForEvent('download', { timeout: TIMEOUT_MS });
    await pressMirror(widget, site, `Download blue.png, PNG image, ${agentPng.length} bytes`);
    const d2 = await download;
    assert.equal(d2.suggestedFilename(), 'blue.png');
    assert.ok((await bytesOf(d2)).equals(agentPng), 'the customer downloaded other bytes');
    await waitState(widget, 'the customer\'s download counted', (s) => s.downloads.done === 1 && s.downloads.failed === 0);

    // 3. Refusals. An executable from the customer: refused by its bytes, said in words, kept.
    chooser = site.waitForEvent('filechooser', { timeout: TIMEOUT_MS });
    await pressMirror(widget, site, 'Attach a file');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0x90)]);
    await (await chooser).setFiles({ name: 'setup.png', mimeType: 'image/png', buffer: exe });  // the name lies
    const refusal = 'this kind of file cannot be sent here (images, PDF and text files can).';
    await waitState(widget, 'the refusal in the widget', (s, r) =>
      s.uploads.length === 1 && s.uploads[0].state === 'failed' && s.uploads[0].error === r, refusal);
    // In the mirror's transcript (what a screen reader reads): the file, then why it was not sent.
    await widget.locator('#parley-a11y').getByText(new RegExp(`setup\\.png[\\s\\S]*Not sent: ${refusal.replace(/[.()]/g, '\\$&')}`))
      .waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    assert.match(await liveText(widget), /setup\.png was not sent: this kind of file cannot be sent here/);
    await site.screenshot({ path: path.join(shots, 'files-widget-refused.png') });
    // Retry keeps it (refused again, still there); Remove file takes it away.
    await pressMirror(widget, site, 'Retry upload');
    await waitState(widget, 'refused again after the retry', (s, r) =>
      s.uploads.length === 1 && s.uploads[0].state === 'failed' && s.uploads[0].error === r, refusal);
    await pressMirror(widget, site, 'Remove file');
    await waitState(widget, 'the refused file removed', (s) => s.uploads.length === 0);

    // An over-limit file from the agent after the admin lowers attachment_max_bytes.
    const admin = await staffCookie(relay);
    assert.equal((await rest(admin, 'PATCH', '/api/v1/settings', { attachment_max_bytes: 50 })).status, 200);
    chooser = inbox.waitForEvent('filechooser', { timeout: TIMEOUT_MS });
    await clickControl(inbox, 'attach');
    assert.ok(customerPng.length > 50);
    await (await chooser).setFiles({ name: 'big.png', mimeType: 'image/png', buffer: customerPng });
    const tooLarge = 'the file is too large (the limit is 50 bytes).';
    await waitState(inbox, 'the refusal in the inbox', (s, a) =>
      s.uploads.length === 1 && s.uploads[0].error === a.r &&
      s.selected.messages.some((m) => m.upload === 'failed' && m.text === a.text),
    { r: tooLarge, text: `big.png (${customerPng.length} bytes)\nNot sent: ${tooLarge}` });
    assert.match(await liveText(inbox), /big\.png was not sent: the file is too large \(the limit is 50 bytes\)\./);
    await inbox.screenshot({ path: path.join(shots, 'files-inbox-refused.png') });
    await pressMirror(inbox, inbox, 'Remove file');
    await waitState(inbox, 'the refused file removed', (s) => s.uploads.length === 0);
    assert.equal((await rest(admin, 'PATCH', '/api/v1/settings', { attachment_max_bytes: 10485760 })).status, 200);
    // Nothing refused reached the transcript.
    const last = await waitState(widget, 'state', () => true);
    assert.equal(last.messages.filter((m) => m.attachment).length, 2);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await siteCtx.close();
    await staffCtx.close();
  }
});
