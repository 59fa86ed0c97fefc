// Conversation routes: list, read, transcript pages, and the staff commands over REST
// (docs/api.md "Conversations").
#include "app/http/router.hpp"
#include "core/log.hpp"

namespace parley::relay {

using namespace http;

namespace {

// The committed state the hub holds (live), else the row as read.
Json summary_of(Hub& hub, const std::string& tenant_id, const Conversation& row) {
  if (const Conversation* live = hub.find_conversation(tenant_id, row.id)) return hub.conversation_summary(*live);
  return hub.conversation_summary(row);
}

// Runs a staff command through the hub and answers with its ack data.
void run_command(const CtxPtr& ctx, Command cmd, int status = 200) {
  ctx->hub.staff_command(ctx->caller.who, std::move(cmd), [ctx, status](Result<Json> r) {
    if (!r) return ctx->res.error(r.error());
    int st = status;
    if (st == 201 && r->is_object() && r->value("duplicate", false)) st = 200;
    ctx->res.json(st, *r);
  });
}

// The conversation {id} of the path, visible in the caller's tenant; answers 404 otherwise.
const Conversation* path_conversation(const Ctx& ctx) {
  const Conversation* c = ctx.hub.find_conversation(ctx.tenant_id(), ctx.param(0));
  if (c == nullptr) ctx.res.error(api_error(ErrorCode::not_found, "no such conversation"));
  return c;
}

// GET /api/v1/conversations?status=&q=&limit=&offset=
void list(const CtxPtr& ctx) {
  ConversationFilter f;
  const std::string status = ctx->q("status");
  if (!status.empty()) {
    f.status = status == "waiting" ? std::optional<Status>(Status::pending) : parse_status(status);
    if (!f.status) {
      return ctx->res.error(api_error(ErrorCode::bad_field, "status must be bot, pending, active or resolved", "status"));
    }
  }
  f.query = ctx->q("q");
  if (auto e = check_text(f.query, kMaxShortChars, "q")) return ctx->res.error(*e);
  std::uint64_t limit = 0, offset = 0;
  if (!query_uint(*ctx, "limit", kMaxListLimit, 50, limit) || !query_uint(*ctx, "offset", 1000000, 0, offset)) return;
  f.limit = limit;
  f.offset = offset;
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, f, tenant](StoreReader& db) -> std::function<void()> {
    auto rows = std::make_shared<Result<std::vector<Conversation>>>(db.list_conversations(tenant, f));
    return [ctx, rows, f, tenant] {
      if (!*rows) return ctx->res.error(rows->error());
      Json list = Json::array();
      for (const Conversation& c : rows->value()) list.push_back(summary_of(ctx->hub, tenant, c));
      ctx->res.json(200, Json{{"conversations", std::move(list)}, {"limit", f.limit}, {"offset", f.offset}});
    };
  });
}

