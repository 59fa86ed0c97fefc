// Issue 9 tickets, customer context and blocks (docs/api.md "Tickets", "Customer context",
// "Blocks"). Every route is staff (any role; API keys: read for GET, write otherwise) and sees its
// own tenant only (another tenant's ids answer 404).
//   POST   /api/live-chat/{id}/convert-to-ticket  {title?, description?, priority?} -> 201 ticket
//   GET    /api/v1/tickets?status=&assignee=&contact=&limit=&offset=
//   GET    /api/v1/tickets/{id}                   ticket + conversation + transcript (first 500)
//   PATCH  /api/v1/tickets/{id}                   {status?, priority?, assignee_id?|null}
//   GET    /api/live-chat/{id}/customer-context   the conversation's contact, history and tickets
//   GET    /api/v1/contacts/{id}/context          the same for a contact
//   POST   /api/v1/blocks                         {kind, contact_id|conversation_id|address, duration_s?, reason}
//   GET    /api/v1/blocks?active=1&limit=
//   DELETE /api/v1/blocks/{id}                    lift
#include "app/http/router.hpp"
#include "app/tickets/tickets.hpp"
#include "store/auth.hpp"

namespace parley::relay {

using namespace http;

namespace {

constexpr std::size_t kContextConversations = 20;
constexpr std::size_t kContextTickets = 20;
constexpr std::size_t kTicketTranscript = 500;

// Optional JSON body: an empty body is {}.
bool optional_body(const Ctx& ctx, Json& out) {
  if (ctx.req.body.empty()) {
    out = Json::object();
    return true;
  }
  return body_json(ctx, out);
}

// ---- tickets ----

void post_convert(const CtxPtr& ctx) {
  Json body;
  if (!optional_body(*ctx, body)) return;
  FieldReader f(body);
  TicketInput in;
  if (f.has("title")) in.title = f.text("title", Need::optional, kTicketTitleMaxChars);
  if (f.has("description")) in.description = f.text("description", Need::optional, kTicketDescriptionMaxChars);
  if (f.has("priority")) {
    in.priority = f.enumeration<Priority>("priority", Need::optional, Priority::normal, &parse_priority);
  }
  if (f.failed()) return ctx->res.error(*f.error());
  ctx->hub.convert_to_ticket(ctx->caller.who, ctx->caller.actor_type(), ctx->param(0), std::move(in),
                             [ctx](Result<Json> r) {
                               if (!r) {
                                 if (is_duplicate(r.error(), "conversation_id")) {
                                   const std::string& msg = r.error().message;
                                   const std::size_t at = msg.rfind(": ");
                                   ApiError e = conflict("this conversation already has a ticket", "conversation_id");
                                   HttpResponse res = error_response(e);
                                   Json j = Json::parse(res.body, nullptr, false);
                                   if (at != std::string::npos) j["ticket_id"] = msg.substr(at + 2);
                                   return ctx->res.json(409, j);
                                 }
                                 return ctx->res.error(r.error());
                               }
                               ctx->res.json(201, *r);
                             });
}

void get_tickets(const CtxPtr& ctx) {
  TicketQuery q;
  const std::string status = ctx->q("status");
  if (!status.empty()) {
    q.status = parse_ticket_status(status);
    if (!q.status) {
      return ctx->res.error(api_error(ErrorCode::bad_field, "status must be one of open, pending, solved, closed", "status"));
    }
  }
  q.assignee_id = ctx->q("assignee");
  q.contact_id = ctx->q("contact");
  if (auto e = check_text(q.assignee_id, kMaxIdChars, "assignee")) return ctx->res.error(*e);
  if (auto e = check_text(q.contact_id, kMaxIdChars, "contact")) return ctx->res.error(*e);
  std::uint64_t limit = 0, offset = 0;
  if (!query_uint(*ctx, "limit", kMaxListLimit, 50, limit) || !query_uint(*ctx, "offset", 1000000, 0, offset)) return;
  q.limit = limit;
  q.offset = offset;
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, q, tenant](StoreReader& db) -> std::function<void()> {
    auto page = std::make_shared<Result<TicketPage>>(db.list_tickets(tenant, q));
    return [ctx, page, q] {
      if (!*page) return ctx->res.error(page->error());
      Json list = Json::array();
      for (const Ticket& t : (*page)->tickets) list.push_back(ticket_json(t));
      ctx->res.json(200, Json{{"tickets", std::move(list)}, {"total", (*page)->total}, {"limit", q.limit},
                              {"offset", q.offset}});
    };
  });
}

