// Text in every script, end to end in headless Chromium: a widget transcript, and an inbox queue
// and transcript, holding Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, Chinese,
// Japanese, Korean, colour emoji and mixed directions, in messages, names, topics, previews and
// avatar letters. Both apps draw people's text through the browser (client/common/text.hpp) and
// report in window.parley.state().text how many characters no font could draw: it must be 0.
// A private-use character that no font has is sent last, to show the count is not blind.
// The machine needs fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji (tools/setup.sh
// --browser); without them this test fails with the missing code points listed.
//
// Screenshots (PARLEY_SCREENSHOTS, see lib.mjs): widget-scripts.png, widget-rtl.png,
// inbox-scripts-queue.png, inbox-scripts-conversation.png (copies of them are in docs/screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  Relay, Customer, Staff, launchBrowser, prerequisites, requirePrerequisites, waitState, waitFirstFrame,
  typeInto, screenshotDir, ADMIN,
} from './lib.mjs';

const { problem, skip } = prerequisites({ ctl: true });

// [script, a name in it, a topic in it, a message in it]
const SAMPLES = [
  ['Latin', 'Zoë Müller', 'Facture', 'Bonjour, ma facture de décembre est erronée — déjà payée ?'],
  ['Greek', 'Νίκος Παπαδόπουλος', 'Σύνδεση', 'Καλημέρα, το ρούτερ δεν συνδέεται από χθες.'],
  ['Cyrillic', 'Олег Петров', 'Интернет', 'Здравствуйте! С утра не работает интернет.'],
  ['Arabic', 'محمد العلي', 'الفاتورة', 'مرحبا، الإنترنت لا يعمل منذ الصباح. هل يمكنكم المساعدة؟'],
  ['Hebrew', 'דנה כהן', 'חשבונית', 'שלום, החשבונית שלי לחודש הזה שגויה.'],
  ['Devanagari', 'प्रिया शर्मा', 'बिल', 'नमस्ते, मेरा इंटरनेट सुबह से काम नहीं कर रहा है।'],
  ['Thai', 'สมชาย ใจดี', 'อินเทอร์เน็ต', 'สวัสดีครับ อินเทอร์เน็ตที่บ้านใช้งานไม่ได้ตั้งแต่เมื่อวานตอนเย็นครับ'],
  ['Chinese', '王芳', '账单问题', '你好，我的网络从早上开始就断了，请问什么时候能修好？'],
  ['Japanese', '佐藤 花子', '請求書', 'こんにちは、今月の請求書について質問があります。'],
  ['Korean', '김민준', '인터넷 연결', '안녕하세요, 오늘 아침부터 인터넷이 안 됩니다.'],
  ['Emoji', '🦊 Alex', 'Thanks 🎉', 'Thank you so much! 👍🏽 🎉 👨‍👩‍👧 🇯🇵 ❤️ 😀'],
  ['Mixed', 'Sam שמואל', 'Order #4521', 'Order #4521: שלום and مرحبا in one line, 3 items 📦'],
];
const AGENT = { username: 'layla', name: 'ليلى Layla', password: 'agent-password-1' };
const PRIVATE_USE = '\u{F0000}';  // plane 15 private use: no font has it

// The code points the apps' glyph check looks at (parley_text.js hasGlyph): not ASCII, not
// spaces, controls, format characters or marks.
function checkedCodePoints(texts) {
  const set = new Set();
  for (const t of texts) {
    for (const ch of t) {
      const cp = ch.codePointAt(0);
      if (cp < 0x7F || /^[\p{White_Space}\p{Cc}\p{Cf}\p{M}]$/u.test(ch)) continue;
      set.add(cp);
    }
  }
  return set.size;
}

let relay;
let browser;
let failed = false;
let shots;

before(async () => {
  if (problem) return;
  relay = new Relay({ prefix: 'parley-e2e-scripts-' });
  relay.ctl('tenant', 'set', 'assistant_enabled', 'false');  // chats wait for a person at once
  relay.ctl('tenant', 'set', 'title', 'Chat · Чат · دردشة · 聊天');
  relay.ctl('users', 'create', AGENT.username, '--role', 'agent', '--name', AGENT.name, '--password', AGENT.password);
  await relay.start();
  browser = await launchBrowser();
  shots = screenshotDir();
});

