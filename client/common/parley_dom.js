// parley_dom.js: the browser side of client/common (linked with --js-library).
//
// Thin on purpose: it moves events and strings between the DOM and C++ and owns no app state.
// C++ entry points it calls are the EMSCRIPTEN_KEEPALIVE functions of dom.cpp / app_shell.cpp.
// Text fields are real DOM elements marked data-parley-field, placed over the canvas by the views.
mergeInto(LibraryManager.library, {
  $ParleyDom__deps: ['malloc', 'free'],
  $ParleyDom: {
    memoryStorage: {},
    files: {},
    nextFile: 0,
    headers: function(json) {
      var h = {};
      try { h = JSON.parse(UTF8ToString(json)) || {}; } catch (e) {}
      return h;
    },
    // A JS string as a malloc'd UTF-8 C string (the callee frees it, or the caller after the call).
    cstr: function(s) {
      var n = lengthBytesUTF8(s) + 1;
      var p = _malloc(n);
      stringToUTF8(s, p, n);
      return p;
    },
    callWithStrings: function(fn, a, b) {
      var pa = ParleyDom.cstr(a), pb = b === undefined ? 0 : ParleyDom.cstr(b);
      try { fn(pa, pb); } finally { _free(pa); if (pb) _free(pb); }
    },
    isField: function(el) { return !!(el && el.hasAttribute && el.hasAttribute('data-parley-field')); },
    canvasPoint: function(canvas, clientX, clientY) {
      var r = canvas.getBoundingClientRect(), s = window.devicePixelRatio || 1;
      return [(clientX - r.left) * s, (clientY - r.top) * s];
    },
    fitHeight: function(el) {
      if (el.tagName !== 'TEXTAREA') return;
      var prev = el.style.height;
      el.style.height = '0px';
      var h = el.scrollHeight;
      el.style.height = prev;
      ParleyDom.callWithStrings(function(id) { _parley_on_field_height(id, h); }, el.id);
    },
  },

  // Must run before glfwInit: GLFW listens on window in the capture phase too, and listeners run
  // in registration order, so ours can keep DOM-field keys (and canvas touch/wheel) to themselves.
  parley_dom_init__deps: ['$ParleyDom'],
  parley_dom_init: function() {
    var canvas = Module['canvas'];
    var keyGuard = function(e) {
      var el = document.activeElement;
      // The accessibility mirror (a11y_mirror.js) owns keys on its nodes, Tab everywhere and
      // Tab inside an open dialog; GLFW must not see those (it would swallow Tab).
      var mirror = Module['parleyA11yKey'];
      if (!ParleyDom.isField(el)) {
        if (mirror ? mirror(e) : e.key === 'Tab') e.stopImmediatePropagation();
        return;
      }
      if (mirror && e.key === 'Tab') mirror(e);
      e.stopImmediatePropagation();  // GLFW must not see it; the field's default action still runs
      if (e.type === 'keydown' && e.key === 'Enter' && !e.isComposing && e.keyCode !== 229 &&
          !(el.tagName === 'TEXTAREA' && (e.shiftKey || el.hasAttribute('data-parley-multiline')))) {
        e.preventDefault();
        ParleyDom.callWithStrings(function(id) { _parley_on_submit(id); }, el.id);
      } else if (e.type === 'keydown' && e.key === 'Escape') {
        ParleyDom.callWithStrings(function(id) { _parley_on_escape(id); }, el.id);
      }
    };
    ['keydown', 'keypress', 'keyup'].forEach(function(t) { window.addEventListener(t, keyGuard, true); });

    document.querySelectorAll('[data-parley-field]').forEach(function(el) {
      el.addEventListener('input', function() {
        ParleyDom.callWithStrings(function(id, v) { _parley_on_input(id, v); }, el.id, el.value);
        ParleyDom.fitHeight(el);
      });
      el.addEventListener('focus', function() {
        ParleyDom.callWithStrings(function(id) { _parley_on_focus(id, 1); }, el.id);
      });
      el.addEventListener('blur', function() {
        ParleyDom.callWithStrings(function(id) { _parley_on_focus(id, 0); }, el.id);
      });
    });

    // Wheel: exact pixel deltas (GLFW 3.1.6 passes raw, wrongly scaled values).
    canvas.addEventListener('wheel', function(e) {
      e.preventDefault();
      e.stopImmediatePropagation();
      var k = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? canvas.clientHeight : 1;
      var s = window.devicePixelRatio || 1;
      var p = ParleyDom.canvasPoint(canvas, e.clientX, e.clientY);
      _parley_on_wheel(e.deltaX * k * s, e.deltaY * k * s, p[0], p[1]);
    }, {capture: true, passive: false});

    // Touch: GLFW 3.1.6 loses touch coordinates; we feed taps and drag-to-scroll ourselves.
    var touch = function(kind) {
      return function(e) {
        var t = e.changedTouches[0];
        if (!t) return;
        e.preventDefault();  // no emulated mouse events, no page scroll under the app
        e.stopImmediatePropagation();
        var p = ParleyDom.canvasPoint(canvas, t.clientX, t.clientY);
        _parley_on_touch(kind, p[0], p[1], performance.now());
      };
    };
    canvas.addEventListener('touchstart', touch(0), {capture: true, passive: false});
    canvas.addEventListener('touchmove', touch(1), {capture: true, passive: false});
    canvas.addEventListener('touchend', touch(2), {capture: true, passive: false});
    canvas.addEventListener('touchcancel', touch(3), {capture: true, passive: false});

    var resized = function() { _parley_on_resize(); };
    window.addEventListener('resize', resized);
    var watchDpr = function() {
      var mq = window.matchMedia('(resolution: ' + (window.devicePixelRatio || 1) + 'dppx)');
      var once = function() { mq.removeEventListener('change', once); resized(); watchDpr(); };
      mq.addEventListener('change', once);
    };
    if (window.matchMedia) watchDpr();
    document.addEventListener('visibilitychange', function() { _parley_on_visibility(document.hidden ? 0 : 1); });
    window.addEventListener('online', function() { _parley_on_network(1); });
    window.addEventListener('offline', function() { _parley_on_network(0); });
    window.addEventListener('message', function(e) {
      if (e.source !== window.parent || window.parent === window || !e.data || typeof e.data !== 'object') return;
      var text;
      try { text = JSON.stringify(e.data); } catch (err) { return; }
      ParleyDom.callWithStrings(function(t) { _parley_on_host_message(t); }, text);
    });

    // File pickers (issue 9): hidden <input type=file data-parley-file>. A chosen file stays in
    // ParleyDom.files under a handle until the app releases it; the app gets name and size.
    document.querySelectorAll('input[type=file][data-parley-file]').forEach(function(el) {
      el.addEventListener('change', function() {
        var list = Array.prototype.slice.call(el.files || []);
        el.value = '';  // the same file chosen again fires change again
        list.forEach(function(f) {
          var h = ++ParleyDom.nextFile;
          ParleyDom.files[h] = f;
          ParleyDom.callWithStrings(function(id, name) { _parley_on_file(id, h, name, f.size); }, el.id, f.name || '');
        });
      });
    });

    // Read-only model snapshot for tests and tools: window.parley.state().
    window.parley = window.parley || {};
    window.parley.state = function() { return JSON.parse(UTF8ToString(_parley_state_json())); };
  },

  parley_dom_place__deps: ['$ParleyDom'],
  parley_dom_place: function(id, x, y, w, h, visible) {
    var el = document.getElementById(UTF8ToString(id));
    if (!el) return;
    if (!visible) {
      if (document.activeElement === el) el.blur();
      el.style.display = 'none';
      return;
    }
    var st = el.style;
    st.display = 'block';
    st.left = x + 'px';
    st.top = y + 'px';
    st.width = w + 'px';
    st.height = h + 'px';
    ParleyDom.fitHeight(el);
  },

  parley_dom_set_value__deps: ['$ParleyDom'],
  parley_dom_set_value: function(id, value) {
    var el = document.getElementById(UTF8ToString(id));
    if (!el) return;
    el.value = UTF8ToString(value);
    ParleyDom.fitHeight(el);
  },

  parley_dom_get_value__deps: ['$ParleyDom'],
  parley_dom_get_value: function(id) {
    var el = document.getElementById(UTF8ToString(id));
    return ParleyDom.cstr(el ? el.value : '');
  },

  parley_dom_focus: function(id) {
    var el = document.getElementById(UTF8ToString(id));
    if (el) el.focus({preventScroll: true});
  },

  parley_dom_set_attr: function(id, name, value) {
    var el = document.getElementById(UTF8ToString(id));
    if (el) el.setAttribute(UTF8ToString(name), UTF8ToString(value));
  },

  parley_dom_set_css_var: function(name, value) {
    document.documentElement.style.setProperty(UTF8ToString(name), UTF8ToString(value));
  },

  parley_dom_cursor: function(kind) {
    Module['canvas'].style.cursor = kind === 1 ? 'pointer' : kind === 2 ? 'text' : '';
  },

  parley_dom_announce: function(text) {
    var region = document.getElementById('parley-live');
    if (!region) return;
    var line = document.createElement('p');
    line.textContent = UTF8ToString(text);
    region.appendChild(line);
    while (region.childNodes.length > 20) region.removeChild(region.firstChild);
  },

  parley_dom_ready: function() {
    document.documentElement.classList.add('parley-ready');
  },

  parley_clipboard_write: function(text) {
    var s = UTF8ToString(text);
    var fallback = function() {
      var ta = document.createElement('textarea');
      ta.value = s;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand('copy'); } catch (e) {}
      document.body.removeChild(ta);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(s).catch(fallback);
    else fallback();
  },

  parley_open_url: function(url) {
    var s = UTF8ToString(url);
    if (!/^https?:\/\//i.test(s)) return;
    window.open(s, '_blank', 'noopener,noreferrer');
  },

  parley_post_parent: function(json) {
    if (window.parent === window) return;
    try { window.parent.postMessage(JSON.parse(UTF8ToString(json)), '*'); } catch (e) {}
  },

  parley_storage_get__deps: ['$ParleyDom'],
  parley_storage_get: function(key) {
    var k = UTF8ToString(key), v = null;
    try { v = window.localStorage.getItem(k); } catch (e) {}
    if (v === null) v = ParleyDom.memoryStorage[k] || '';
    return ParleyDom.cstr(v);
  },

  parley_storage_set__deps: ['$ParleyDom'],
  parley_storage_set: function(key, value) {
    var k = UTF8ToString(key), v = UTF8ToString(value);
    ParleyDom.memoryStorage[k] = v;  // storage may be blocked in third-party frames
    try { window.localStorage.setItem(k, v); } catch (e) {}
  },

  // Fetches `url` (or takes the page's prefetch of it, Module.parleyPrefetch[url]) and calls
  // parley_on_fetched(ctx, bytes, length) with malloc'd bytes (the callee frees), or (ctx, 0, -status).
  parley_fetch__deps: ['malloc'],
  parley_fetch: function(url, ctx) {
    var u = UTF8ToString(url);
    var pre = Module['parleyPrefetch'] && Module['parleyPrefetch'][u];
    var p = pre || fetch(u, {credentials: 'same-origin'});
    p.then(function(r) {
      if (!r.ok) throw r.status;
      return r.arrayBuffer();
    }).then(function(buf) {
      var bytes = new Uint8Array(buf);
      var ptr = _malloc(bytes.length + 1);
      HEAPU8.set(bytes, ptr);
      HEAPU8[ptr + bytes.length] = 0;
      _parley_on_fetched(ctx, ptr, bytes.length);
    }).catch(function(status) {
      _parley_on_fetched(ctx, 0, -(typeof status === 'number' ? status : 1));
    });
  },

  // Files (issue 9). parley_file_pick opens the picker of a hidden file input (within the
  // user's activation); parley_file_upload POSTs a chosen file (same origin, so a staff cookie
  // and the browser's Origin go with it) and calls parley_on_uploaded(ctx, status, body)
  // (status 0: no answer); parley_file_download fetches a URL with headers (the widget's
  // visitor token: never in a URL), saves the bytes under `name` through a blob: URL and calls
  // parley_on_downloaded(ctx, status).
  parley_file_pick: function(id) {
    var el = document.getElementById(UTF8ToString(id));
    if (el) el.click();
  },

  parley_file_release__deps: ['$ParleyDom'],
  parley_file_release: function(handle) { delete ParleyDom.files[handle]; },

  parley_file_upload__deps: ['$ParleyDom'],
  parley_file_upload: function(handle, url, headers, ctx) {
    var f = ParleyDom.files[handle];
    var u = UTF8ToString(url), h = ParleyDom.headers(headers);
    var done = function(status, text) {
      ParleyDom.callWithStrings(function(t) { _parley_on_uploaded(ctx, status, t); }, text);
    };
    if (!f) { done(0, ''); return; }
    fetch(u, {method: 'POST', credentials: 'same-origin', headers: h, body: f}).then(function(r) {
      return r.text().then(function(t) { done(r.status, t); }, function() { done(r.status, ''); });
    }).catch(function() { done(0, ''); });
  },

  parley_file_download__deps: ['$ParleyDom'],
  parley_file_download: function(url, headers, name, ctx) {
    var u = UTF8ToString(url), h = ParleyDom.headers(headers), n = UTF8ToString(name);
    fetch(u, {credentials: 'same-origin', headers: h}).then(function(r) {
      if (!r.ok) throw r.status;
      return r.blob();
    }).then(function(blob) {
      var href = URL.createObjectURL(blob);
      var a = document.createElement('a');
      a.href = href;
      a.download = n || 'file';
      a.rel = 'noopener';
      a.style.display = 'none';
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function() { URL.revokeObjectURL(href); }, 60000);
      _parley_on_downloaded(ctx, 200);
    }).catch(function(status) {
      _parley_on_downloaded(ctx, typeof status === 'number' ? status : 0);
    });
  },

  // An image attachment as a thumbnail (client/common/thumbs.hpp): fetch with the headers,
  // decode, scale to fit max_w x max_h, upload into GL texture `tex`; parley_on_image(ctx, w, h)
  // with the drawn size, or (ctx, 0, 0) when it failed.
  parley_image_load__deps: ['$ParleyDom'],
  parley_image_load: function(url, headers, tex, maxW, maxH, ctx) {
    var u = UTF8ToString(url), h = ParleyDom.headers(headers);
    fetch(u, {credentials: 'same-origin', headers: h}).then(function(r) {
      if (!r.ok) throw r.status;
      return r.blob();
    }).then(function(blob) {
      return createImageBitmap(blob);
    }).then(function(img) {
      var k = Math.min(1, maxW / img.width, maxH / img.height);
      var w = Math.max(1, Math.round(img.width * k)), hh = Math.max(1, Math.round(img.height * k));
      var c = document.createElement('canvas');
      c.width = w;
      c.height = hh;
      var g = c.getContext('2d');
      g.imageSmoothingEnabled = k < 1;
      g.drawImage(img, 0, 0, w, hh);
      var gl = GLctx, prev = gl.getParameter(gl.TEXTURE_BINDING_2D);
      gl.bindTexture(gl.TEXTURE_2D, GL.textures[tex]);
      gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
      gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, c);
      gl.bindTexture(gl.TEXTURE_2D, prev);
      _parley_on_image(ctx, w, hh);
    }).catch(function() { _parley_on_image(ctx, 0, 0); });
  },

  parley_ws_url__deps: ['$ParleyDom'],
  parley_ws_url: function(path) {
    return ParleyDom.cstr((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + UTF8ToString(path));
  },

  parley_query_param__deps: ['$ParleyDom'],
  parley_query_param: function(name) {
    var v = new URLSearchParams(location.search).get(UTF8ToString(name));
    return ParleyDom.cstr(v === null ? '' : v);
  },

  // A string set by the page on Module (e.g. the hashed font URLs); "" when absent.
  parley_module_string__deps: ['$ParleyDom'],
  parley_module_string: function(name) {
    var v = Module[UTF8ToString(name)];
    return ParleyDom.cstr(typeof v === 'string' ? v : '');
  },

  parley_clock_info: function(offsetPtr, hour12Ptr) {
    HEAP32[offsetPtr >> 2] = -new Date().getTimezoneOffset();
    var h12 = false;
    try { h12 = !!new Intl.DateTimeFormat(undefined, {hour: 'numeric'}).resolvedOptions().hour12; } catch (e) {}
    HEAP32[hour12Ptr >> 2] = h12 ? 1 : 0;
  },

  parley_network_online: function() { return navigator.onLine === false ? 0 : 1; },
  parley_document_visible: function() { return document.hidden ? 0 : 1; },
});
