// Channel messages (Hub::ingest; app/channel_message.hpp): contact by external id, its open
// conversation on that channel, the message, idempotent across the tenant's history.
#include "app/commands/ingest.hpp"

#include "app/commands/handlers.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "store/auth.hpp"

namespace parley::relay {

namespace {

constexpr Millis kFutureSkewMs = 5 * 60 * 1000;             // a sender's clock may run this far ahead
const Actor kSystemActor{Role::system, "system", ""};

std::string pending_key(const ChannelMessage& m) {
  return m.tenant_id + '\n' + std::string(to_string(m.channel)) + '\n' + m.external_user_id;
}

struct Lookup {
  std::optional<Contact> contact;
  std::optional<MessageRef> duplicate;
};

void ingest_on_loop(HubState& hub, ChannelMessage m, Lookup found, std::function<void(Result<IngestResult>)> cb);

}  // namespace

void ingest(HubState& hub, ChannelMessage m, std::function<void(Result<IngestResult>)> cb) {
  const Tenant* t = hub.tenants.find(m.tenant_id);
  if (!t) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  if (m.external_user_id.empty()) return cb(make_error(ErrorCode::missing_field, "user_id is required", "user_id"));
  if (m.text.empty()) return cb(make_error(ErrorCode::missing_field, "message is required", "message"));
  const Millis now = hub.now();
  if (m.at && *m.at > now + kFutureSkewMs) {
    return cb(make_error(ErrorCode::bad_field, "timestamp is in the future", "timestamp"));
  }
  // The reads (contact by external id, the client_msg_id anywhere in the tenant's history) run
  // on a worker: never a synchronous database read on the loop for a REST call.
  auto shared = std::make_shared<ChannelMessage>(std::move(m));
  auto done = std::make_shared<std::function<void(Result<IngestResult>)>>(std::move(cb));
  hub.on_worker([&hub, shared, done](StoreReader* reader) -> std::function<void()> {
    if (!reader) return [done] { (*done)(make_error(ErrorCode::unavailable, "no database reader")); };
    auto found = std::make_shared<Lookup>();
    auto k = reader->find_contact_by_external(shared->tenant_id, shared->channel, shared->external_user_id);
    if (!k) return [done, e = k.error()] { (*done)(e); };
    found->contact = *k;
    if (!shared->client_msg_id.empty()) {
      auto ref = reader->find_message_by_client_msg_id(shared->tenant_id, shared->client_msg_id);
      if (!ref) return [done, e = ref.error()] { (*done)(e); };
      found->duplicate = *ref;
    }
    return [&hub, shared, done, found] { ingest_on_loop(hub, std::move(*shared), std::move(*found), std::move(*done)); };
  });
}

namespace {

void ingest_on_loop(HubState& hub, ChannelMessage m, Lookup found, std::function<void(Result<IngestResult>)> cb) {
  if (found.duplicate) return cb(IngestResult{found.duplicate->conversation_id, found.duplicate->seq, false});
  const Tenant* t = hub.tenants.find(m.tenant_id);
  if (!t) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  const Millis now = hub.now();

  // The contact: stored, being created by an ingest still in flight, or new.
  Contact k;
  bool new_contact = false;
  const std::string key = pending_key(m);
  if (found.contact) {
    k = *found.contact;
  } else if (auto p = hub.pending_contacts.find(key); p != hub.pending_contacts.end()) {
    k = p->second;
  } else {
    new_contact = true;
    k.id = random_id("k_");
    k.tenant_id = m.tenant_id;
    k.channel = m.channel;
    k.external_id = m.external_user_id;
    k.name = m.user_name.empty() ? m.external_user_id : m.user_name;
    k.email = m.user_email;
    k.phone = m.user_phone;
    k.created_at = m.at.value_or(now);
    hub.pending_contacts[key] = k;
  }

  // Its open conversation on this channel answered by the same kind of assistant, or a new one.
  // Open conversations are all in memory.
  ConvState* cs = nullptr;
  for (ConvState* c : hub.convs.of_contact(k.id)) {
    if (c->live.tenant_id == m.tenant_id && c->live.status != Status::resolved && c->live.channel == m.channel &&
        c->live.answered_by == m.answered_by) {
      cs = c;
    }
  }
  const Actor customer{Role::customer, k.id, k.name};
  const ConversationPolicy policy{t->settings.assistant_enabled};
  bool fresh = false;
  if (!cs) {
    Conversation init;
    init.id = random_id("c_");
    init.tenant_id = m.tenant_id;
    init.contact_id = k.id;
    init.channel = m.channel;
    init.answered_by = m.answered_by;
    if (m.priority) init.priority = *m.priority;
    init.created_at = m.at.value_or(now);
    cs = &hub.convs.create(init);
    fresh = true;
  }
  std::vector<Mutation> extra;
  if (new_contact) extra.push_back(InsertContact{k});
  const std::string assistant_name = t->settings.assistant_name;
  const std::string conv_id = cs->live.id;
  auto decide = [&hub, m, customer, policy, fresh, assistant_name, conv_id,
                 extra = std::move(extra)](ConvState& c) mutable -> Decision {
    if (!m.client_msg_id.empty()) {
      if (const Seq* seq = c.msg_ids.find(m.client_msg_id)) {
        return cmd::duplicate_of(c, *seq, Json{{"seq", *seq}, {"saved", false}});
      }
    }
    const Millis now = hub.now();
    // Never before the conversation began: a mirrored clock that lags is pulled forward.
    Millis at = m.at.value_or(now);
    if (!fresh && at < c.live.created_at) at = c.live.created_at;
    Transition tr = fresh && c.committed_seq() == 0 ? start_conversation(c.live, customer, at, policy)
                                                    : Transition{c.live, {}};
    // Customers post as themselves; the assistant as the bot while the conversation is with
    // it; staff (and the assistant after a hand-off) are posted by the system actor and shown
    // with their own role.
    Message msg;
    msg.client_msg_id = m.client_msg_id;
    msg.kind = m.kind == MessageKind::system ? MessageKind::system : MessageKind::text;
    msg.text = m.text;
    Actor from = customer;
    std::optional<Actor> shown;
    if (m.sender == Role::bot) {
      Actor bot{Role::bot, "bot", m.sender_name.empty() ? assistant_name : m.sender_name};
      if (tr.next.status == Status::bot) {
        from = bot;
      } else {
        from = kSystemActor;
        shown = bot;
      }
    } else if (m.sender == Role::agent || m.sender == Role::system) {
      from = kSystemActor;
      if (m.kind != MessageKind::system) shown = Actor{Role::agent, "staff", m.sender_name.empty() ? "Staff" : m.sender_name};
    }
    auto posted = post_message(tr.next, from, std::move(msg), at, policy);
    if (!posted) return Decision::reply(posted.error());
    if (shown) {
      Event& e = posted->events.back();
      e.actor = *shown;
      e.data["message"]["sender"] = to_json(*shown);
    }
    const Seq seq = posted->events.back().seq;
    tr.next = posted->next;
    for (Event& e : posted->events) tr.events.push_back(std::move(e));
    c.msg_ids.add(m.client_msg_id, seq);
    metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
    Decision d = Decision::persist(std::move(tr), [seq](const ConvState&) { return Json{{"seq", seq}, {"saved", true}}; });
    d.extra = extra;  // a copy: the request may be decided again after a refused write
    d.client_msg_id = m.client_msg_id;
    // A customer's text in a conversation the built-in assistant answers (WhatsApp, issue 11)
    // gets its turn, as from the widget (assistant_turn returns at once for mirrored ones).
    if (m.sender == Role::customer && m.kind == MessageKind::text) {
      d.after = [&hub, conv_id, text = m.text] { cmd::assistant_turn(hub, conv_id, text); };
    }
    return d;
  };
  hub.pipeline.submit(*cs, std::move(decide),
                      [&hub, cb = std::move(cb), conv_id, key, new_contact, k](Result<Json> r) {
                        if (new_contact) {
                          hub.pending_contacts.erase(key);
                          if (r.ok()) hub.contacts.put(k);
                        }
                        if (!r.ok()) return cb(r.error());
                        cb(IngestResult{conv_id, r->value("seq", Seq{0}), r->value("saved", true)});
                      });
}

}  // namespace

}  // namespace parley::relay