void get_ticket(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  const std::string id = ctx->param(0);
  on_reader(ctx, [ctx, tenant, id](StoreReader& db) -> std::function<void()> {
    auto t = db.find_ticket(tenant, id);
    if (!t) return [ctx, e = t.error()] { ctx->res.error(e); };
    if (!*t) return [ctx] { ctx->res.error(api_error(ErrorCode::not_found, "no such ticket")); };
    const Ticket ticket = **t;
    auto msgs = std::make_shared<Result<MessagePage>>(
        db.messages_page(tenant, ticket.conversation_id, 0, kTicketTranscript, /*staff=*/true));
    return [ctx, ticket, msgs, tenant] {
      if (!*msgs) return ctx->res.error(msgs->error());
      Json j = ticket_json(ticket);
      Json list = Json::array();
      for (const Message& m : (*msgs)->messages) list.push_back(to_json(m));
      j["messages"] = std::move(list);
      j["messages_more"] = (*msgs)->more;
      if (const Conversation* c = ctx->hub.find_conversation(tenant, ticket.conversation_id)) {
        j["conversation"] = ctx->hub.conversation_summary(*c);
      }
      ctx->res.json(200, j);
    };
  });
}

void patch_ticket(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  TicketPatch p;
  for (const auto& [key, value] : body.items()) {
    if (key != "status" && key != "priority" && key != "assignee_id") {
      return ctx->res.error(api_error(ErrorCode::bad_field, "unknown field: " + key, key));
    }
  }
  if (f.has("status")) {
    p.status = f.enumeration<TicketStatus>("status", Need::optional, TicketStatus::open, &parse_ticket_status);
  }
  if (f.has("priority")) p.priority = f.enumeration<Priority>("priority", Need::optional, Priority::normal, &parse_priority);
  if (body.contains("assignee_id")) {
    if (body["assignee_id"].is_null()) {
      p.assignee_id = std::string();
    } else {
      p.assignee_id = f.id("assignee_id", Need::optional);
    }
  }
  if (f.failed()) return ctx->res.error(*f.error());
  const std::string tenant = ctx->tenant_id();
  const std::string id = ctx->param(0);
  on_reader(ctx, [ctx, tenant, id, p](StoreReader& db) -> std::function<void()> {
    auto t = db.find_ticket(tenant, id);
    if (!t) return [ctx, e = t.error()] { ctx->res.error(e); };
    if (!*t) return [ctx] { ctx->res.error(api_error(ErrorCode::not_found, "no such ticket")); };
    if (p.assignee_id && !p.assignee_id->empty()) {
      auto u = db.find_user(*p.assignee_id);
      if (!u) return [ctx, e = u.error()] { ctx->res.error(e); };
      if (!*u || (*u)->tenant_id != tenant || (*u)->disabled) {
        return [ctx] {
          ctx->res.error(api_error(ErrorCode::bad_field, "assignee_id names no active staff member", "assignee_id"));
        };
      }
    }
    const Ticket before = **t;
    return [ctx, before, p] {
      TicketState s{before.status, before.priority, before.assignee_id, before.updated_at, before.solved_at,
                    before.closed_at};
      auto n = apply_ticket_patch(s, p, ctx->hub.now());
      if (!n) return ctx->res.error(n.error());
      Ticket after = before;
      after.status = n->status;
      after.priority = n->priority;
      after.assignee_id = n->assignee_id;
      after.updated_at = n->updated_at;
      after.solved_at = n->solved_at;
      after.closed_at = n->closed_at;
      if (after.updated_at == before.updated_at) return ctx->res.json(200, ticket_json(after));  // nothing changed
      Json changes = Json::object();
      if (after.status != before.status) {
        changes["status"] = Json{{"from", to_string(before.status)}, {"to", to_string(after.status)}};
      }
      if (after.priority != before.priority) {
        changes["priority"] = Json{{"from", to_string(before.priority)}, {"to", to_string(after.priority)}};
      }
      if (after.assignee_id != before.assignee_id) {
        changes["assignee_id"] = Json{{"from", before.assignee_id}, {"to", after.assignee_id}};
      }
      std::vector<Mutation> ops;
      ops.push_back(UpdateTicket{after});
      ops.push_back(AppendAudit{AuditEntry{after.tenant_id, ctx->caller.actor_type(), ctx->caller.who.user.id,
                                           "ticket.updated", after.id, changes, after.updated_at}});
      ctx->hub.write(std::move(ops), [ctx, after](std::optional<Error> e) {
        if (e) return ctx->res.error(*e);
        ctx->res.json(200, ticket_json(after));
      });
    };
  });
}

