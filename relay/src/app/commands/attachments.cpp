// File messages (issue 9): the REST upload's message of kind `file`, through the same pipeline
// as chat.send_message (persist with its attachments row, then ack, then broadcast).
#include "app/commands/handlers.hpp"
#include "core/metrics.hpp"

namespace parley::relay::cmd {

void post_file(HubState& hub, const Principal& who, Attachment a, std::string client_msg_id, AckFn ack) {
  ConvState* cs = visible(hub, who, a.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  if (!client_msg_id.empty()) ensure_msg_ids(hub, *cs);
  Actor from = who.actor();
  if (who.is_customer()) {
    if (const Contact* k = hub.contacts.get(hub.reader, who.tenant_id, who.contact_id)) from.name = k->name;
  }
  const std::string conv_id = cs->live.id;
  auto decide = [&hub, from, a = std::move(a), cmid = std::move(client_msg_id), conv_id](ConvState& c) -> Decision {
    if (!cmid.empty()) {
      if (const Seq* seq = c.msg_ids.find(cmid)) return duplicate_of(c, *seq, to_json(SendAck{conv_id, *seq, true, {}}));
    }
    const Tenant* t = hub.tenants.find(c.live.tenant_id);
    const ConversationPolicy policy{t ? t->settings.assistant_enabled : true};
    Message m;
    m.client_msg_id = cmid;
    m.kind = MessageKind::file;
    m.text = a.name;
    m.attachment = AttachmentRef{a.id, a.name, a.content_type, a.size};
    auto tr = post_message(c.live, from, std::move(m), hub.now(), policy);
    if (!tr) return Decision::reply(tr.error());
    const Seq seq = tr->events.back().seq;
    c.msg_ids.add(cmid, seq);
    metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
    Decision d = Decision::persist(std::move(tr).value(), [conv_id, seq](const ConvState&) {
      return to_json(SendAck{conv_id, seq, false, {}});
    });
    d.extra.push_back(InsertAttachment{a});
    d.client_msg_id = cmid;
    return d;
  };
  hub.pipeline.submit(*cs, std::move(decide), std::move(ack));
}

}  // namespace parley::relay::cmd
