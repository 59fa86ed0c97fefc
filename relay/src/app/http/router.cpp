// Routing, authentication, authorisation and the request checks (router.hpp).
#include "app/http/router.hpp"

#include <exception>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "parley/text.hpp"

namespace parley::relay {

using namespace http;

namespace {

// The API key of a request: "Authorization: Bearer <key>" or "X-Api-Key: <key>"; "" when none.
std::string api_key_of(const HttpRequest& req) {
  const std::string& auth = req.header("authorization");
  if (auth.size() > 7 && iequals_ascii(std::string_view(auth).substr(0, 7), "bearer ")) {
    return std::string(trim(std::string_view(auth).substr(7)));
  }
  return std::string(trim(req.header("x-api-key")));
}

bool has_api_key_header(const HttpRequest& req) {
  return !req.header("authorization").empty() || !req.header("x-api-key").empty();
}

bool state_changing(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

// CSRF defence for cookie-authenticated state changes: a browser always sends Origin on
// cross-site POST/PATCH/DELETE; when present it must be ours. Sec-Fetch-Site backs it up.
bool csrf_ok(const Hub& hub, const HttpRequest& req) {
  if (!req.header("origin").empty() && !hub.same_origin(req)) return false;
  return req.header("sec-fetch-site") != "cross-site";
}

// The scope an API key needs for a route.
std::optional<ApiScopes::Bit> scope_for(Access access, const std::string& method) {
  switch (access) {
    case Access::public_:
      return std::nullopt;
    case Access::sync:
      return ApiScopes::sync;
    case Access::staff:
      return state_changing(method) ? ApiScopes::write : ApiScopes::read;
    case Access::supervisor:
    case Access::admin:
      return ApiScopes::admin;
  }
  return ApiScopes::admin;
}

std::variant<Caller, ApiError> authorise(Hub& hub, const HttpRequest& req, Access access) {
  Caller c;
  if (has_api_key_header(req)) {
    Result<StaffIdentity> who = hub.sessions().api_key(api_key_of(req));
    if (!who) return api_error(who.error());
    const auto need = scope_for(access, req.method);
    if (need && !who->scopes.has(*need)) {
      ApiScopes s;
      s.bits = *need;
      return api_error(ErrorCode::forbidden, "this API key lacks the \"" + s.format() + "\" scope");
    }
    c.api_key = true;
    c.tenant_id = who->user.tenant_id;
    c.who = std::move(who).value();
    return c;
  }
  if (access == Access::sync) {
    return api_error(ErrorCode::unauthorized, "an API key is required (Authorization: Bearer <key> or X-Api-Key)");
  }
  std::optional<StaffIdentity> who = hub.sessions().authenticate(req);
  if (!who) return api_error(ErrorCode::unauthorized, "log in first (or use an API key)");
  if (state_changing(req.method) && !csrf_ok(hub, req)) {
    return api_error(ErrorCode::forbidden, "cross-origin request refused");
  }
  c.tenant_id = who->user.tenant_id;
  c.who = std::move(*who);
  const StaffRole r = c.who.user.role;
  if (access == Access::admin && r != StaffRole::admin) return api_error(ErrorCode::forbidden, "admins only");
  if (access == Access::supervisor && r == StaffRole::agent) {
    return api_error(ErrorCode::forbidden, "supervisors and admins only");
  }
  return c;
}

bool matches(const Route& r, const std::vector<std::string>& segs, std::vector<std::string>* params) {
  if (r.pattern.size() != segs.size()) return false;
  params->clear();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (r.pattern[i] == "*") {
      params->push_back(segs[i]);
    } else if (r.pattern[i] != segs[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

HttpApi::HttpApi(Hub& hub) : hub_(hub) {
  add_public_routes(routes_);
  add_conversation_routes(routes_);
  add_admin_routes(routes_);
  add_stats_routes(routes_);
  add_supervise_routes(routes_);
  add_mirror_routes(routes_);
  add_routing_routes(routes_);
  add_convtools_routes(routes_);
  add_attachment_routes(routes_);
  add_offline_routes(routes_);
  add_ticket_routes(routes_);
  add_kb_routes(routes_);
  add_whatsapp_routes(routes_);  // issue 11 (app/channels/whatsapp/routes.cpp)
  add_staff_access_routes(routes_);
  add_llm_routes(routes_);
}

void HttpApi::handle(HttpRequest req, HttpReply reply) {
  Responder res(std::move(reply), req.method + " " + req.path);
  try {
    route(std::move(req), res);
  } catch (const std::exception& e) {
    log::error("http: a handler threw", {{"error", e.what()}});
    if (!res.done()) res.error(api_error(ErrorCode::internal, "internal error"));
  } catch (...) {
    log::error("http: a handler threw", {{"error", "unknown exception"}});
    if (!res.done()) res.error(api_error(ErrorCode::internal, "internal error"));
  }
}

void HttpApi::route(HttpRequest req, const Responder& res) {
  const bool api = req.path.starts_with("/api/") || req.path == "/api" || req.path.starts_with("/webhooks/");
  const std::vector<std::string> segs = split_path(req.path);
  const Route* found = nullptr;
  std::vector<std::string> params;
  std::string allow;
  for (const Route& r : routes_) {
    std::vector<std::string> p;
    if (!matches(r, segs, &p)) continue;
    if (req.method == r.method || (req.method == "HEAD" && std::string_view(r.method) == "GET")) {
      found = &r;
      params = std::move(p);
      break;
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  if (!found && !api && allow.empty()) return serve_page(hub_, req, res);
  // Provider webhooks are counted apart (Meta's few addresses post a status per message sent):
  // under the REST allowance a busy number's statuses were answered 429 and delayed.
  const bool webhook = found && is_webhook_route(*found);
  if (!(webhook ? hub_.webhook_allowed(req.remote_addr) : hub_.rest_allowed(req.remote_addr))) {
    HttpResponse r = error_response(api_error(ErrorCode::rate_limited, "too many requests from this address"));
    r.headers.emplace_back("Retry-After", "1");
    return res.send(std::move(r));
  }
  // Uploads and provider webhooks (WhatsApp sends up to 3 MB) check their own, larger limits.
  if (req.body.size() > kMaxBodyBytes && !(found && (is_upload_route(*found) || webhook))) {
    return res.error(too_large());
  }
  if (auto e = check_text(req.path, 2000, "path")) return res.error(*e);
  if (!found) {
    if (!allow.empty()) {
      HttpResponse r = error_response(method_not_allowed());
      r.headers.emplace_back("Allow", allow);
      return res.send(std::move(r));
    }
    return res.error(api_error(ErrorCode::not_found, "no such endpoint"));
  }
  for (const std::string& p : params) {
    if (auto e = check_text(p, kMaxIdChars, "id")) return res.error(*e);
  }
  ApiResult<std::map<std::string, std::string>> query = parse_query(req.query);
  if (!ok(query)) return res.error(std::get<ApiError>(query));

  Caller caller;
  if (found->access != Access::public_) {
    std::variant<Caller, ApiError> who = authorise(hub_, req, found->access);
    if (who.index() == 1) return res.error(std::get<ApiError>(who));
    caller = std::move(std::get<Caller>(who));
  }
  auto ctx = std::make_shared<Ctx>(
      Ctx{hub_, std::move(req), res, std::move(caller), std::move(params), std::move(std::get<0>(query))});
  found->handler(ctx);
}

// ---- helpers ---------------------------------------------------------------------------------------

std::variant<Caller, ApiError> authorise_request(Hub& hub, const HttpRequest& req, Access access) {
  return authorise(hub, req, access);
}

bool body_json(const Ctx& ctx, Json& out, bool object_only) {
  ApiResult<Json> r = parse_json_body(ctx.req.body, object_only);
  if (!ok(r)) {
    ctx.res.error(std::get<ApiError>(r));
    return false;
  }
  out = std::move(std::get<Json>(r));
  return true;
}

bool query_uint(const Ctx& ctx, const char* key, std::uint64_t max, std::uint64_t fallback, std::uint64_t& out) {
  const auto it = ctx.query.find(key);
  if (it == ctx.query.end() || it->second.empty()) {
    out = fallback;
    return true;
  }
  const std::optional<std::uint64_t> v = parse_uint(it->second, max);
  if (!v) {
    ctx.res.error(api_error(ErrorCode::bad_field, std::string(key) + " must be an integer from 0 to " + std::to_string(max), key));
    return false;
  }
  out = *v;
  return true;
}

void audit(const CtxPtr& ctx, std::string action, std::string target, Json data, std::function<void()> then) {
  AuditEntry a;
  a.tenant_id = ctx->caller.tenant_id;
  a.actor_type = ctx->caller.actor_type();
  a.actor_id = ctx->caller.api_key ? ctx->caller.who.api_key_id : ctx->caller.who.user.id;
  a.action = std::move(action);
  a.target = std::move(target);
  a.data = std::move(data);
  a.at = ctx->hub.now();
  const std::string what = a.action;
  ctx->hub.write({AppendAudit{std::move(a)}}, [then = std::move(then), what](std::optional<Error> e) {
    if (e) log::error("audit row not stored", {{"action", what}, {"message", e->message}});
    then();
  });
}

void on_reader(const CtxPtr& ctx, std::function<std::function<void()>(StoreReader&)> read) {
  ctx->hub.on_worker([ctx, read = std::move(read)](StoreReader* db) -> std::function<void()> {
    if (db == nullptr) return [ctx] { ctx->res.error(api_error(ErrorCode::unavailable, "no database reader")); };
    return read(*db);
  });
}

}  // namespace parley::relay