// ---- customer context ----

// A contact is "verified" when a channel that authenticates its sender made it (a messaging
// channel, or the mirror with the host's own user id); an anonymous web visitor is not.
bool verified(const Contact& k) { return k.channel != Channel::web || !k.external_id.empty(); }

Json history_item(const Conversation& c) {
  return Json{{"id", c.id},
              {"status", std::string(to_string(c.status))},
              {"channel", std::string(to_string(c.channel))},
              {"topic", c.topic},
              {"priority", std::string(to_string(c.priority))},
              {"issue_type", c.issue_type},
              {"created_at", c.created_at},
              {"updated_at", c.updated_at},
              {"resolved_at", c.resolved_at},
              {"csat_rating", c.csat_rating}};
}

// The context of `contact_id` (conversation_id: the conversation asked from, "" for the contact route).
void context_of(const CtxPtr& ctx, const std::string& contact_id, const std::string& conversation_id) {
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant, contact_id, conversation_id](StoreReader& db) -> std::function<void()> {
    auto k = db.find_contact(tenant, contact_id);
    if (!k) return [ctx, e = k.error()] { ctx->res.error(e); };
    if (!*k) return [ctx] { ctx->res.error(api_error(ErrorCode::not_found, "no such contact")); };
    auto convs = db.contact_conversations(tenant, contact_id, kContextConversations + 1);
    if (!convs) return [ctx, e = convs.error()] { ctx->res.error(e); };
    TicketQuery all;
    all.contact_id = contact_id;
    all.limit = kContextTickets;
    auto tickets = db.list_tickets(tenant, all);
    if (!tickets) return [ctx, e = tickets.error()] { ctx->res.error(e); };
    ConversationSearch count;
    count.contact_id = contact_id;
    count.limit = 1;
    auto total = db.search_conversations(tenant, count);
    const std::int64_t conv_total = total ? total->total : static_cast<std::int64_t>(convs->size());
    return [ctx, tenant, contact = **k, list = std::move(convs).value(), page = std::move(tickets).value(),
            conversation_id, conv_total] {
      const Contact& c = contact;
      Json j;
      j["contact"] = Json{{"id", c.id},
                          {"name", c.name},
                          {"email", c.email},
                          {"phone", c.phone},
                          {"channel", std::string(to_string(c.channel))},
                          {"verified", verified(c)},
                          {"created_at", c.created_at}};
      Json history = Json::array();
      int resolved = 0;
      std::size_t shown = 0;
      for (const Conversation& h : list) {
        if (h.id == conversation_id) continue;  // the one on screen is not "previous"
        if (shown == kContextConversations) break;
        const Conversation* live = ctx->hub.find_conversation(tenant, h.id);
        history.push_back(history_item(live ? *live : h));
        ++shown;
      }
      for (const Conversation& h : list) resolved += h.status == Status::resolved ? 1 : 0;
      Json tickets = Json::array();
      std::int64_t open = 0;
      for (const Ticket& t : page.tickets) {
        tickets.push_back(ticket_json(t));
        if (t.status == TicketStatus::open || t.status == TicketStatus::pending) ++open;
      }
      j["conversations"] = std::move(history);
      j["tickets"] = std::move(tickets);
      j["counts"] = Json{{"conversations", conv_total}, {"resolved", resolved}, {"tickets", page.total},
                         {"open_tickets", open}};
      j["blocked"] = ctx->hub.blocked(tenant, c.id, "");
      if (!conversation_id.empty()) {
        if (const Conversation* cur = ctx->hub.find_conversation(tenant, conversation_id)) {
          j["conversation_id"] = cur->id;
          j["page"] = Json{{"url", cur->page_url}, {"title", cur->page_title}, {"referrer", cur->page_referrer}};
        }
      }
      ctx->res.json(200, j);
    };
  });
}