// GET /api/v1/conversations/{id}
void get_one(const CtxPtr& ctx) {
  const Conversation* c = path_conversation(*ctx);
  if (c == nullptr) return;
  const std::string tenant = ctx->tenant_id(), contact_id = c->contact_id, id = c->id;
  on_reader(ctx, [ctx, tenant, contact_id, id](StoreReader& db) -> std::function<void()> {
    auto contact = std::make_shared<Result<std::optional<Contact>>>(db.find_contact(tenant, contact_id));
    return [ctx, contact, tenant, id] {
      if (!*contact) return ctx->res.error(contact->error());
      const Conversation* live = ctx->hub.find_conversation(tenant, id);
      if (live == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such conversation"));
      Json out{{"conversation", ctx->hub.conversation_summary(*live)}, {"contact", nullptr}};
      if (contact->value()) out["contact"] = contact_json(*contact->value());
      ctx->res.json(200, out);
    };
  });
}

// Fills `list` with at most `limit` rows after seq `after`; returns whether more follow (worker).
using SeqPageReader = Result<bool> (*)(StoreReader& db, const std::string& tenant, const std::string& id,
                                       std::uint64_t after, std::uint64_t limit, Json& list);

// GET /api/v1/conversations/{id}/<key>?after_seq=&limit= : {conversation_id, head_seq, <key>, more}.
void seq_page(const CtxPtr& ctx, const char* key, std::uint64_t max_limit, std::uint64_t default_limit,
              SeqPageReader read) {
  const Conversation* c = path_conversation(*ctx);
  if (c == nullptr) return;
  std::uint64_t after = 0, limit = 0;
  if (!query_uint(*ctx, "after_seq", UINT64_C(1) << 53, 0, after) ||
      !query_uint(*ctx, "limit", max_limit, default_limit, limit)) {
    return;
  }
  const std::string tenant = ctx->tenant_id(), id = c->id;
  const Seq head = c->head_seq;
  const std::string k = key;
  on_reader(ctx, [=](StoreReader& db) -> std::function<void()> {
    Json list = Json::array();
    const Result<bool> more = read(db, tenant, id, after, limit, list);
    if (!more) return [ctx, e = more.error()] { ctx->res.error(e); };
    auto out = std::make_shared<Json>(Json{{"conversation_id", id}, {"head_seq", head}, {k, std::move(list)}, {"more", more.value()}});
    return [ctx, out] { ctx->res.json(200, *out); };
  });
}

Result<bool> read_messages(StoreReader& db, const std::string& tenant, const std::string& id, std::uint64_t after,
                           std::uint64_t limit, Json& list) {
  Result<MessagePage> page = db.messages_page(tenant, id, after, limit, /*staff=*/true);
  if (!page) return page.error();
  for (const Message& m : page->messages) list.push_back(to_json(m));
  return page->more;
}

Result<bool> read_events(StoreReader& db, const std::string& tenant, const std::string& id, std::uint64_t after,
                         std::uint64_t limit, Json& list) {
  Result<std::vector<Event>> evs = db.events_after(tenant, id, after, /*staff=*/true, limit);
  if (!evs) return evs.error();
  for (const Event& e : evs.value()) list.push_back(to_json(e));
  return evs.value().size() >= limit;
}

void get_messages(const CtxPtr& ctx) { seq_page(ctx, "messages", 5000, 1000, &read_messages); }
void get_events(const CtxPtr& ctx) { seq_page(ctx, "events", 1000, 500, &read_events); }

// POST /api/v1/conversations/{id}/messages {text, client_msg_id | Idempotency-Key header, kind?}
void post_message(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<SendMessageRequest> r = decode_send_message(body);
  if (!decoded(*ctx, r)) return;
  SendMessageRequest& m = std::get<SendMessageRequest>(r);
  // A retried request must not store twice: the caller names the message.
  std::string key = m.client_msg_id;
  if (key.empty()) {
    const std::string& header = ctx->req.header("idempotency-key");
    if (auto e = check_text(header, kMaxIdChars, "Idempotency-Key")) return ctx->res.error(*e);
    key = header;
  }
  if (key.empty()) {
    return ctx->res.error(api_error(ErrorCode::missing_field,
                                    "name the message: client_msg_id in the body or an Idempotency-Key header",
                                    "client_msg_id"));
  }
  if (ctx->caller.api_key && m.kind != MessageKind::note) {
    return ctx->res.error(
        api_error(ErrorCode::forbidden, "an API key may post notes only (kind \"note\"); replies come from a person", "kind"));
  }
  if (path_conversation(*ctx) == nullptr) return;
  SendMessage cmd;
  cmd.conversation_id = ctx->param(0);
  cmd.client_msg_id = key;
  cmd.text = std::move(m.text);
  cmd.kind = m.kind;
  run_command(ctx, std::move(cmd), 201);
}

// POST /api/v1/conversations/{id}/accept
void post_accept(const CtxPtr& ctx) {
  if (ctx->caller.api_key) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "an API key cannot accept: only a person can be assigned"));
  }
  if (path_conversation(*ctx) == nullptr) return;
  run_command(ctx, Accept{ctx->param(0)});
}

// POST /api/v1/conversations/{id}/resolve {resolution, issue_type}
void post_resolve(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
  ApiResult<ResolveRequest> r = decode_resolve(body, t ? t->settings.issue_types : std::vector<std::string>{});
  if (!decoded(*ctx, r)) return;
  if (path_conversation(*ctx) == nullptr) return;
  ResolveRequest& m = std::get<ResolveRequest>(r);
  run_command(ctx, Resolve{ctx->param(0), std::move(m.resolution), std::move(m.issue_type)});
}

// bot -> pending without assigning anyone (API-key callers).
void queue_handoff(const CtxPtr& ctx, const std::string& conversation_id, const std::string& reason) {
  const Actor by{Role::system, "api", "API"};
  ctx->hub.queue_handoff(ctx->tenant_id(), conversation_id, by, reason.empty() ? "mirror_handoff" : reason,
                         [ctx](Result<Json> r) {
                           if (!r) return ctx->res.error(r.error());
                           Json out = *r;
                           out["success"] = true;
                           ctx->res.json(200, out);
                         });
}

// POST /api/v1/conversations/{id}/handoff {reason}
void post_handoff(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<HandoffRequest> r = decode_handoff(body, /*with_user_id=*/false);
  if (!decoded(*ctx, r)) return;
  if (path_conversation(*ctx) == nullptr) return;
  // A person takes the conversation over (assigned to them); an API key only queues it.
  if (ctx->caller.api_key) return queue_handoff(ctx, ctx->param(0), std::get<HandoffRequest>(r).reason);
  run_command(ctx, Handoff{ctx->param(0), std::get<HandoffRequest>(r).reason});
}

// POST /api/v1/conversations/{id}/priority {priority}
void post_priority(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<Priority> r = decode_priority(body);
  if (!decoded(*ctx, r)) return;
  if (path_conversation(*ctx) == nullptr) return;
  run_command(ctx, SetPriority{ctx->param(0), std::get<Priority>(r)});
}

}  // namespace

void add_conversation_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"api", "v1", "conversations"}, Access::staff, &list});
  out.push_back({"GET", {"api", "v1", "conversations", "*"}, Access::staff, &get_one});
  out.push_back({"GET", {"api", "v1", "conversations", "*", "messages"}, Access::staff, &get_messages});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "messages"}, Access::staff, &post_message});
  out.push_back({"GET", {"api", "v1", "conversations", "*", "events"}, Access::staff, &get_events});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "accept"}, Access::staff, &post_accept});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "resolve"}, Access::staff, &post_resolve});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "handoff"}, Access::staff, &post_handoff});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "priority"}, Access::staff, &post_priority});
}

}  // namespace parley::relay
