// Message commands: chat.send_message, chat.typing, chat.seen; and the handlers' shared helpers.
#include "app/commands/handlers.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "parley/text.hpp"

namespace parley::relay::cmd {

// ---- shared helpers --------------------------------------------------------------------------------

ConvState* visible(HubState& hub, const Principal& who, const std::string& conv_id) {
  if (conv_id.empty() || !hub.reader) return nullptr;
  ConvState* cs = hub.convs.find_or_load(*hub.reader, who.tenant_id, conv_id);
  if (!cs || cs->live.tenant_id != who.tenant_id) return nullptr;
  if (who.is_customer() && cs->live.contact_id != who.contact_id) return nullptr;
  return cs;
}

Error not_found() { return make_error(ErrorCode::not_found, "no such conversation"); }

Decision duplicate_of(const ConvState& c, Seq dup, Json ack) {
  if (dup <= c.committed_seq()) return Decision::reply(std::move(ack));
  return Decision::persist(Transition{c.live, {}}, [ack = std::move(ack)](const ConvState&) { return ack; });
}

Json head_ack(const ConvState& cs) { return to_json(HeadAck{cs.committed.id, cs.committed_seq()}); }

void change(HubState& hub, ConvState& cs, std::function<Result<Transition>(const Conversation& live)> transition,
            AckFn ack) {
  hub.pipeline.submit(
      cs,
      [transition = std::move(transition)](ConvState& c) -> Decision {
        auto t = transition(c.live);
        if (!t) return Decision::reply(t.error());
        return Decision::persist(std::move(t).value(), head_ack);
      },
      std::move(ack));
}

void ensure_msg_ids(HubState& hub, ConvState& cs) {
  if (cs.msg_ids_loaded) return;
  if (cs.committed_seq() == 0 || !hub.reader) {
    cs.msg_ids_loaded = cs.committed_seq() == 0;
    return;
  }
  auto ids = hub.reader->recent_client_msg_ids(cs.live.tenant_id, cs.live.id, RecentIds::kCap);
  if (!ids) {
    log::error("could not load client_msg_ids", {{"conversation", cs.live.id}, {"error", ids.error().message}});
    return;  // the database's unique index still refuses a second copy
  }
  // Newest first from the store; the window keeps insertion order, so add oldest first.
  for (auto it = ids->rbegin(); it != ids->rend(); ++it) cs.msg_ids.add(it->first, it->second);
  cs.msg_ids_loaded = true;
}

// ---- chat.send_message -------------------------------------------------------------------------------

void send(HubState& hub, const Principal& who, ConnState* conn, const SendMessage& s, AckFn ack) {
  ConvState* cs = visible(hub, who, s.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  if (who.is_customer() && s.kind != MessageKind::text) {
    return ack(make_error(ErrorCode::forbidden, "customers send text messages", "kind"));
  }
  if (who.is_staff() && s.kind != MessageKind::text && s.kind != MessageKind::note) {
    return ack(make_error(ErrorCode::bad_field, "kind must be text or note", "kind"));
  }
  const std::string text(trim(s.text));
  if (text.empty()) return ack(make_error(ErrorCode::bad_field, "text is empty", "text"));
  // issue 11: a channel may refuse a staff message before anything is stored (WhatsApp's 24-hour
  // window: app/channels/hooks.hpp send_guard).
  if (who.is_staff() && s.kind == MessageKind::text && hub.channel_hooks.send_guard) {
    if (auto refused = hub.channel_hooks.send_guard(cs->live)) return ack(*refused);
  }
  if (!s.client_msg_id.empty()) ensure_msg_ids(hub, *cs);
  if (who.is_customer() && cs->live.status == Status::resolved && cs->write_queue.empty() && cs->inflight == 0 &&
      !(s.client_msg_id.empty() ? nullptr : cs->msg_ids.find(s.client_msg_id))) {
    const Tenant* t = hub.tenants.find(cs->live.tenant_id);
    if (on_customer_return(cs->live, hub.now(), policy_of(t ? t->settings : TenantSettings{})) ==
        CustomerReturn::start_new) {
      return follow_up(hub, who, conn, *cs, s, text, std::move(ack));
    }
  }

  Actor from = who.actor();
  if (who.is_customer()) {
    if (const Contact* k = hub.contacts.get(hub.reader, who.tenant_id, who.contact_id)) from.name = k->name;
  }
  const bool customer = who.is_customer();
  const std::string conv_id = cs->live.id, cmid = s.client_msg_id;
  const MessageKind kind = s.kind;
  auto decide = [&hub, from, text, cmid, kind, customer, conv_id](ConvState& c) -> Decision {
    if (!cmid.empty()) {
      if (const Seq* seq = c.msg_ids.find(cmid)) return duplicate_of(c, *seq, to_json(SendAck{conv_id, *seq, true, {}}));
    }
    const Tenant* t = hub.tenants.find(c.live.tenant_id);
    const ConversationPolicy policy = policy_of(t ? t->settings : TenantSettings{});
    Message m;
    m.client_msg_id = cmid;
    m.kind = kind;
    m.text = text;
    auto tr = post_message(c.live, from, std::move(m), hub.now(), policy);
    if (!tr) return Decision::reply(tr.error());
    const Seq seq = tr->events.back().seq;
    c.msg_ids.add(cmid, seq);
    metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
    Decision d = Decision::persist(std::move(tr).value(), [conv_id, seq](const ConvState&) {
      return to_json(SendAck{conv_id, seq, false, {}});
    });
    d.client_msg_id = cmid;
    if (customer) d.after = [&hub, conv_id, text] { assistant_turn(hub, conv_id, text); };
    return d;
  };
  hub.pipeline.submit(*cs, std::move(decide), std::move(ack));
}

// ---- ephemeral: typing, seen ----------------------------------------------------------------------------

namespace {
void ephemeral(HubState& hub, const Principal& who, ConnState* conn, const std::string& conv_id,
               std::string_view type, Json data, AckFn ack) {
  ConvState* cs = hub.convs.find(conv_id);  // only loaded conversations have anyone to tell
  if (!cs || cs->live.tenant_id != who.tenant_id || (who.is_customer() && cs->live.contact_id != who.contact_id) ||
      cs->committed_seq() == 0) {
    return ack(not_found());
  }
  Event e;
  e.conversation_id = conv_id;
  e.seq = 0;
  e.type = std::string(type);
  e.audience = Audience::everyone;
  e.at = hub.now();
  e.actor = who.actor();
  e.data = std::move(data);
  auto frame = std::make_shared<const std::string>(encode_event(e));
  for (std::uint64_t sub : cs->subscribers) {
    if (conn && sub == conn->id) continue;
    if (ConnState* to = hub.conns.find(sub)) to->send(frame);
  }
  if (hub.channel_hooks.on_signal) hub.channel_hooks.on_signal(cs->live, e.actor, e.type, e.data);
  ack(to_json(ConversationAck{conv_id}));
}
}  // namespace

void typing(HubState& hub, const Principal& who, ConnState* conn, const Typing& t, AckFn ack) {
  ephemeral(hub, who, conn, t.conversation_id, ev::typing, Json{{"typing", t.typing}}, std::move(ack));
}

void seen(HubState& hub, const Principal& who, ConnState* conn, const Seen& s, AckFn ack) {
  ephemeral(hub, who, conn, s.conversation_id, ev::seen, Json{{"seq", s.seq}}, std::move(ack));
}

}  // namespace parley::relay::cmd