void get_conversation_context(const CtxPtr& ctx) {
  const Conversation* c = ctx->hub.find_conversation(ctx->tenant_id(), ctx->param(0));
  if (c == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such conversation"));
  context_of(ctx, c->contact_id, c->id);
}

void get_contact_context(const CtxPtr& ctx) { context_of(ctx, ctx->param(0), ""); }

// ---- blocks ----

void post_block(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  const BlockKind kind = f.enumeration<BlockKind>("kind", Need::required, BlockKind::contact, &parse_block_kind);
  std::string contact_id = f.id("contact_id", Need::optional);
  const std::string conversation_id = f.id("conversation_id", Need::optional);
  const std::string address = f.text("address", Need::optional, 64, true);
  const std::string reason_raw = f.text("reason", Need::optional, kBlockReasonMaxChars);
  std::optional<std::int64_t> duration;
  if (body.contains("duration_s") && !body["duration_s"].is_null()) {
    if (!body["duration_s"].is_number_integer()) {
      return ctx->res.error(api_error(ErrorCode::bad_field, "duration_s must be a whole number of seconds", "duration_s"));
    }
    duration = body["duration_s"].get<std::int64_t>();
  }
  if (f.failed()) return ctx->res.error(*f.error());
  auto reason = block_reason(reason_raw);
  if (!reason) return ctx->res.error(reason.error());
  const Millis now = ctx->hub.now();
  auto expires = block_expiry(kind, duration, now);
  if (!expires) return ctx->res.error(expires.error());
  const std::string tenant = ctx->tenant_id();
  if (!conversation_id.empty()) {
    const Conversation* c = ctx->hub.find_conversation(tenant, conversation_id);
    if (c == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such conversation"));
    if (!contact_id.empty() && contact_id != c->contact_id) {
      return ctx->res.error(api_error(ErrorCode::bad_field, "contact_id is not the conversation's contact", "contact_id"));
    }
    contact_id = c->contact_id;
  }
  Block b;
  b.tenant_id = tenant;
  b.rule.id = random_id("blk_");
  b.rule.kind = kind;
  b.rule.created_at = now;
  b.rule.expires_at = *expires;
  b.reason = *reason;
  b.created_by = ctx->caller.who.user.id;
  if (kind == BlockKind::address) {
    if (!address.empty()) {
      auto n = normalize_address(address);
      if (!n) return ctx->res.error(n.error());
      b.rule.target = std::move(n).value();
    } else if (!contact_id.empty()) {
      b.rule.target = ctx->hub.contact_address(tenant, contact_id);
      if (b.rule.target.empty()) {
        return ctx->res.error(api_error(ErrorCode::bad_field,
                                        "this visitor's address is not known (not connected since the relay started)",
                                        "address"));
      }
    } else {
      return ctx->res.error(api_error(ErrorCode::missing_field, "give address, contact_id or conversation_id", "address"));
    }
  } else if (contact_id.empty()) {
    return ctx->res.error(api_error(ErrorCode::missing_field, "give contact_id or conversation_id", "contact_id"));
  }
  on_reader(ctx, [ctx, b, contact_id](StoreReader& db) mutable -> std::function<void()> {
    if (!contact_id.empty()) {
      auto k = db.find_contact(b.tenant_id, contact_id);
      if (!k) return [ctx, e = k.error()] { ctx->res.error(e); };
      if (!*k) return [ctx] { ctx->res.error(api_error(ErrorCode::not_found, "no such contact")); };
    }
    if (b.rule.kind == BlockKind::contact) b.rule.target = contact_id;
    return [ctx, b, contact_id] {
      Json data{{"kind", to_string(b.rule.kind)}, {"reason", b.reason}, {"expires_at", b.rule.expires_at}};
      if (!contact_id.empty()) data["contact_id"] = contact_id;
      AuditEntry a{b.tenant_id, ctx->caller.actor_type(), ctx->caller.who.user.id, "block.created", b.rule.id, data,
                   b.rule.created_at};
      ctx->hub.add_block(b, std::move(a), [ctx, b](std::optional<Error> e) {
        if (e) return ctx->res.error(*e);
        ctx->res.json(201, block_json(b, ctx->hub.now()));
      });
    };
  });
}

void get_blocks(const CtxPtr& ctx) {
  std::uint64_t limit = 0;
  if (!query_uint(*ctx, "limit", kMaxListLimit, 100, limit)) return;
  const std::string active = ctx->q("active");
  if (!active.empty() && active != "0" && active != "1" && active != "true" && active != "false") {
    return ctx->res.error(api_error(ErrorCode::bad_field, "active must be 1 or 0", "active"));
  }
  const bool only_active = active == "1" || active == "true";
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant, limit, only_active](StoreReader& db) -> std::function<void()> {
    auto rows = std::make_shared<Result<std::vector<Block>>>(db.list_blocks(tenant, limit));
    return [ctx, rows, only_active] {
      if (!*rows) return ctx->res.error(rows->error());
      const Millis now = ctx->hub.now();
      Json list = Json::array();
      for (const Block& b : **rows) {
        if (only_active && !block_active(b.rule, now)) continue;
        list.push_back(block_json(b, now));
      }
      ctx->res.json(200, Json{{"blocks", std::move(list)}});
    };
  });
}

