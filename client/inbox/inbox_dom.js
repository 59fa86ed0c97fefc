// inbox_dom.js: the browser side of the agent inbox (linked with --js-library, beside
// client/common/parley_dom.js). HTTP with methods and bodies (login, logout), the alert beep
// (WebAudio, generated: no sound file), the tab title, and the login form's submit path.
// C++ entry points it calls are the EMSCRIPTEN_KEEPALIVE functions of client/inbox/main.cpp.
mergeInto(LibraryManager.library, {
  $ParleyInbox__deps: ['malloc', 'free'],
  $ParleyInbox: {
    audio: null,
    picker: false,  // issue 9: the canned-response picker is open
    cstr: function(s) {
      var n = lengthBytesUTF8(s) + 1;
      var p = _malloc(n);
      stringToUTF8(s, p, n);
      return p;
    },
    // The AudioContext, created (or resumed) during a user gesture so later beeps may play, also
    // in a background tab.
    context: function() {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) return null;
      if (!ParleyInbox.audio) {
        try { ParleyInbox.audio = new AC(); } catch (e) { return null; }
      }
      if (ParleyInbox.audio.state === 'suspended') ParleyInbox.audio.resume().catch(function() {});
      return ParleyInbox.audio;
    },
  },

  // Call before AppShell::init (i.e. before parley_dom_init and glfwInit): these capture listeners
  // must run before the common key guard.
  parley_inbox_init__deps: ['$ParleyInbox'],
  parley_inbox_init: function() {
    // In the resolution note, Enter is a new line; Ctrl/Cmd+Enter submits (the common guard does).
    window.addEventListener('keydown', function(e) {
      var el = document.activeElement;
      if (el && el.id === 'resolve-note' && e.key === 'Enter' && !(e.ctrlKey || e.metaKey)) {
        e.stopImmediatePropagation();
      }
    }, true);
    // Issue 9: while the canned-response picker is open, the composer's arrows, Enter, Tab and Esc
    // drive it (the text stays in the composer).
    window.addEventListener('keydown', function(e) {
      var el = document.activeElement;
      if (!ParleyInbox.picker || !el || el.id !== 'composer' || e.isComposing) return;
      var code = e.key === 'ArrowUp' ? 1 : e.key === 'ArrowDown' ? 2
               : (e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab' ? 3 : e.key === 'Escape' ? 4 : 0;
      if (!code) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      _parley_inbox_picker_key(code);
    }, true);
    var form = document.getElementById('login-form');
    if (form) {
      form.addEventListener('submit', function(e) {
        e.preventDefault();  // the app posts the fields itself; no navigation
        _parley_inbox_form_submitted();
      });
    }
    var unlock = function() { ParleyInbox.context(); };
    window.addEventListener('pointerdown', unlock, true);
    window.addEventListener('keydown', unlock, true);
  },

  parley_inbox_set_picker__deps: ['$ParleyInbox'],
  parley_inbox_set_picker: function(open) { ParleyInbox.picker = !!open; },

  // Submits the login form the way a person would (password managers watch for this).
  parley_inbox_submit_login: function() {
    var form = document.getElementById('login-form');
    if (form && form.requestSubmit) form.requestSubmit();
    else _parley_inbox_form_submitted();
  },

  // fetch(url, {method, body}) -> parley_inbox_http_done(ctx, status, body, retry_after_s).
  // status 0 = network error. Same origin, cookies included.
  parley_inbox_http__deps: ['$ParleyInbox'],
  parley_inbox_http: function(method, url, body, ctx) {
    var opts = {method: UTF8ToString(method), credentials: 'same-origin', headers: {}, cache: 'no-store'};
    if (body) {
      opts.body = UTF8ToString(body);
      opts.headers['Content-Type'] = 'application/json';
    }
    var done = function(status, text, retry) {
      var p = ParleyInbox.cstr(text);
      try { _parley_inbox_http_done(ctx, status, p, retry); } finally { _free(p); }
    };
    fetch(UTF8ToString(url), opts).then(function(r) {
      var retry = parseInt(r.headers.get('Retry-After') || '0', 10) || 0;
      return r.text().then(function(t) { done(r.status, t, retry); });
    }).catch(function() { done(0, '', 0); });
  },

  // kind 0: a new chat is waiting (two rising tones); 1: a new message (one soft tone).
  parley_inbox_beep__deps: ['$ParleyInbox'],
  parley_inbox_beep: function(kind) {
    var ctx = ParleyInbox.context();
    if (!ctx || ctx.state !== 'running') return 0;
    var t = ctx.currentTime + 0.01;
    var tones = kind === 0 ? [784, 1175] : [660];
    tones.forEach(function(freq, i) {
      var o = ctx.createOscillator(), g = ctx.createGain();
      var s = t + i * 0.15;
      o.type = 'sine';
      o.frequency.setValueAtTime(freq, s);
      g.gain.setValueAtTime(0.0001, s);
      g.gain.exponentialRampToValueAtTime(kind === 0 ? 0.22 : 0.12, s + 0.015);
      g.gain.exponentialRampToValueAtTime(0.0001, s + 0.14);
      o.connect(g);
      g.connect(ctx.destination);
      o.start(s);
      o.stop(s + 0.16);
    });
    return 1;
  },

  parley_inbox_set_title: function(text) { document.title = UTF8ToString(text); },

  // Gives the keyboard back to the canvas (list navigation) after Esc in a DOM field.
  parley_inbox_blur: function() {
    var el = document.activeElement;
    if (el && el.blur) el.blur();
    if (Module['canvas']) Module['canvas'].focus({preventScroll: true});
  },
});
