// a11y_mirror.js: the DOM side of client/common/a11y_mirror.cpp (linked with --js-library).
//
// Keeps <div id="parley-a11y"> (created when the page lacks it) in step with the frame's
// declarations: one element per node, in the declared order, leaves placed over what the canvas
// drew (transparent; only the focus ring shows), names in clipped text (screen readers read it,
// nobody sees it). Owns no app state: every change comes from C++ as a JSON diff, and DOM events
// go back through _parley_a11y_event(kind, id) (1 activate, 2 focus, 3 blur, 4 Esc, 5 window blur).
//
// Keyboard: parley_dom.js's key guard (the first capture listener on window) asks
// Module.parleyA11yKey(e) first, so keys on mirror nodes never reach GLFW. Here: Enter/Space
// activate role=option/menuitem/radio nodes (buttons do it natively), arrows move the roving
// focus in listbox/menu/radiogroup/log containers, Esc reports a cancel, and Tab stays inside
// an open dialog.
mergeInto(LibraryManager.library, {
  $ParleyA11y: {
    root: null,
    roving: {listbox: 1, menu: 1, radiogroup: 1, log: 1},
    focusable: {button: 1, option: 1, menuitem: 1, radio: 1},
    num: function(id) { return /^pa-[0-9a-f]{8}$/.test(id || '') ? parseInt(id.slice(3), 16) >>> 0 : 0; },
    node: function(el) {
      while (el && el !== ParleyA11y.root) {
        if (el.dataset && el.dataset.paRole) return el;
        el = el.parentNode;
      }
      return null;
    },
    create: function(u) {
      var tag = u.r === 'button' ? 'button' : 'div';
      var el = document.createElement(tag);
      el.id = u.id;
      el.className = 'pa-node' + (u.c ? ' pa-box' : ' pa-leaf');
      el.dataset.paRole = u.r;
      if (tag === 'button') el.type = 'button';
      else if (u.r !== 'text' && u.r !== 'group') el.setAttribute('role', u.r);  // a group is a quiet wrapper
      if (u.r === 'heading') el.setAttribute('aria-level', '2');
      if (u.r === 'log') el.setAttribute('aria-live', 'off');
      if (u.r === 'dialog') el.setAttribute('aria-modal', 'true');
      if (ParleyA11y.focusable[u.r] && tag !== 'button') el.tabIndex = -1;
      el.addEventListener('click', function(e) {
        e.preventDefault();
        _parley_a11y_event(1, ParleyA11y.num(el.id));
      });
      return el;
    },
    update: function(el, u) {
      var labelled = u.c && u.r !== 'listitem' && u.r !== 'group';
      if (labelled || (u.c && u.n)) {
        if (u.n) el.setAttribute('aria-label', u.n); else el.removeAttribute('aria-label');
      }
      if (!u.c || u.r === 'listitem' || u.r === 'group') {
        var span = el.firstChild && el.firstChild.className === 'pa-name' ? el.firstChild : null;
        if (!u.c || u.n) {
          if (!span) {
            span = document.createElement('span');
            span.className = 'pa-name';
            el.insertBefore(span, el.firstChild);
          }
          if (span.textContent !== u.n) span.textContent = u.n;
          if (u.c) el.removeAttribute('aria-label');
        }
      }
      var s = u.s || {};
      var flag = function(attr, v) {
        if (v === undefined) el.removeAttribute(attr); else el.setAttribute(attr, String(v));
      };
      flag('aria-pressed', s.pressed);
      flag('aria-expanded', s.expanded);
      flag('aria-selected', s.selected);
      flag('aria-checked', s.checked);
      flag('aria-current', s.current ? 'true' : undefined);
      flag('aria-haspopup', s.haspopup ? 'menu' : undefined);
      flag('aria-disabled', s.disabled ? 'true' : undefined);
      if (!u.c) {
        var st = el.style;
        if (u.w > 0) {
          st.left = u.x + 'px'; st.top = u.y + 'px'; st.width = u.w + 'px'; st.height = u.h + 'px';
          el.classList.remove('pa-off');
        } else {
          st.left = '0px'; st.top = '0px'; st.width = '1px'; st.height = '1px';
          el.classList.add('pa-off');
        }
      }
    },
    parentEl: function(id) {
      return (id && document.getElementById(id)) || ParleyA11y.root;
    },
    order: function(parent, ids) {
      var first = parent.firstChild;
      if (first && first.className === 'pa-name') first = first.nextSibling;
      var cur = first;
      for (var i = 0; i < ids.length; ++i) {
        var el = document.getElementById(ids[i]);
        if (!el) continue;
        if (el === cur) { cur = cur.nextSibling; continue; }
        if (el.contains(document.activeElement) && el.parentNode === parent) {
          // Moving a focused element would blur it: move what stands before it instead.
          while (cur && cur !== el) { var next = cur.nextSibling; parent.appendChild(cur); cur = next; }
          cur = el.nextSibling;
          continue;
        }
        parent.insertBefore(el, cur);
      }
    },
    // One Tab stop per roving container: the selected/checked item, else the one focused last,
    // else the first (a log: the last, the newest).
    rove: function(box) {
      var items = ParleyA11y.items(box);
      if (!items.length) return;
      var stop = null;
      for (var i = 0; i < items.length; ++i) {
        var a = items[i];
        if (a.getAttribute('aria-selected') === 'true' || a.getAttribute('aria-checked') === 'true') stop = a;
      }
      if (!stop && box.paLast && box.contains(box.paLast)) stop = box.paLast;
      if (!stop) stop = box.dataset.paRole === 'log' ? items[items.length - 1] : items[0];
      for (var k = 0; k < items.length; ++k) {
        var t = items[k] === stop ? 0 : -1;
        if (items[k].tabIndex !== t) items[k].tabIndex = t;
      }
    },
    items: function(box) {
      var out = [];
      var all = box.querySelectorAll('[data-pa-role]');
      for (var i = 0; i < all.length; ++i) {
        if (ParleyA11y.focusable[all[i].dataset.paRole] && all[i].getAttribute('aria-disabled') !== 'true') out.push(all[i]);
      }
      return out;
    },
    roveBox: function(el) {
      var p = el.parentNode;
      while (p && p !== ParleyA11y.root) {
        if (p.dataset && ParleyA11y.roving[p.dataset.paRole]) return p;
        p = p.parentNode;
      }
      return null;
    },
    dialog: function() {
      return ParleyA11y.root ? ParleyA11y.root.querySelector('[data-pa-role="dialog"]') : null;
    },
    tabbables: function(box) {
      var all = box.querySelectorAll('button, [tabindex], textarea, input');
      var out = [];
      for (var i = 0; i < all.length; ++i) {
        var el = all[i];
        if (el.tabIndex < 0 || el.disabled || el.offsetParent === null && el.style.display === 'none') continue;
        if (getComputedStyle(el).display === 'none') continue;
        out.push(el);
      }
      return out;
    },
    // From parley_dom.js's key guard: true when the key belongs to the DOM (GLFW must not see it).
    key: function(e) {
      var el = document.activeElement;
      var dlg = ParleyA11y.dialog();
      if (e.type === 'keydown' && e.key === 'Tab' && dlg && dlg.contains(el)) {
        var list = ParleyA11y.tabbables(dlg);
        if (list.length) {
          var i = list.indexOf(el);
          if (e.shiftKey && i <= 0) { e.preventDefault(); list[list.length - 1].focus(); }
          else if (!e.shiftKey && i === list.length - 1) { e.preventDefault(); list[0].focus(); }
        }
        return true;
      }
      var n = ParleyA11y.node(el);
      if (!n || el !== n) return e.key === 'Tab';  // Tab is the browser's, never GLFW's
      if (e.type !== 'keydown') return true;
      var role = n.dataset.paRole;
      if (e.key === 'Escape') {
        e.preventDefault();
        _parley_a11y_event(4, ParleyA11y.num(n.id));
        return true;
      }
      if ((e.key === 'Enter' || e.key === ' ') && role !== 'button' && ParleyA11y.focusable[role]) {
        e.preventDefault();
        n.click();
        return true;
      }
      var box = ParleyA11y.roveBox(n);
      if (box) {
        var items = ParleyA11y.items(box), at = items.indexOf(n), to = -1;
        if (e.key === 'ArrowDown' || e.key === 'ArrowRight') to = Math.min(items.length - 1, at + 1);
        else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') to = Math.max(0, at - 1);
        else if (e.key === 'Home') to = 0;
        else if (e.key === 'End') to = items.length - 1;
        if (to >= 0) {
          e.preventDefault();
          if (to !== at) {
            items[to].focus();
            if (box.dataset.paRole === 'radiogroup') items[to].click();
          }
        }
      }
      return true;
    },
  },

  parley_a11y_init__deps: ['$ParleyA11y'],
  parley_a11y_init: function() {
    var root = document.getElementById('parley-a11y');
    if (!root) {
      root = document.createElement('div');
      root.id = 'parley-a11y';
      document.body.insertBefore(root, document.body.firstChild);
    }
    ParleyA11y.root = root;
    Module['parleyA11yKey'] = ParleyA11y.key;
    document.addEventListener('focusin', function(e) {
      var n = ParleyA11y.node(e.target);
      var dlg = ParleyA11y.dialog();
      // A click on the canvas (mouse users) may take the focus; keyboard focus stays in the dialog.
      if (dlg && !dlg.contains(e.target) && e.target !== document.body && e.target !== Module['canvas']) {
        var list = ParleyA11y.tabbables(dlg);
        if (list.length) { list[0].focus(); return; }
      }
      if (n && n === e.target) {
        var box = ParleyA11y.roveBox(n);
        if (box) { box.paLast = n; ParleyA11y.rove(box); }
        _parley_a11y_event(2, ParleyA11y.num(n.id));
      }
    });
    document.addEventListener('focusout', function(e) {
      var n = ParleyA11y.node(e.target);
      if (n && n === e.target) _parley_a11y_event(3, ParleyA11y.num(n.id));
    });
    window.addEventListener('blur', function() { _parley_a11y_event(5, 0); });
  },

  parley_a11y_apply__deps: ['$ParleyA11y'],
  parley_a11y_apply: function(json) {
    var root = ParleyA11y.root;
    if (!root) return;
    var msg = JSON.parse(UTF8ToString(json));
    var touched = [];
    msg.up.forEach(function(u) {
      var el = document.getElementById(u.id);
      if (u.f) {
        if (el && el.parentNode !== ParleyA11y.parentEl(u.p) && !el.contains(document.activeElement)) {
          ParleyA11y.parentEl(u.p).appendChild(el);
        }
        if (el && !el.hasAttribute('data-parley-field')) el.hidden = false;
        if (el) el.dataset.paAdopted = '1';
        return;
      }
      if (!el) {
        el = ParleyA11y.create(u);
        ParleyA11y.parentEl(u.p).appendChild(el);
      } else if (el.dataset.paRole !== u.r) {
        var fresh = ParleyA11y.create(u);
        el.parentNode.replaceChild(fresh, el);
        while (el.firstChild) fresh.appendChild(el.firstChild);
        el = fresh;
      }
      var parent = ParleyA11y.parentEl(u.p);
      if (el.parentNode !== parent) parent.appendChild(el);
      ParleyA11y.update(el, u);
      touched.push(el);
    });
    msg.rm.forEach(function(id) {
      var el = document.getElementById(id);
      if (!el) return;
      if (el.dataset.paAdopted) {
        if (!el.hasAttribute('data-parley-field')) el.hidden = true;
        return;
      }
      // Adopted fields inside a removed container go back to the root first.
      var adopted = el.querySelectorAll('[data-pa-adopted]');
      for (var i = 0; i < adopted.length; ++i) root.appendChild(adopted[i]);
      if (el.contains(document.activeElement)) el.blur && document.activeElement.blur();
      el.remove();
    });
    for (var pid in msg.ord) ParleyA11y.order(ParleyA11y.parentEl(pid), msg.ord[pid]);
    var boxes = root.querySelectorAll('[data-pa-role="listbox"],[data-pa-role="menu"],[data-pa-role="radiogroup"],[data-pa-role="log"]');
    for (var b = 0; b < boxes.length; ++b) ParleyA11y.rove(boxes[b]);
    if (msg.focus) {
      var f = document.getElementById(msg.focus);
      if (f) f.focus({preventScroll: true});
    }
  },
});
