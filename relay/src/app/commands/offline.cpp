// Offline commands (issue 9): chat.leave_message, chat.email_transcript. See app/offline/.
#include "app/commands/handlers.hpp"
#include "app/offline/offline.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "parley/text.hpp"

namespace parley::relay::cmd {

namespace {

// The message, the hand-off and the offline request in ONE write: once acknowledged the
// conversation waits in the queue with its address; nothing of it is half-stored.
void leave_on(HubState& hub, const Principal& who, ConvState& cs, const LeaveMessage& lm, AckFn ack) {
  const std::string text(trim(lm.text));
  if (!lm.client_msg_id.empty()) ensure_msg_ids(hub, cs);
  const Tenant* t = hub.tenants.find(who.tenant_id);
  const ConversationPolicy policy{t ? t->settings.assistant_enabled : true};
  Contact k;
  if (const Contact* known = hub.contacts.get(hub.reader, who.tenant_id, who.contact_id)) k = *known;
  k.id = who.contact_id;
  k.tenant_id = who.tenant_id;
  const bool contact_changed = k.email != lm.email || (!lm.name.empty() && lm.name != k.name);
  k.email = lm.email;
  if (!lm.name.empty()) k.name = lm.name;
  const Actor customer{Role::customer, who.contact_id, k.name};
  const Millis at = hub.now();
  OfflineRequest req{who.tenant_id, cs.live.id, who.contact_id, lm.email, at};
  const std::string conv_id = cs.live.id, cmid = lm.client_msg_id;
  auto decide = [&hub, customer, text, cmid, conv_id, policy, at, k, contact_changed, req](ConvState& c) -> Decision {
    if (!cmid.empty()) {
      if (const Seq* seq = c.msg_ids.find(cmid)) return duplicate_of(c, *seq, to_json(HeadAck{conv_id, *seq}));
    }
    Message m;
    m.client_msg_id = cmid;
    m.kind = MessageKind::text;
    m.text = text;
    auto posted = post_message(c.live, customer, std::move(m), at, policy);
    if (!posted) return Decision::reply(posted.error());
    Transition tr = std::move(posted).value();
    if (!cmid.empty()) c.msg_ids.add(cmid, tr.events.back().seq);
    if (tr.next.status == Status::bot) {
      auto handed = hand_off(tr.next, customer, "offline_message", "", at);
      if (!handed) return Decision::reply(handed.error());
      tr.next = handed->next;
      for (Event& e : handed->events) tr.events.push_back(std::move(e));
    }
    metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
    Decision d = Decision::persist(std::move(tr), [conv_id](const ConvState& done) {
      return Json{{"conversation_id", conv_id}, {"head_seq", done.committed_seq()}, {"status", to_string(done.committed.status)},
                  {"offline", true}};
    });
    d.extra.push_back(UpsertOfflineRequest{req});
    if (contact_changed) d.extra.push_back(UpdateContact{k});
    d.client_msg_id = cmid;
    d.after = [&hub, req, k] {
      hub.contacts.put(k);
      hub.offline.add(req);
      ++hub.offline.counters.requests;
    };
    return d;
  };
  hub.pipeline.submit(cs, std::move(decide), std::move(ack));
}

}  // namespace

void leave_message(HubState& hub, const Principal& who, ConnState* conn, const LeaveMessage& lm, AckFn ack) {
  if (auto e = check_offline_form(OfflineForm{lm.email, std::string(trim(lm.text))}, hub.options.limits)) {
    return ack(*e);
  }
  if (!lm.conversation_id.empty()) {
    ConvState* cs = visible(hub, who, lm.conversation_id);
    if (!cs || cs->committed_seq() == 0) return ack(not_found());
    return leave_on(hub, who, *cs, lm, std::move(ack));
  }
  // No conversation yet: start one (as chat.start, storing the contact's name and email), then
  // leave the message in it.
  ChatStart s;
  s.name = lm.name;
  s.email = lm.email;
  const std::uint64_t conn_id = conn ? conn->id : 0;
  start(hub, who, conn, s, [&hub, conn_id, lm, who, ack = std::move(ack)](Result<Json> r) mutable {
    if (!r.ok()) return ack(std::move(r));
    const std::string id = r.value().value("conversation_id", std::string());
    Principal p = who;
    if (ConnState* c = hub.conns.find(conn_id)) p = c->who;
    ConvState* cs = visible(hub, p, id);
    if (!cs) return ack(not_found());
    leave_on(hub, p, *cs, lm, std::move(ack));
  });
}

void email_transcript(HubState& hub, const Principal& who, ConnState*, const EmailTranscript& et, AckFn ack) {
  if (!valid_email(et.email)) return ack(make_error(ErrorCode::bad_field, "that does not look like an email address", "email"));
  ConvState* cs = visible(hub, who, et.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  const std::string id = cs->live.id;
  mail_transcript(hub, who.tenant_id, id, et.email, [id, ack = std::move(ack)](std::optional<Error> e) {
    if (e) return ack(*e);
    ack(Json{{"conversation_id", id}, {"queued", true}});
  });
}

}  // namespace parley::relay::cmd