void delete_block(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  const std::string id = ctx->param(0);
  on_reader(ctx, [ctx, tenant, id](StoreReader& db) -> std::function<void()> {
    auto b = db.find_block(tenant, id);
    if (!b) return [ctx, e = b.error()] { ctx->res.error(e); };
    if (!*b) return [ctx] { ctx->res.error(api_error(ErrorCode::not_found, "no such block")); };
    return [ctx, block = **b] {
      if (block.rule.lifted_at != 0) return ctx->res.json(200, block_json(block, ctx->hub.now()));  // already lifted
      const std::string by = ctx->caller.who.user.id;
      AuditEntry a{block.tenant_id, ctx->caller.actor_type(), by, "block.lifted", block.rule.id,
                   Json{{"kind", to_string(block.rule.kind)}}, ctx->hub.now()};
      ctx->hub.lift_block(block.tenant_id, block.rule.id, by, std::move(a), [ctx, block, by](std::optional<Error> e) {
        if (e) return ctx->res.error(*e);
        Block lifted = block;
        lifted.rule.lifted_at = ctx->hub.now();
        lifted.lifted_by = by;
        ctx->res.json(200, block_json(lifted, ctx->hub.now()));
      });
    };
  });
}

}  // namespace

void add_ticket_routes(std::vector<Route>& out) {
  out.push_back({"POST", {"api", "live-chat", "*", "convert-to-ticket"}, Access::staff, &post_convert});
  out.push_back({"GET", {"api", "v1", "tickets"}, Access::staff, &get_tickets});
  out.push_back({"GET", {"api", "v1", "tickets", "*"}, Access::staff, &get_ticket});
  out.push_back({"PATCH", {"api", "v1", "tickets", "*"}, Access::staff, &patch_ticket});
  out.push_back({"GET", {"api", "live-chat", "*", "customer-context"}, Access::staff, &get_conversation_context});
  out.push_back({"GET", {"api", "v1", "contacts", "*", "context"}, Access::staff, &get_contact_context});
  out.push_back({"POST", {"api", "v1", "blocks"}, Access::staff, &post_block});
  out.push_back({"GET", {"api", "v1", "blocks"}, Access::staff, &get_blocks});
  out.push_back({"DELETE", {"api", "v1", "blocks", "*"}, Access::staff, &delete_block});
}

}  // namespace parley::relay
