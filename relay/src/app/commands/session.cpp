// Connection-bound commands: hello, join (paged replay), leave, ping.
#include <algorithm>
#include <boost/asio/steady_timer.hpp>

#include "app/commands/handlers.hpp"
#include "app/offline/offline.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "store/auth.hpp"

namespace parley::relay::cmd {

// ---- hello ---------------------------------------------------------------------------------------

namespace {
// issue 9: whether people can answer now, for the widget's offline form (app/offline/).
Json with_availability(HubState& hub, const std::string& tenant_id, Json ack) {
  ack["availability"] = to_json(availability(hub, tenant_id));
  return ack;
}
}  // namespace

void hello(HubState& hub, const Principal& who, ConnState* conn, const Hello& h, AckFn ack) {
  if (who.is_staff()) {
    // Staff got inbox.snapshot on connect; the ack only confirms who they are.
    const Tenant* t = hub.tenants.find(who.tenant_id);
    const User& u = who.staff.user;
    StaffHelloAck a{StaffUser{u.id, u.username, u.display_name, u.role, u.tenant_id},
                    t ? t->settings.issue_types : std::vector<std::string>{}};
    return ack(to_json(a));
  }
  if (who.is_customer() || conn->hello_in_flight) {
    return ack(make_error(ErrorCode::forbidden, "this connection has already said hello"));
  }
  const Tenant* t = h.tenant.empty() ? &hub.tenants.default_tenant() : hub.tenants.find(h.tenant);
  if (!t) return ack(make_error(ErrorCode::bad_field, "unknown tenant", "tenant"));
  const std::string tenant_id = t->id;
  HelloAck out;
  out.tenant = TenantRegistry::public_config(*t);

  // A known visitor?
  if (h.token && !h.token->empty() && h.token->size() <= 200 && hub.reader) {
    auto v = hub.reader->find_visitor(sha256_hex(*h.token));
    if (!v) return ack(v.error());
    if (v->has_value() && (*v)->tenant_id == tenant_id) {
      const Contact* k = hub.contacts.get(hub.reader, tenant_id, (*v)->contact_id);
      conn->who.kind = Principal::Kind::customer;
      conn->who.tenant_id = tenant_id;
      conn->who.contact_id = (*v)->contact_id;
      conn->who.name = k ? k->name : "";
      const bool was_online = hub.contact_presence.online(conn->who.contact_id);
      hub.contact_presence.connected(conn->who.contact_id, hub.steady());
      if (!was_online) customer_presence_changed(hub, conn->who.contact_id);
      auto listed = hub.reader->contact_conversations(tenant_id, conn->who.contact_id, 20);
      if (listed) {
        for (const Conversation& c : *listed) {
          // The live committed state when the hub holds it (it may be newer than the row).
          ConvState* cs = hub.convs.find(c.id);
          out.conversations.push_back(cs && cs->committed_seq() > 0 ? cs->committed : c);
        }
      }
      std::sort(out.conversations.begin(), out.conversations.end(),
                [](const Conversation& a, const Conversation& b) { return a.created_at > b.created_at; });
      out.visitor_token = *h.token;
      out.contact_id = conn->who.contact_id;
      return ack(with_availability(hub, tenant_id, to_json(out)));
    }
  }

  // A new visitor. Nothing is stored yet: its contact and visitor rows are written with its
  // first chat.start (customer.cpp), under the per-address limit for new contacts.
  const std::string token = random_token(32);
  conn->who.kind = Principal::Kind::customer;
  conn->who.tenant_id = tenant_id;
  conn->who.contact_id = random_id("k_");
  conn->who.contact_stored = false;
  conn->who.visitor_hash = sha256_hex(token);
  hub.contact_presence.connected(conn->who.contact_id, hub.steady());
  out.visitor_token = token;
  out.new_visitor = true;
  out.contact_id = conn->who.contact_id;
  ack(with_availability(hub, tenant_id, to_json(out)));
}

// ---- join: replay in pages, then live --------------------------------------------------------------

namespace {

constexpr std::size_t kReplayPage = 200;
constexpr std::size_t kReplayBackoffBytes = 256 * 1024;

// One join's replay. The events up to the committed head are read from the database on a worker,
// a page at a time, and sent while the socket's send queue stays under kReplayBackoffBytes (else
// the replay waits for it to drain, as inbox.list pages are paced by their acks). When the cursor
// has caught up with the committed head (checked on the loop, where commits land), the socket is
// subscribed and the join acked in the same step: every later event reaches it live, none twice.
struct Replay : std::enable_shared_from_this<Replay> {
  Replay(HubState& h, std::uint64_t c, std::string t, std::string id, Seq after, bool s, AckFn a)
      : hub(h), conn_id(c), tenant_id(std::move(t)), conv_id(std::move(id)), cursor(after), staff(s),
        ack(std::move(a)), timer(h.io) {}
  HubState& hub;
  std::uint64_t conn_id;
  std::string tenant_id, conv_id;
  Seq cursor;
  bool staff;
  AckFn ack;
  boost::asio::steady_timer timer;

