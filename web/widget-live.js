/* Parley live badge (web/widget-live.html): the chat's presence without the app.
 * Runs in a hidden iframe of the relay's origin, so it reads the visitor token the widget keeps
 * in this origin's storage (nothing secret crosses to the host page). It says hello with that
 * token, joins the open conversation from its head (so only new events arrive) and tells the
 * loader: {type:'parley:unread', count} for each new reply from the assistant or staff,
 * {type:'parley:active', active:false} when there is no conversation going on. It reconnects
 * with a short backoff and pings like the app, so the relay sees the customer as present. */
(function () {
  var q = new URLSearchParams(location.search);
  var tenant = q.get('tenant') || '';
  var token = '';
  try { token = localStorage.getItem('parley.visitor.' + (tenant || 'default')) || ''; } catch (e) {}
  var post = function (m) { try { parent.postMessage(m, '*'); } catch (e) {} };
  if (!token) { post({type: 'parley:active', active: false}); return; }
  var n = 0, wait = 500, conv = '', head = 0, ids = 0, ping = 0, done = false;
  window.parleyLive = {replies: function () { return n; }, conversation: function () { return conv; }};
  function send(ws, type, f) {
    f = f || {};
    f.v = 1; f.type = type; f.id = 'l' + (++ids);
    ws.send(JSON.stringify(f));
  }
  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    ws.onopen = function () {
      wait = 500;
      send(ws, 'hello', {tenant: tenant, token: token});
      ping = setInterval(function () { send(ws, 'ping'); }, 25000);
    };
    ws.onmessage = function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (x) { return; }
      if (f.type === 'ack' && f.data && f.data.visitor_token !== undefined) {
        if (conv) return send(ws, 'chat.join', {conversation_id: conv, after_seq: head});
        var open = (f.data.conversations || []).filter(function (c) { return c.status !== 'resolved'; })[0];
        if (!open) { done = true; post({type: 'parley:active', active: false}); return ws.close(1000); }
        conv = open.id;
        head = open.head_seq || 0;
        send(ws, 'chat.join', {conversation_id: conv, after_seq: head});
      } else if (f.conversation_id === conv && f.seq > 0) {
        head = Math.max(head, f.seq);
        var role = f.actor && f.actor.role;
        if (f.type === 'chat.new_message' && (role === 'agent' || role === 'bot')) post({type: 'parley:unread', count: ++n});
        if (f.type === 'chat.resolved' || f.type === 'chat.ended') post({type: 'parley:active', active: false});
      }
    };
    ws.onclose = function () {
      clearInterval(ping);
      if (done) return;
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 8000);
    };
  }
  connect();
})();
