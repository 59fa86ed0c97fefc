// Issue 9, the end of a chat: the satisfaction survey (chat.rate, chat.request_csat) and the
// follow-up conversation a customer's message starts after the reopen window (see
// parley/csat.hpp and parley/conversation.hpp on_customer_return). Loop thread only, like every
// handler; changes go through the write pipeline (persist, ack, broadcast).
#include "app/commands/handlers.hpp"
#include "core/metrics.hpp"
#include "parley/csat.hpp"
#include "store/auth.hpp"

namespace parley::relay::cmd {

void rate(HubState& hub, const Principal& who, ConnState*, const Rate& r, AckFn ack) {
  ConvState* cs = visible(hub, who, r.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  const Actor customer = who.actor();
  const Millis at = hub.now();
  change(
      hub, *cs,
      [customer, rating = r.rating, comment = r.comment, at](const Conversation& live) {
        return parley::rate(live, customer, rating, comment, at);
      },
      std::move(ack));
}

void request_csat(HubState& hub, const Principal& who, ConnState*, const RequestCsat& r, AckFn ack) {
  ConvState* cs = visible(hub, who, r.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  const Actor staff = who.actor();
  const Millis at = hub.now();
  const Tenant* t = hub.tenants.find(who.tenant_id);
  const std::string question = t ? t->settings.csat_question : std::string(kDefaultCsatQuestion);
  change(
      hub, *cs,
      [staff, question, at](const Conversation& live) { return parley::request_csat(live, staff, question, at); },
      std::move(ack));
}

void follow_up(HubState& hub, const Principal& who, ConnState* conn, const ConvState& old, const SendMessage& s,
               std::string text, AckFn ack) {
  // A re-sent message (same client_msg_id) whose follow-up exists already is a duplicate of it.
  if (!s.client_msg_id.empty()) {
    for (ConvState* other : hub.convs.of_contact(who.contact_id)) {
      if (other->live.tenant_id != who.tenant_id || other->live.previous_conversation_id != old.committed.id) continue;
      ensure_msg_ids(hub, *other);
      if (const Seq* seq = other->msg_ids.find(s.client_msg_id)) {
        const std::string id = other->live.id, previous = old.committed.id;
        const Seq at = *seq;
        if (conn) {
          other->subscribers.insert(conn->id);
          conn->subs.insert(id);
        }
        return WritePipeline::wait_committed(*other, at, [id, at, previous, ack = std::move(ack)](bool ok) {
          if (!ok) return ack(make_error(ErrorCode::unavailable, "the original message was not stored"));
          ack(to_json(SendAck{id, at, true, std::nullopt, previous}));
        });
      }
    }
  }
  const Tenant* t = hub.tenants.find(who.tenant_id);
  const TenantSettings settings = t ? t->settings : TenantSettings{};
  const ConversationPolicy policy = policy_of(settings);
  Actor customer = who.actor();
  if (const Contact* k = hub.contacts.get(hub.reader, who.tenant_id, who.contact_id)) customer.name = k->name;
  const Conversation init = follow_up_of(old.committed, random_id("c_"));
  ConvState& cs = hub.convs.create(init);
  if (conn) {
    cs.subscribers.insert(conn->id);
    conn->subs.insert(init.id);
  }
  const std::string id = init.id, previous = old.committed.id, cmid = s.client_msg_id;
  auto decide = [&hub, init, customer, policy, text, cmid, id, previous](ConvState& c) -> Decision {
    const Millis at = hub.now();
    Transition tr = start_conversation(init, customer, at, policy);
    Message m;
    m.client_msg_id = cmid;
    m.kind = MessageKind::text;
    m.text = text;
    auto posted = post_message(tr.next, customer, std::move(m), at, policy);
    if (!posted) return Decision::reply(posted.error());
    tr.next = posted->next;
    for (Event& e : posted->events) tr.events.push_back(std::move(e));
    const Seq seq = tr.events.back().seq;
    c.msg_ids.add(cmid, seq);
    metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
    Decision d = Decision::persist(std::move(tr), [id, seq, previous](const ConvState&) {
      return to_json(SendAck{id, seq, false, std::nullopt, previous});
    });
    d.client_msg_id = cmid;
    d.after = [&hub, id, text] { assistant_turn(hub, id, text); };
    return d;
  };
  hub.pipeline.submit(cs, std::move(decide), std::move(ack));
}

}  // namespace parley::relay::cmd
