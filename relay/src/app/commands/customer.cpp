// Customer commands: chat.start, chat.end, chat.request_human.
#include "app/commands/handlers.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"

namespace parley::relay::cmd {

namespace {

// A re-sent chat.start (same client_msg_id) answers with the conversation it created, once
// that has committed; the client then joins it from its cursor (docs/protocol.md).
bool answer_duplicate_start(HubState& hub, const Principal& who, ConnState* conn, const std::string& cmid,
                            AckFn& ack) {
  ConvState* found = nullptr;
  Seq seq = 0;
  for (ConvState* cs : hub.convs.of_contact(who.contact_id)) {
    if (cs->live.tenant_id != who.tenant_id) continue;
    ensure_msg_ids(hub, *cs);
    if (const Seq* s = cs->msg_ids.find(cmid)) {
      found = cs;
      seq = *s;
      break;
    }
  }
  if (!found && hub.reader) {
    auto ref = hub.reader->find_message_by_client_msg_id(who.tenant_id, cmid);
    if (ref && ref->has_value()) {
      ConvState* cs = hub.convs.find_or_load(*hub.reader, who.tenant_id, (*ref)->conversation_id);
      if (cs && cs->live.contact_id == who.contact_id) {
        found = cs;
        seq = (*ref)->seq;
      }
    }
  }
  if (!found) return false;
  const std::string id = found->live.id;
  (void)conn;  // not subscribed: the client joins from its cursor next (replay, then live)
  WritePipeline::wait_committed(*found, seq, [&hub, id, ack = std::move(ack)](bool ok) {
    if (!ok) return ack(make_error(ErrorCode::unavailable, "the original start was not stored"));
    ConvState* cs = hub.convs.find(id);
    ack(to_json(StartAck{id, cs ? cs->committed_seq() : 0, true}));
  });
  return true;
}

}  // namespace

void start(HubState& hub, const Principal& who, ConnState* conn, const ChatStart& s, AckFn ack) {
  if (!s.client_msg_id.empty() && answer_duplicate_start(hub, who, conn, s.client_msg_id, ack)) return;
  const std::string text(trim(s.text));
  if (!s.client_msg_id.empty() && text.empty()) {
    return ack(make_error(ErrorCode::missing_field, "a first message needs text", "text"));
  }
  // A new visitor's first conversation stores its contact: bounded per address.
  const bool new_contact = !who.contact_stored;
  if (new_contact && conn && !hub.new_visitors.take(conn->conn->remote_addr(), hub.steady())) {
    return ack(make_error(ErrorCode::rate_limited, "too many new conversations from this address; try again soon"));
  }
  const Millis at = hub.now();
  const Tenant* t = hub.tenants.find(who.tenant_id);
  const TenantSettings settings = t ? t->settings : TenantSettings{};
  const ConversationPolicy policy{settings.assistant_enabled};

  Conversation init;
  init.id = random_id("c_");
  init.tenant_id = who.tenant_id;
  init.contact_id = who.contact_id;
  init.channel = Channel::web;
  init.priority = s.priority;
  init.topic = s.topic;
  init.answered_by = settings.assistant_enabled ? Answerer::builtin : Answerer::none;
  init.page_url = s.page.url;
  init.page_title = s.page.title;
  init.page_referrer = s.page.referrer;

  // The contact's name and email from the pre-chat form.
  Contact k;
  if (!new_contact) {
    if (const Contact* known = hub.contacts.get(hub.reader, who.tenant_id, who.contact_id)) k = *known;
  }
  k.id = who.contact_id;
  k.tenant_id = who.tenant_id;
  if (new_contact) {
    k.channel = Channel::web;
    k.created_at = at;
  }
  const bool contact_changed = (!s.name.empty() && s.name != k.name) || (!s.email.empty() && s.email != k.email);
  if (!s.name.empty()) k.name = s.name;
  if (!s.email.empty()) k.email = s.email;
  const Actor customer{Role::customer, who.contact_id, k.name};

  std::vector<Mutation> extra;
  if (new_contact) {
    extra.push_back(InsertContact{k});
    extra.push_back(InsertVisitor{Visitor{who.visitor_hash, who.tenant_id, k.id, at}});
  } else if (contact_changed) {
    extra.push_back(UpdateContact{k});
  }

  ConvState& cs = hub.convs.create(init);
  if (conn) {
    cs.subscribers.insert(conn->id);
    conn->subs.insert(init.id);
  }
  const std::string cmid = s.client_msg_id;
  const std::uint64_t conn_id = conn ? conn->id : 0;
  auto decide = [&hub, init, customer, at, policy, settings, text, cmid, extra = std::move(extra), k,
                 new_contact, conn_id](ConvState& c) mutable -> Decision {
    Transition tr = start_conversation(init, customer, at, policy);
    if (!text.empty()) {
      Message m;
      m.client_msg_id = cmid;
      m.kind = MessageKind::text;
      m.text = text;
      auto posted = post_message(tr.next, customer, std::move(m), at, policy);
      if (!posted) return Decision::reply(posted.error());
      tr.next = posted->next;
      for (Event& e : posted->events) tr.events.push_back(std::move(e));
      c.msg_ids.add(cmid, tr.events.back().seq);
      metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
    } else if (tr.next.status == Status::bot && tr.next.answered_by == Answerer::builtin && hub.assistant) {
      const std::string greeting = hub.assistant->greeting(settings);
      if (!greeting.empty()) {
        Message m;
        m.kind = MessageKind::text;
        m.text = greeting;
        auto posted = post_message(tr.next, Actor{Role::bot, "bot", settings.assistant_name}, std::move(m), at, policy);
        if (posted) {
          tr.next = posted->next;
          for (Event& e : posted->events) tr.events.push_back(std::move(e));
        }
      }
    }
    const std::string id = init.id;
    Decision d = Decision::persist(std::move(tr), [id](const ConvState& done) {
      return to_json(StartAck{id, done.committed_seq(), false});
    });
    d.extra = extra;  // a copy: the request may be decided again after a refused write
    d.client_msg_id = cmid;
    d.after = [&hub, id, text, k, new_contact, conn_id] {
      hub.contacts.put(k);
      if (ConnState* c = hub.conns.find(conn_id); c && c->who.contact_id == k.id) {
        c->who.name = k.name;
        if (new_contact) {
          c->who.contact_stored = true;
          c->who.visitor_hash.clear();
        }
      }
      if (!text.empty()) assistant_turn(hub, id, text);
    };
    return d;
  };
  if (new_contact && conn) {
    // Later starts on this socket must not insert the contact again; undone if this one fails.
    conn->who.contact_stored = true;
    ack = [&hub, conn_id, contact_id = k.id, ack = std::move(ack)](Result<Json> r) {
      if (!r.ok()) {
        if (ConnState* c = hub.conns.find(conn_id); c && c->who.contact_id == contact_id) c->who.contact_stored = false;
      }
      ack(std::move(r));
    };
  }
  hub.pipeline.submit(cs, std::move(decide), std::move(ack));
}

void end(HubState& hub, const Principal& who, ConnState*, const ChatEnd& c, AckFn ack) {
  ConvState* cs = visible(hub, who, c.conversation_id);
  if (!cs) return ack(not_found());
  const Actor actor = who.actor();
  const Millis at = hub.now();
  change(hub, *cs, [actor, at](const Conversation& live) { return customer_end(live, actor, at); }, std::move(ack));
}

void request_human(HubState& hub, const Principal& who, ConnState*, const RequestHuman& r, AckFn ack) {
  ConvState* cs = visible(hub, who, r.conversation_id);
  if (!cs) return ack(not_found());
  queue_handoff(hub, *cs, who.actor(), "customer_asked", std::move(ack));
}

}  // namespace parley::relay::cmd