  void step() {
    ConnState* c = hub.conns.find(conn_id);
    ConvState* cs = hub.convs.find(conv_id);
    if (!c || c->closed || hub.stopped) return;
    if (!cs) return ack(make_error(ErrorCode::not_found, "no such conversation"));
    const Seq head = cs->committed_seq();
    if (cursor >= head) return finish(*c, *cs);
    if (c->queued_bytes() > kReplayBackoffBytes) {
      timer.expires_after(std::chrono::milliseconds(10));
      timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) self->step();
      });
      return;
    }
    auto self = shared_from_this();
    hub.on_worker([self, head](StoreReader* reader) -> std::function<void()> {
      if (!reader) return [self] { self->ack(make_error(ErrorCode::unavailable, "no database reader")); };
      auto page = std::make_shared<Result<std::vector<Event>>>(
          reader->events_after(self->tenant_id, self->conv_id, self->cursor, self->staff, kReplayPage));
      return [self, page, head] { self->sent(std::move(*page), head); };
    });
  }

  void sent(Result<std::vector<Event>> page, Seq head) {
    ConnState* c = hub.conns.find(conn_id);
    if (!c || c->closed) return;
    if (!page) {
      log::error("replay failed", {{"conversation", conv_id}, {"error", page.error().message}});
      return ack(make_error(ErrorCode::internal, "could not read the conversation"));
    }
    for (const Event& e : *page) {
      if (e.seq > head) break;
      c->send(encode_event(e));
      if (e.type == ev::new_message) metrics().messages_out.fetch_add(1, std::memory_order_relaxed);
      cursor = e.seq;
    }
    // A short page: nothing visible to this reader is left up to `head`.
    if (page->size() < kReplayPage) cursor = std::max(cursor, head);
    step();
  }

  void finish(ConnState& c, ConvState& cs) {
    cs.subscribers.insert(c.id);
    c.subs.insert(conv_id);
    JoinAck a;
    a.conversation_id = conv_id;
    a.head_seq = cs.committed_seq();
    Json j = to_json(a);
    j["conversation"] = staff ? hub.summary(cs.committed) : to_json(cs.committed, false);
    // Staff: whether the customer is connected now (live changes: chat.customer_presence).
    if (staff) j["customer_online"] = hub.contact_presence.online(cs.live.contact_id);
    ack(std::move(j));
  }
};

}  // namespace

void join(HubState& hub, const Principal& who, ConnState* conn, const Join& j, AckFn ack) {
  ConvState* cs = visible(hub, who, j.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  if (conn->subs.count(cs->live.id)) {  // already joined: nothing to replay twice
    cs->subscribers.erase(conn->id);
    conn->subs.erase(cs->live.id);
  }
  auto r = std::make_shared<Replay>(hub, conn->id, cs->live.tenant_id, cs->live.id, j.after_seq, who.is_staff(),
                                    std::move(ack));
  r->step();
}

void customer_presence_changed(HubState& hub, const std::string& contact_id) {
  const bool online = hub.contact_presence.online(contact_id);
  for (ConvState* cs : hub.convs.of_contact(contact_id)) {
    Event e;
    e.conversation_id = cs->live.id;
    e.seq = 0;  // ephemeral: neither stored nor replayed
    e.type = std::string(ev::customer_presence);
    e.audience = Audience::staff;
    e.at = hub.now();
    e.actor = Actor{Role::system, "system", ""};
    e.data = Json{{"online", online}};
    auto frame = std::make_shared<const std::string>(encode_event(e));
    for (std::uint64_t sub : cs->subscribers) {
      ConnState* to = hub.conns.find(sub);
      if (to && to->who.is_staff()) to->send(frame);
    }
  }
}

void leave(HubState& hub, const Principal&, ConnState* conn, const Leave& l, AckFn ack) {
  conn->subs.erase(l.conversation_id);
  if (ConvState* cs = hub.convs.find(l.conversation_id)) {
    cs->subscribers.erase(conn->id);
    hub.convs.maybe_evict(l.conversation_id);
  }
  ack(to_json(ConversationAck{l.conversation_id}));
}

void ping(HubState& hub, const Principal&, ConnState*, const Ping&, AckFn ack) {
  ack(to_json(PingAck{hub.now()}));
}

}  // namespace parley::relay::cmd
