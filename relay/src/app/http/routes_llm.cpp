// Assistant provider routes (issue 10; docs/api.md "Assistant provider"): the tenant's LLM
// settings (the key write-only) and the tokens and cost the assistant used.
#include <chrono>

#include "app/assistant/llm_service.hpp"
#include "app/http/router.hpp"

namespace parley::relay {

using namespace http;

namespace {

bool is_admin(const Caller& c) {
  return c.api_key ? c.who.scopes.has(ApiScopes::admin) : c.role() == StaffRole::admin;
}

// GET /api/v1/assistant/provider: supervisors and admins (keys: admin). Never the key: key_set,
// and for admins its last four characters.
void get_provider(const CtxPtr& ctx) {
  ctx->res.json(200, LlmService::settings_json(ctx->hub.llm().settings(ctx->tenant_id()), is_admin(ctx->caller)));
}

// PUT /api/v1/assistant/provider {provider, base_url, model, cheap_model, api_key, temperature,
// max_tokens, monthly_budget_usd, input_usd_per_mtok, output_usd_per_mtok}: admins. Absent fields
// keep their value; "api_key": "" removes the key. The audit row names the fields changed, with
// the key as "(changed)", never its value.
void put_provider(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ctx->hub.llm().save(ctx->tenant_id(), body, [ctx, body](Result<LlmSettings> r) {
    if (!r) return ctx->res.error(api_error(r.error()));
    Json out = LlmService::settings_json(*r, true);
    Json changed = Json::object();
    for (auto it = body.begin(); it != body.end(); ++it) {
      changed[it.key()] = it.key() == "api_key" ? Json("(changed)") : it.value();
    }
    audit(ctx, "assistant.provider", "", changed, [ctx, out] { ctx->res.json(200, out); });
  });
}

Millis month_start(Millis now) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(now)));
  const year_month_day ymd(day);
  return duration_cast<milliseconds>(sys_days(ymd.year() / ymd.month() / 1).time_since_epoch()).count();
}

Json totals_json(const LlmUsageTotals& t) {
  return Json{{"calls", t.calls},
              {"prompt_tokens", t.prompt_tokens},
              {"completion_tokens", t.completion_tokens},
              {"cost_usd", t.cost_usd}};
}

// GET /api/v1/assistant/usage?since=MS&conversation_id=ID&limit=N: the tenant's provider calls,
// tokens and cost since `since` (default: the start of this month, UTC) and the costliest
// conversations (at most `limit`, default 50, max 500). Supervisors and admins (keys: admin).
void get_usage(const CtxPtr& ctx) {
  std::uint64_t since = 0, limit = 0;
  const Millis default_since = month_start(ctx->hub.now());
  if (!query_uint(*ctx, "since", 1ull << 52, static_cast<std::uint64_t>(default_since), since) ||
      !query_uint(*ctx, "limit", 500, 50, limit))
    return;
  const std::string conv = ctx->q("conversation_id");
  if (conv.size() > 64) return ctx->res.error(api_error(ErrorCode::bad_field, "conversation_id is too long", "conversation_id"));
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant, since, limit, conv](StoreReader& db) -> std::function<void()> {
    auto r = std::make_shared<Result<LlmUsageReport>>(db.llm_usage(tenant, static_cast<Millis>(since), conv, limit));
    return [ctx, r, since] {
      if (!*r) return ctx->res.error(api_error(r->error()));
      Json convs = Json::array();
      for (const auto& [id, t] : r->value().conversations) {
        Json j = totals_json(t);
        j["conversation_id"] = id;
        convs.push_back(std::move(j));
      }
      ctx->res.json(200, Json{{"since", since}, {"tenant", totals_json(r->value().tenant)}, {"conversations", convs}});
    };
  });
}

}  // namespace

void add_llm_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"api", "v1", "assistant", "provider"}, Access::supervisor, &get_provider});
  out.push_back({"PUT", {"api", "v1", "assistant", "provider"}, Access::admin, &put_provider});
  out.push_back({"GET", {"api", "v1", "assistant", "usage"}, Access::supervisor, &get_usage});
}

}  // namespace parley::relay
