// The WhatsApp channel's HTTP routes (whatsapp.hpp; docs/api.md "WhatsApp").
//   GET  /webhooks/whatsapp                          public: Meta's verification handshake
//   POST /webhooks/whatsapp                          public, signed: store, answer 200, process
//   GET  /api/v1/channels/whatsapp                   admin: the settings, secrets masked
//   PUT  /api/v1/channels/whatsapp                   admin: change them (secrets write-only)
//   GET  /api/v1/conversations/{id}/whatsapp         staff: the 24-hour window and delivery states
//   POST /api/v1/conversations/{id}/whatsapp/template staff: send an approved template
// Loop thread.
#include "app/channels/whatsapp/whatsapp.hpp"
#include "app/http/router.hpp"
#include "core/log.hpp"

namespace parley::relay {

using namespace http;

namespace {

// The body limit of a webhook (WhatsApp sends up to 3 MB).
constexpr std::size_t kMaxWebhookBytes = 4u << 20;

WhatsApp* module_of(const Ctx& ctx) { return static_cast<WhatsApp*>(ctx.hub.channel_hooks().module.get()); }

bool ready(const CtxPtr& ctx, WhatsApp*& wa) {
  wa = module_of(*ctx);
  if (!wa) ctx->res.error(api_error(ErrorCode::not_found, "the WhatsApp channel is not enabled"));
  return wa != nullptr;
}

void get_verify(const CtxPtr& ctx) {
  WhatsApp* wa = nullptr;
  if (!ready(ctx, wa)) return;
  ctx->res.send(wa->verify(ctx->query));
}

void post_webhook(const CtxPtr& ctx) {
  WhatsApp* wa = nullptr;
  if (!ready(ctx, wa)) return;
  if (ctx->req.body.size() > kMaxWebhookBytes) return ctx->res.error(too_large());
  wa->receive(ctx->req, [ctx](HttpResponse r) { ctx->res.send(std::move(r)); });
}

void get_settings(const CtxPtr& ctx) {
  WhatsApp* wa = nullptr;
  if (!ready(ctx, wa)) return;
  const WaAccount* a = wa->account(ctx->tenant_id());
  if (!a) return ctx->res.json(200, Json{{"configured", false}});
  Json j = a->to_public_json();
  j["configured"] = true;
  ctx->res.json(200, j);
}

void put_settings(const CtxPtr& ctx) {
  WhatsApp* wa = nullptr;
  if (!ready(ctx, wa)) return;
  Json body;
  if (!body_json(*ctx, body)) return;
  WaAccount a;
  if (const WaAccount* cur = wa->account(ctx->tenant_id())) a = *cur;
  a.tenant_id = ctx->tenant_id();
  if (auto e = a.apply(body)) return ctx->res.error(*e);
  // The audit row names the fields changed, never a secret's value.
  Json fields = Json::array();
  for (auto it = body.begin(); it != body.end(); ++it) fields.push_back(it.key());
  wa->save_account(a, [ctx, wa, fields](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);
    audit(ctx, "whatsapp.settings_changed", ctx->tenant_id(), Json{{"fields", fields}}, [ctx, wa] {
      const WaAccount* a = wa->account(ctx->tenant_id());
      Json j = a ? a->to_public_json() : Json::object();
      j["configured"] = a != nullptr;
      ctx->res.json(200, j);
    });
  });
}

void get_conversation(const CtxPtr& ctx) {
  WhatsApp* wa = nullptr;
  if (!ready(ctx, wa)) return;
  const Conversation* c = ctx->hub.find_conversation(ctx->tenant_id(), ctx->param(0));
  if (!c) return ctx->res.error(api_error(ErrorCode::not_found, "no such conversation"));
  if (c->channel != Channel::whatsapp) {
    return ctx->res.error(api_error(ErrorCode::bad_field, "not a WhatsApp conversation", "conversation_id"));
  }
  Json out{{"conversation_id", c->id}, {"window", wa->window(*c)}};
  const WaAccount* a = wa->account(ctx->tenant_id());
  out["templates"] = a ? a->templates : Json::array();
  const std::string tenant = ctx->tenant_id(), id = c->id;
  on_reader(ctx, [ctx, out, tenant, id](StoreReader& r) -> std::function<void()> {
    auto jobs = std::make_shared<Result<std::vector<OutboxJob>>>(r.conversation_outbox(tenant, id));
    return [ctx, out, jobs]() mutable {
      if (!*jobs) return ctx->res.error(jobs->error());
      Json list = Json::array();
      for (const OutboxJob& j : jobs->value()) {
        list.push_back(Json{{"seq", j.seq},
                            {"state", to_string(j.state)},
                            {"delivery", j.delivery},
                            {"attempts", j.attempts},
                            {"error", j.last_error},
                            {"code", j.error_code},
                            {"error_class", j.error_class},
                            {"provider_id", j.provider_id},
                            {"next_attempt_at", j.next_attempt_at}});
      }
      out["deliveries"] = std::move(list);
      ctx->res.json(200, out);
    };
  });
}

void post_template(const CtxPtr& ctx) {
  WhatsApp* wa = nullptr;
  if (!ready(ctx, wa)) return;
  Json body;
  if (!body_json(*ctx, body)) return;
  wa::TemplateSend t;
  if (!body.contains("name") || !body["name"].is_string()) {
    return ctx->res.error(api_error(ErrorCode::missing_field, "name is required", "name"));
  }
  t.name = body["name"].get<std::string>();
  if (body.contains("language")) {
    if (!body["language"].is_string()) return ctx->res.error(api_error(ErrorCode::bad_field, "must be a string", "language"));
    t.language = body["language"].get<std::string>();
  }
  if (body.contains("parameters")) {
    if (!body["parameters"].is_array()) {
      return ctx->res.error(api_error(ErrorCode::bad_field, "an array of strings", "parameters"));
    }
    for (const Json& p : body["parameters"]) {
      if (!p.is_string()) return ctx->res.error(api_error(ErrorCode::bad_field, "an array of strings", "parameters"));
      t.parameters.push_back(p.get<std::string>());
    }
  }
  wa->send_template(ctx->caller.who, ctx->param(0), std::move(t), [ctx](Result<Json> r) {
    if (!r) return ctx->res.error(r.error());
    ctx->res.json(200, *r);
  });
}

}  // namespace

void add_whatsapp_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"webhooks", "whatsapp"}, Access::public_, &get_verify});
  out.push_back({"POST", {"webhooks", "whatsapp"}, Access::public_, &post_webhook});
  out.push_back({"GET", {"api", "v1", "channels", "whatsapp"}, Access::admin, &get_settings});
  out.push_back({"PUT", {"api", "v1", "channels", "whatsapp"}, Access::admin, &put_settings});
  out.push_back({"GET", {"api", "v1", "conversations", "*", "whatsapp"}, Access::staff, &get_conversation});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "whatsapp", "template"}, Access::staff, &post_template});
}

bool is_webhook_route(const Route& r) { return r.handler == &post_webhook; }

}  // namespace parley::relay