after(async () => {
  if (browser) await browser.close();
  if (relay) {
    await relay.stop();
    relay.cleanup(failed);
  }
  if (shots) console.log(`# screenshots: ${shots}`);
});

// Two animation frames: the app's main loop has drawn what the last state change asked for.
const afterFrames = (page) => page.evaluate(() =>
  new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

async function noMissingGlyphs(target, what, minChecked) {
  const s = await waitState(target, `${what}: every character checked`, (s, n) => s.text && s.text.checked >= n,
    minChecked);
  assert.deepEqual(s.text.missing, [], `${what}: characters drawn as boxes`);
  assert.equal(s.text.missing_glyphs, 0);
  return s;
}

// The inbox first: the widget tests below leave their own chats (one with a missing glyph) in
// the queue.
test('inbox queue and transcript: every script in names, topics, previews, messages', { skip }, async () => {
  requirePrerequisites(problem);
  const VIEW = { width: 1280, height: 1500 };
  const ctx = await browser.newContext({ viewport: VIEW });
  const customers = [];
  try {
    // One waiting chat per script: name, topic and first message in it.
    for (const [script, name, topic, text] of SAMPLES) {
      const c = await Customer.connect(relay);
      customers.push(c);
      await c.request('chat.start', { name, topic, client_msg_id: `s-${script}`, text });
    }
    // And one chat holding every script, from a customer with a right-to-left name.
    const all = await Customer.connect(relay);
    customers.push(all);
    const started = await all.request('chat.start', { name: 'نور Nour', topic: 'كل اللغات · all scripts',
      client_msg_id: 'all-0', text: SAMPLES[0][3] });
    const cid = started.conversation_id;
    for (let i = 1; i < SAMPLES.length; ++i) {
      await all.request('chat.send_message', { conversation_id: cid, client_msg_id: `all-${i}`, text: SAMPLES[i][3] });
    }

    const inbox = await ctx.newPage();
    await inbox.goto(`${relay.origin}/inbox`);
    await waitState(inbox, 'the login form', (s) => s.screen === 'login');
    await waitFirstFrame(inbox);
    await typeInto(inbox, inbox, '#login-user', AGENT.username, { enter: false });
    await typeInto(inbox, inbox, '#login-password', AGENT.password);
    let s = await waitState(inbox, 'the queue with every script', (s, n) =>
      s.screen === 'inbox' && s.connection === 'online' && s.queue.length === n, SAMPLES.length + 1);
    const queueTexts = SAMPLES.flatMap(([, name, topic, text]) => [name, topic, text]);
    s = await noMissingGlyphs(inbox, 'the inbox queue', checkedCodePoints([...queueTexts.filter((t, i) => i % 3 !== 2),
      AGENT.name]));
    await afterFrames(inbox);
    await inbox.screenshot({ path: path.join(shots, 'inbox-scripts-queue.png') });

    // Open the chat holding every script (a click on its row), accept it, answer in two scripts.
    const row = s.queue.findIndex((q) => q.id === cid);
    assert.ok(row >= 0);
    await inbox.mouse.click(170, 56 + 40 + row * 78 + 39);
    s = await waitState(inbox, 'the chat open with its history', (s, [cid, n]) =>
      s.selected && s.selected.id === cid && s.selected.joined && s.selected.messages.length >= n, [cid, SAMPLES.length]);
    const paneRight = VIEW.width - 320;
    await inbox.mouse.click(paneRight - 24 - 75, VIEW.height - 64 + 14 + 18);  // the accept bar's button
    await waitState(inbox, 'the chat accepted', (s) => s.selected && s.selected.status === 'active');
    for (const reply of ['أهلا نور، سأتحقق من ذلك الآن.', '我们正在检查您的线路，请稍候。']) {
      await typeInto(inbox, inbox, '#composer', reply);
      await waitState(inbox, 'the reply stored', (s, r) =>
        s.selected.messages.some((m) => m.role === 'agent' && m.text === r && !m.pending), reply);
    }
    s = await noMissingGlyphs(inbox, 'the inbox transcript', checkedCodePoints([...SAMPLES.map((x) => x[3]), 'نور Nour']));
    await inbox.mouse.move(500, 600);
    await inbox.mouse.wheel(0, 8000);
    await afterFrames(inbox);
    await inbox.screenshot({ path: path.join(shots, 'inbox-scripts-conversation.png') });
    await inbox.close();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    for (const c of customers) c.close();
    await ctx.close();
  }
});

test('widget transcript: every script, emoji and mixed directions, no missing glyph', { skip }, async () => {
  requirePrerequisites(problem);
  // Someone is online, so the widget shows its composer (not the offline form).
  const staff = await Staff.connect(relay, AGENT);
  const ctx = await browser.newContext({ viewport: { width: 420, height: 1080 } });
  try {
    const page = await ctx.newPage();
    await page.goto(`${relay.origin}/widget.html?tenant=default`);
    await waitFirstFrame(page);
    await waitState(page, 'the widget online', (s) => s.ready && s.connection === 'online');
    const texts = SAMPLES.map((x) => x[3]);
    for (const text of texts) {
      await typeInto(page, page, '#composer', text);
      await waitState(page, `"${text.slice(0, 12)}..." stored`, (s, t) =>
        s.messages.some((m) => m.text === t && m.delivery === 'stored'), text);
    }
    let s = await noMissingGlyphs(page, 'the widget', checkedCodePoints([...texts, 'Chat · Чат · دردشة · 聊天']));
    assert.equal(s.header.title, 'Chat · Чат · دردشة · 聊天');
    assert.equal(s.mirrored, false, 'the last message is left to right');
    assert.ok(s.text.runs_drawn > texts.length, 'people\'s text is drawn by the browser');
    await afterFrames(page);
    await page.screenshot({ path: path.join(shots, 'widget-scripts.png') });

    // A lost WebGL context takes the text atlas with it: after the restore every run is drawn
    // again (the count of rasterised runs grows) and nothing is missing.
    const before = s.text.runs_drawn;
    await page.evaluate(() => new Promise((resolve) => {
      const canvas = document.getElementById('canvas');
      const ext = canvas.getContext('webgl2').getExtension('WEBGL_lose_context');
      canvas.addEventListener('webglcontextlost', () => setTimeout(() => {
        ext.restoreContext();
        resolve();
      }, 0), { once: true });
      ext.loseContext();
    }));
    s = await waitState(page, 'the text drawn again after the context came back', (s, n) =>
      s.text.context_restores === 1 && s.text.runs_drawn >= n + 12, before);
    assert.equal(s.text.missing_glyphs, 0);

    // A right-to-left message as the last one mirrors bubbles and composer.
    const hebrew = 'תודה רבה! אני מחכה לנציג.';
    await typeInto(page, page, '#composer', hebrew);
    s = await waitState(page, 'the layout mirrored', (s, t) => s.mirrored &&
      s.messages.some((m) => m.text === t && m.delivery === 'stored'), hebrew);

    // The negative control: a character no font has is counted.
    await typeInto(page, page, '#composer', `box ${PRIVATE_USE}`);
    s = await waitState(page, 'the missing glyph counted', (s) => s.text.missing_glyphs === 1);
    assert.deepEqual(s.text.missing, ['U+F0000']);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    staff.close();
    await ctx.close();
  }
});

test('widget in a right-to-left language: mirrored from the start', { skip }, async () => {
  requirePrerequisites(problem);
  // Someone is online, so the widget shows its composer (not the offline form).
  const staff = await Staff.connect(relay, AGENT);
  const ctx = await browser.newContext({ viewport: { width: 420, height: 760 }, locale: 'ar' });
  try {
    const page = await ctx.newPage();
    await page.goto(`${relay.origin}/widget.html?tenant=default`);
    await waitFirstFrame(page);
    let s = await waitState(page, 'the widget online, mirrored', (s) => s.ready && s.connection === 'online' &&
      s.mirrored);
    for (const text of ['مرحبا، عندي سؤال عن الفاتورة.', 'رقم الطلب 4521 — شكرا 🙏']) {
      await typeInto(page, page, '#composer', text);
      await waitState(page, 'stored', (s, t) => s.messages.some((m) => m.text === t && m.delivery === 'stored'), text);
    }
    assert.equal(await page.locator('#composer').getAttribute('dir'), 'rtl', 'the composer is right to left');
    s = await noMissingGlyphs(page, 'the RTL widget', 10);
    await page.locator('#composer').fill('أكتب هنا');
    await afterFrames(page);
    await page.screenshot({ path: path.join(shots, 'widget-rtl.png') });
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    staff.close();
    await ctx.close();
  }
});
