/* Parley chat loader: <script src="https://RELAY/widget.js" data-tenant="acme" async></script>
 * Draws the launcher; the chat (an iframe from the relay) loads on the first click.
 * Across page loads of the host site it keeps a non-secret flag in the site's localStorage
 * ("parley:<tenant>": panel open, a conversation going on, unread count): a panel left open
 * reopens; a closed one with a conversation going on loads the small live page
 * (widget-live.html, no WebAssembly) that keeps the customer present and badges new replies.
 * On a site not in the tenant's allowed_sites it shows nothing and says why in the console. */
(function () {
  var me = document.currentScript;
  if (!me || window.ParleyWidget) return;
  var origin = new URL(me.src, location.href).origin;
  var tenant = me.getAttribute('data-tenant') || '';
  var cfg = {title: 'Chat with us', brand_color: '#2563eb', position: 'right'};
  var btn, badge, panel, frame, live, isOpen = false, ready = false, unread = 0, base = 0, active = false;
  var KEY = 'parley:' + (tenant || 'default');
  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify({o: isOpen ? 1 : 0, c: active ? 1 : 0, u: unread})); } catch (e) {}
  }

  var CHAT = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" ' +
    'd="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4.5 21l3.9-2c1.1.3 2.3.5 3.6.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3z"/></svg>';
  var CLOSE = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path stroke="currentColor" ' +
    'stroke-width="2.4" stroke-linecap="round" d="M6 6l12 12M18 6L6 18"/></svg>';

  function css(side) {
    return ':host{all:initial}' +
      '.b{position:fixed;bottom:20px;' + side + ':20px;z-index:2147483000;width:60px;height:60px;border:0;' +
      'border-radius:50%;cursor:pointer;color:#fff;display:flex;align-items:center;justify-content:center;' +
      'box-shadow:0 6px 20px rgba(0,0,0,.22);transition:transform .15s}.b:hover{transform:scale(1.06)}' +
      '.b:focus-visible{outline:3px solid #93c5fd}' +
      '.n{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;' +
      'border-radius:10px;background:#ef4444;color:#fff;font:700 12px/20px sans-serif;text-align:center}' +
      '.p{position:fixed;bottom:92px;' + side + ':20px;z-index:2147483000;width:380px;height:min(640px,calc(100% - 112px));' +
      'border-radius:16px;overflow:hidden;background:#fff;box-shadow:0 12px 48px rgba(0,0,0,.22);' +
      'opacity:0;transform:translateY(12px);transition:.18s;pointer-events:none}' +
      '.p.o{opacity:1;transform:none;pointer-events:auto}.p iframe{border:0;width:100%;height:100%;display:block}' +
      '@media (max-width:600px){.p{inset:0;width:100%;height:100%;border-radius:0}.p.o~.b{display:none}}' +
      '@media (prefers-reduced-motion:reduce){.b,.p{transition:none}}';
  }

  function post(msg) {
    if (frame && ready) frame.contentWindow.postMessage(msg, origin);
  }

  function setUnread(n) {
    unread = isOpen ? 0 : n;
    badge.textContent = unread > 9 ? '9+' : String(unread);
    badge.hidden = !unread;
    btn.setAttribute('aria-label', isOpen ? 'Close chat' : 'Open chat: ' + cfg.title +
      (unread ? ', ' + unread + (unread === 1 ? ' unread message' : ' unread messages') : ''));
    save();
  }

  function setLive(on) {
    if (on && !live) {
      live = document.createElement('iframe');
      live.hidden = true;
      live.title = 'Chat status';
      live.src = origin + '/widget-live.html?tenant=' + encodeURIComponent(tenant);
      panel.appendChild(live);
    } else if (!on && live) {
      live.remove();
      live = null;
    }
  }

  function toggle(open, restoring) {
    isOpen = open;
    if (open) setLive(false);  // the app takes over the connection
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.title = cfg.title;
      frame.allow = 'clipboard-write';
      frame.src = origin + '/widget.html?tenant=' + encodeURIComponent(tenant) + '&embed=1';
      panel.appendChild(frame);
    }
    panel.className = open ? 'p o' : 'p';
    panel.setAttribute('aria-hidden', String(!open));
    panel.inert = !open;  // a closed panel's frame is out of the Tab order
    btn.innerHTML = open ? CLOSE : CHAT;
    btn.appendChild(badge);
    btn.setAttribute('aria-expanded', String(open));
    setUnread(open ? 0 : unread);
    post(state());
    if (open && frame && !restoring) frame.focus();
  }

  function state() {
    return isOpen ? {type: 'parley:open', page: {url: location.href, title: document.title, referrer: document.referrer}}
                  : {type: 'parley:close'};
  }

  function mount() {
    var host = document.createElement('div');
    host.id = 'parley-widget';
    var root = host.attachShadow ? host.attachShadow({mode: 'open'}) : host;
    var style = document.createElement('style');
    style.textContent = css(cfg.position === 'left' ? 'left' : 'right');
    panel = document.createElement('div');
    panel.className = 'p';
    panel.setAttribute('aria-hidden', 'true');
    btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'b';
    btn.style.background = cfg.brand_color;
    badge = document.createElement('span');
    badge.className = 'n';
    badge.hidden = true;
    badge.setAttribute('aria-hidden', 'true');  // the count is in the button's label
    btn.onclick = function () { toggle(!isOpen); };
    root.appendChild(style);
    root.appendChild(panel);
    root.appendChild(btn);
    var f = load();
    active = !!f.c;
    unread = base = f.u | 0;
    toggle(!!f.o, true);
    if (!f.o && active) setLive(true);
    document.body.appendChild(host);
  }

  window.addEventListener('message', function (e) {
    if (e.origin !== origin || !e.data) return;
    var t = e.data.type;
    if (live && e.source === live.contentWindow) {  // the live page: replies since this page loaded
      if (t === 'parley:unread') setUnread(base + (e.data.count | 0));
      else if (t === 'parley:active' && !e.data.active) { active = false; setLive(false); save(); }
      return;
    }
    if (!frame || e.source !== frame.contentWindow) return;
    if (t === 'parley:ready') { ready = true; post(state()); }
    else if (t === 'parley:close') { toggle(false); btn.focus(); }  // Esc or the frame's close button
    else if (t === 'parley:unread') setUnread(isOpen ? 0 : e.data.count | 0);
    else if (t === 'parley:active') { active = !!e.data.active; save(); }
  });

  window.ParleyWidget = {open: function () { toggle(true); }, close: function () { toggle(false); }};

  function start() {
    fetch(origin + '/api/config?tenant=' + encodeURIComponent(tenant))
      .then(function (r) { return r.ok ? r.json() : {}; })
      .catch(function () { return {}; })
      .then(function (c) {
        if (c.embed_allowed === false) {
          return console.warn('Parley: ' + location.origin + ' may not embed the chat of tenant "' + (tenant || 'default') +
            '", so the launcher stays hidden. Add the site to the tenant\'s allowed_sites: parleyctl tenant set allowed_sites ' +
            location.origin);
        }
        for (var k in c) if (c[k] !== null && c[k] !== '') cfg[k] = c[k];
        mount();
      });
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
