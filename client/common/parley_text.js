// parley_text.js: the browser side of client/common/text.cpp (linked with --js-library).
//
// The browser shapes and rasterises text: OffscreenCanvas 2D measureText/fillText do complex
// shaping (Arabic joining, Devanagari conjuncts, Thai marks), bidi reordering inside a line,
// colour emoji and per-character font fallback to the system's fonts; Intl.Segmenter finds the
// places where a line may break (words, Thai words without spaces, CJK). The first font is the
// apps' own DejaVu subset, registered as a FontFace from the bytes the app already downloaded, so
// Latin drawn here looks like the ImGui-drawn interface. C++ owns the atlas (which texels hold
// which run, client/common/text_cache.hpp); this file only measures, wraps, draws a run into a
// texture page and counts characters no font could draw.
mergeInto(LibraryManager.library, {
  $ParleyText__deps: ['malloc'],
  $ParleyText: {
    canvas: null,
    ctx: null,
    probeCtx: null,
    segmenters: {},
    glyphs: null,        // Map: code point -> true (has a glyph) / false (drawn as a box); boot()
    missing: [],         // code points without a glyph, in the order found
    checked: 0,          // distinct code points checked
    notdef: null,        // the missing-glyph box: {w, sig}
    family: '"Parley Sans", sans-serif',
    context: function() {
      if (!ParleyText.ctx) {
        ParleyText.canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(64, 64)
                                                                   : document.createElement('canvas');
        ParleyText.ctx = ParleyText.canvas.getContext('2d');
      }
      return ParleyText.ctx;
    },
    // Font, language and direction (a canvas resize resets them: set after every resize).
    setup: function(ctx, weight, px, lang, rtl) {
      ctx.font = (weight ? '700 ' : '400 ') + px + 'px ' + ParleyText.family;
      ctx.lang = lang || document.documentElement.lang || '';
      ctx.direction = rtl ? 'rtl' : 'ltr';
      ctx.textBaseline = 'alphabetic';
      ctx.textAlign = rtl ? 'right' : 'left';
    },
    segmenter: function(lang, granularity) {
      var key = (lang || '') + '|' + granularity;
      if (!ParleyText.segmenters[key]) {
        var seg = null;
        if (typeof Intl !== 'undefined' && Intl.Segmenter) {
          try {
            seg = new Intl.Segmenter(lang || undefined, {granularity: granularity});
          } catch (e) {
            seg = new Intl.Segmenter(undefined, {granularity: granularity});
          }
        } else {
          // No Intl.Segmenter (older browsers): words at spaces, code points for graphemes.
          seg = {segment: function(s) {
            var parts = granularity === 'word' ? s.split(/(\s+)/) : Array.from(s);
            return parts.filter(function(p) { return p !== ''; }).map(function(p) { return {segment: p}; });
          }};
        }
        ParleyText.segmenters[key] = seg;
      }
      return ParleyText.segmenters[key];
    },
    // A small signature of how `ch` is drawn: its width and a hash of its pixels.
    signature: function(ch) {
      if (!ParleyText.probeCtx) {
        var c = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(48, 48) : document.createElement('canvas');
        c.width = 48; c.height = 48;
        ParleyText.probeCtx = c.getContext('2d', {willReadFrequently: true});
      }
      var p = ParleyText.probeCtx;
      p.clearRect(0, 0, 48, 48);
      p.font = '400 28px ' + ParleyText.family;
      p.direction = 'ltr';
      p.textAlign = 'left';
      p.textBaseline = 'alphabetic';
      p.fillStyle = '#000';
      p.fillText(ch, 4, 34);
      var data = p.getImageData(0, 0, 48, 48).data, h = 2166136261;
      for (var i = 3; i < data.length; i += 4) h = Math.imul(h ^ data[i], 16777619);
      return {w: Math.round(p.measureText(ch).width * 8), sig: h >>> 0};
    },
    // Has some font a glyph for code point `cp`? Characters that draw nothing by design
    // (spaces, controls, format characters, combining marks checked with their base) are not
    // asked. A character is missing when it draws exactly like a private-use character of plane
    // 16, which no font has: the box of the first font's .notdef glyph.
    hasGlyph: function(cp) {
      if (cp >= 0x20 && cp < 0x7F) return true;  // printable ASCII: in the apps' own font
      var known = ParleyText.glyphs.get(cp);
      if (known !== undefined) return known;
      var ch = String.fromCodePoint(cp);
      var ok = true;
      if (!ParleyText.silent.test(ch)) {
        if (!ParleyText.notdef) ParleyText.notdef = ParleyText.signature('\u{10FFFD}');
        var s = ParleyText.signature(ch);
        ok = !(s.w === ParleyText.notdef.w && s.sig === ParleyText.notdef.sig);
        ParleyText.checked++;
        if (!ok) ParleyText.missing.push(cp);
      }
      ParleyText.glyphs.set(cp, ok);
      return ok;
    },
    check: function(s) {
      for (var i = 0; i < s.length; i++) {
        var cp = s.codePointAt(i);
        if (cp > 0xFFFF) i++;
        if (cp >= 0x20 && cp < 0x7F) continue;
        ParleyText.hasGlyph(cp);
      }
    },
    // No line break before closing punctuation, after opening punctuation, or around a no-break
    // space / word joiner (a small part of UAX #14; the word segmenter gives the rest).
    // (Made in boot(): Emscripten's library serialiser keeps no Map or RegExp values.)
    noBreakBefore: null,
    noBreakAfter: null,
    isSpace: null,
    isPunct: null,
    silent: null,
    boot: function() {
      if (ParleyText.glyphs) return;
      ParleyText.glyphs = new Map();
      ParleyText.noBreakBefore =
        new RegExp('^[\\p{Pe}\\p{Pf}\\p{Po}\\u00A0\\u2060\\u200D\\u3001\\u3002\\uFF0C\\uFF0E\\uFF1A\\uFF1B\\uFF01\\uFF1F\\u30FC]', 'u');
      ParleyText.noBreakAfter = new RegExp('[\\p{Ps}\\p{Pi}\\u00A0\\u2060\\u200D]$', 'u');
      ParleyText.isSpace = new RegExp('^\\s+$', 'u');
      ParleyText.isPunct = new RegExp('^\\p{P}+$', 'u');
      ParleyText.silent = new RegExp('^[\\p{White_Space}\\p{Cc}\\p{Cf}\\p{M}\\p{Cs}]$', 'u');
    },
  },

  // Registers the apps' font bytes as the "Parley Sans" family (400 and 700) and calls
  // parley_on_text_ready() once both are usable (or failed: the system's sans-serif is used).
  parley_text_init__deps: ['$ParleyText'],
  parley_text_init: function(regular, regularLen, bold, boldLen) {
    ParleyText.boot();
    var faces = [];
    var add = function(ptr, len, weight) {
      if (!ptr || len <= 0 || typeof FontFace === 'undefined') return;
      try {
        var face = new FontFace('Parley Sans', HEAPU8.slice(ptr, ptr + len), {weight: weight});
        document.fonts.add(face);
        faces.push(face.load());
      } catch (e) {}
    };
    add(regular, regularLen, '400');
    add(bold, boldLen, '700');
    var done = function() {
      ParleyText.glyphs.clear();
      ParleyText.notdef = null;
      _parley_on_text_ready();
    };
    Promise.all(faces).then(done, done);
    // A lost WebGL context takes every texture with it: draw again once it is back.
    var canvas = Module['canvas'];
    canvas.addEventListener('webglcontextlost', function(e) { e.preventDefault(); }, false);
    canvas.addEventListener('webglcontextrestored', function() { _parley_on_gl_restored(); }, false);
  },

  parley_text_measure__deps: ['$ParleyText'],
  parley_text_measure: function(text, weight, px, lang, rtl) {
    var s = UTF8ToString(text), ctx = ParleyText.context();
    ParleyText.setup(ctx, weight, px, UTF8ToString(lang), rtl);
    ParleyText.check(s);
    return ctx.measureText(s).width;
  },

  // Wraps `text` (UTF-8) at `maxWidth` px. Returns a malloc'd int32 array (the caller frees):
  // [n, then per line: byte begin, byte end (trailing spaces excluded), width * 64].
  parley_text_wrap__deps: ['$ParleyText', 'malloc'],
  parley_text_wrap: function(text, weight, px, lang, rtl, maxWidth) {
    var s = UTF8ToString(text), l = UTF8ToString(lang), ctx = ParleyText.context();
    ParleyText.setup(ctx, weight, px, l, rtl);
    ParleyText.check(s);
    var out = [];
    var widthOf = function(t) { return ctx.measureText(t).width; };
    var emit = function(begin, str) {
      var trimmed = str.replace(/\s+$/, '');
      out.push(begin, begin + lengthBytesUTF8(trimmed), Math.round(widthOf(trimmed) * 64));
    };
    var words = ParleyText.segmenter(l, 'word'), graphemes = ParleyText.segmenter(l, 'grapheme');
    var base = 0;
    s.split('\n').forEach(function(para) {
      // Units that must stay on one line: words with their trailing spaces and punctuation.
      // Punctuation after a space (an opening quote, "¿") opens what follows; otherwise it
      // closes what precedes.
      var units = [], glue = false;
      for (var seg of words.segment(para)) {
        var t = seg.segment, last = units.length - 1;
        if (last >= 0 && glue) {
          units[last] += t;
          glue = false;
        } else if (last >= 0 && (ParleyText.isSpace.test(t) || ParleyText.noBreakAfter.test(units[last]) ||
                                 (ParleyText.noBreakBefore.test(t) && !/\s$/.test(units[last])))) {
          units[last] += t;
        } else {
          units.push(t);
          glue = ParleyText.isPunct.test(t);
        }
      }
      var line = '', lineW = 0, lineBegin = base, pos = base;
      var flush = function() {
        if (line !== '') emit(lineBegin, line);
        line = '';
        lineW = 0;
        lineBegin = pos;
      };
      units.forEach(function(u) {
        var uw = widthOf(u.replace(/\s+$/u, ''));
        if (line !== '' && lineW + uw > maxWidth) flush();
        if (uw > maxWidth) {
          // A word wider than the line: break it between graphemes.
          for (var g of graphemes.segment(u)) {
            var gw = widthOf(line + g.segment);
            if (line !== '' && gw > maxWidth && !ParleyText.isSpace.test(g.segment)) flush();
            line += g.segment;
            lineW = widthOf(line);
            pos += lengthBytesUTF8(g.segment);
          }
          return;
        }
        line += u;
        lineW += widthOf(u);
        pos += lengthBytesUTF8(u);
      });
      if (line !== '' || units.length === 0) {
        if (line === '') out.push(lineBegin, lineBegin, 0);
        else emit(lineBegin, line);
      }
      base += lengthBytesUTF8(para) + 1;
    });
    var n = out.length / 3;
    var ptr = _malloc((1 + out.length) * 4);
    HEAP32[ptr >> 2] = n;
    for (var i = 0; i < out.length; i++) HEAP32[(ptr >> 2) + 1 + i] = out[i];
    return ptr;
  },

  // Draws `text` in a w x h box (baseline at `baseline` px from its top; `pad` px left of the
  // start edge) and copies the box into texture `tex` (a GL name) at texel (x, y).
  parley_text_draw__deps: ['$ParleyText'],
  parley_text_draw: function(text, weight, px, lang, rtl, rgba, tex, x, y, w, h, baseline, pad) {
    var s = UTF8ToString(text), ctx = ParleyText.context(), c = ParleyText.canvas;
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    } else {
      ctx.clearRect(0, 0, w, h);
    }
    ParleyText.setup(ctx, weight, px, UTF8ToString(lang), rtl);
    ctx.fillStyle = 'rgba(' + (rgba & 255) + ',' + ((rgba >>> 8) & 255) + ',' + ((rgba >>> 16) & 255) + ',' +
                    (((rgba >>> 24) & 255) / 255) + ')';
    ctx.fillText(s, rtl ? w - pad : pad, baseline);
    var gl = GLctx, prev = gl.getParameter(gl.TEXTURE_BINDING_2D);
    gl.bindTexture(gl.TEXTURE_2D, GL.textures[tex]);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, x, y, w, h, gl.RGBA, gl.UNSIGNED_BYTE, c);
    gl.bindTexture(gl.TEXTURE_2D, prev);
  },

  // Characters found without a glyph so far: writes the count and up to `cap` code points.
  parley_text_missing__deps: ['$ParleyText'],
  parley_text_missing: function(out, cap) {
    var m = ParleyText.missing;
    for (var i = 0; i < m.length && i < cap; i++) HEAP32[(out >> 2) + i] = m[i];
    return m.length;
  },
  parley_text_browser_lang__deps: ['malloc'],
  parley_text_browser_lang: function() {
    var s = (navigator.languages && navigator.languages[0]) || navigator.language || '';
    var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
    stringToUTF8(s, p, n);
    return p;
  },
  parley_text_checked__deps: ['$ParleyText'],
  parley_text_checked: function() { return ParleyText.checked; },
});
