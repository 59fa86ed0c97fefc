// Tickets and blocks on the command side (issue 9; app/tickets/tickets.hpp): converting a chat to
// a ticket goes through the write pipeline (the ticket row, its audit row and the conversation's
// chat.ticket_created line commit in one write, then the ack, then the broadcast); the block check
// every customer command passes (table.cpp).
#include "app/commands/handlers.hpp"
#include "store/auth.hpp"

namespace parley::relay::cmd {

void convert_to_ticket(HubState& hub, const Principal& who, const std::string& actor_type,
                       const std::string& conversation_id, TicketInput in, AckFn ack) {
  ConvState* cs = visible(hub, who, conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  // One ticket per conversation: say which one exists (the unique index catches a race).
  auto existing = hub.reader->find_conversation_ticket(who.tenant_id, conversation_id);
  if (!existing) return ack(existing.error());
  if (*existing) return ack(duplicate_error("conversation_id", (*existing)->id));
  std::string contact_name;
  if (const Contact* k = hub.contacts.get(hub.reader, who.tenant_id, cs->live.contact_id)) contact_name = k->name;
  const Actor by = who.actor();
  auto decide = [&hub, by, actor_type, in = std::move(in), contact_name](ConvState& c) -> Decision {
    auto draft = ticket_draft(in, c.live, contact_name);
    if (!draft) return Decision::reply(draft.error());
    const Millis now = hub.now();
    Ticket t;
    t.id = random_id("tk_");
    t.tenant_id = c.live.tenant_id;
    t.conversation_id = c.live.id;
    t.contact_id = c.live.contact_id;
    t.title = draft->title;
    t.description = draft->description;
    t.priority = draft->priority;
    t.assignee_id = c.live.status == Status::active ? c.live.assignee_id : std::string();
    t.created_by = by.id;
    t.created_at = t.updated_at = now;
    auto tr = note_ticket_created(c.live, by, t.id, now);
    if (!tr) return Decision::reply(tr.error());
    Decision d = Decision::persist(std::move(tr).value(), [t](const ConvState&) { return ticket_json(t); });
    d.extra.push_back(InsertTicket{t});
    d.extra.push_back(AppendAudit{AuditEntry{t.tenant_id, actor_type, by.id, "ticket.created", t.id,
                                             Json{{"conversation_id", t.conversation_id}, {"title", t.title}}, now}});
    return d;
  };
  hub.pipeline.submit(*cs, std::move(decide), std::move(ack));
}

std::optional<Error> block_refusal(HubState& hub, const Principal& who, ConnState* conn) {
  if (!who.is_customer()) return std::nullopt;
  const std::string address = conn && conn->conn ? conn->conn->remote_addr() : std::string();
  if (conn) hub.blocks.note_address(who.tenant_id, who.contact_id, address);
  if (!hub.blocks.match(who.tenant_id, who.contact_id, address, hub.now())) return std::nullopt;
  ++hub.blocks.refusals;
  return blocked_error();
}

}  // namespace parley::relay::cmd
