// Issue 9 supervision routes (docs/api.md "Dashboard", "Conversations view", "Satisfaction survey"):
//   GET  /api/live-chat/dashboard             today's live figures (supervisor, admin)
//   GET  /api/live-chat/conversations         every conversation, filtered, with full-text search (staff)
//   POST /api/live-chat/{id}/csat-request     send the satisfaction survey again (staff)
#include "app/http/router.hpp"

namespace parley::relay {

using namespace http;

namespace {

void get_dashboard(const CtxPtr& ctx) {
  Json out = ctx->hub.dashboard(ctx->tenant_id());
  out["server_time"] = ctx->hub.now();
  ctx->res.json(200, out);
}

// Optional enum query parameter: false (answered) when present but not a known value.
template <class E>
bool query_enum(const Ctx& ctx, const char* key, std::optional<E> (*parse)(std::string_view), std::string_view names,
                std::optional<E>& out) {
  const std::string v = ctx.q(key);
  if (v.empty()) return true;
  out = parse(v);
  if (!out) {
    ctx.res.error(api_error(ErrorCode::bad_field, std::string(key) + " must be one of " + std::string(names), key));
    return false;
  }
  return true;
}

// GET /api/live-chat/conversations?contact=&team=&status=&agent=&priority=&issue_type=&channel=&from=&to=&q=&limit=&offset=
// {"conversations":[summary + "match":{"seq","snippet"}?], "total","limit","offset"}
void get_conversations(const CtxPtr& ctx) {
  ConversationSearch f;
  std::optional<Status> status;
  if (ctx->q("status") == "waiting") {
    status = Status::pending;
  } else if (!query_enum<Status>(*ctx, "status", &parse_status, "bot, pending, active, resolved", status)) {
    return;
  }
  f.status = status;
  if (!query_enum<Priority>(*ctx, "priority", &parse_priority, "urgent, high, normal, low", f.priority)) return;
  if (!query_enum<Channel>(*ctx, "channel", &parse_channel, "web, whatsapp, messenger, instagram, sms, voice, api",
                           f.channel)) {
    return;
  }
  f.assignee_id = ctx->q("agent");
  f.issue_type = ctx->q("issue_type");
  f.query = ctx->q("q");
  f.contact_id = ctx->q("contact");  // issue 9: the customer context panel's history
  f.team = ctx->q("team");
  if (auto e = check_text(f.team, kMaxIdChars, "team")) return ctx->res.error(*e);
  if (auto e = check_text(f.contact_id, kMaxIdChars, "contact")) return ctx->res.error(*e);
  if (auto e = check_text(f.assignee_id, kMaxShortChars, "agent")) return ctx->res.error(*e);
  if (auto e = check_text(f.issue_type, kMaxShortChars, "issue_type")) return ctx->res.error(*e);
  if (auto e = check_text(f.query, kMaxShortChars, "q")) return ctx->res.error(*e);
  std::uint64_t from = 0, to = 0, limit = 0, offset = 0;
  constexpr std::uint64_t kMaxMillis = UINT64_C(1) << 53;
  if (!query_uint(*ctx, "from", kMaxMillis, 0, from) || !query_uint(*ctx, "to", kMaxMillis, 0, to) ||
      !query_uint(*ctx, "limit", kMaxListLimit, 50, limit) || !query_uint(*ctx, "offset", 1000000, 0, offset)) {
    return;
  }
  if (from > 0 && to > 0 && to <= from) {
    return ctx->res.error(api_error(ErrorCode::bad_field, "to must be after from", "to"));
  }
  f.from = static_cast<Millis>(from);
  f.to = static_cast<Millis>(to);
  f.limit = limit;
  f.offset = offset;
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, f, tenant](StoreReader& db) -> std::function<void()> {
    auto page = std::make_shared<Result<SearchPage>>(db.search_conversations(tenant, f));
    return [ctx, page, f, tenant] {
      if (!*page) return ctx->res.error(page->error());
      Json list = Json::array();
      for (const SearchHit& h : (*page)->hits) {
        const Conversation* live = ctx->hub.find_conversation(tenant, h.conversation.id);
        Json item = ctx->hub.conversation_summary(live ? *live : h.conversation);
        if (h.match_seq > 0) item["match"] = Json{{"seq", h.match_seq}, {"snippet", h.snippet}};
        list.push_back(std::move(item));
      }
      ctx->res.json(200, Json{{"conversations", std::move(list)},
                              {"total", (*page)->total},
                              {"total_capped", (*page)->total_capped},
                              {"limit", f.limit},
                              {"offset", f.offset}});
    };
  });
}

// POST /api/live-chat/{id}/csat-request: {"conversation_id","head_seq"}
void post_csat_request(const CtxPtr& ctx) {
  ctx->hub.staff_command(ctx->caller.who, RequestCsat{ctx->param(0)}, [ctx](Result<Json> r) {
    if (!r) return ctx->res.error(r.error());
    ctx->res.json(200, *r);
  });
}

}  // namespace

void add_supervise_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"api", "live-chat", "dashboard"}, Access::supervisor, &get_dashboard});
  out.push_back({"GET", {"api", "live-chat", "conversations"}, Access::staff, &get_conversations});
  out.push_back({"POST", {"api", "live-chat", "*", "csat-request"}, Access::staff, &post_csat_request});
}

}  // namespace parley::relay
