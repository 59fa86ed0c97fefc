// Routes without an API key or a session role: health, metrics, the public tenant config, and
// login / logout / me (docs/api.md "Login").
#include "app/http/router.hpp"
#include "app/origin.hpp"
#include "core/metrics.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"

namespace parley::relay {

using namespace http;

namespace {

std::string cookie(const std::string& name, const std::string& value, Millis max_age_s, bool secure) {
  std::string c = name + "=" + value + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age_s);
  if (secure) c += "; Secure";
  return c;
}

// The cookie is Secure whenever the relay is reached over https: TLS here, a trusted proxy's
// X-Forwarded-Proto, or an https public URL.
bool secure_cookie(const Ctx& ctx) { return ctx.req.secure || ctx.hub.options().public_url.starts_with("https://"); }

// GET /healthz: 200 while the store takes writes (with how many writes were refused as busy);
// 503 once a commit failed.
void get_health(const CtxPtr& ctx) {
  if (ctx->hub.store_failed()) {
    return ctx->res.json(503, Json{{"status", "failed"}, {"error", "the store refuses writes (a commit failed)"}});
  }
  // Writes refused because another process held the database are retried by clients; the
  // count tells an operator that something (a backup, parleyctl) is holding it.
  ctx->res.json(200, Json{{"status", "ok"}, {"busy_refusals", metrics().store_busy_refusals.load()}});
}

// GET /metrics: from loopback, or with "Authorization: Bearer <metrics token>" when configured.
void get_metrics(const CtxPtr& ctx) {
  const std::string& token = ctx->hub.options().metrics_token;
  bool allowed = is_loopback_host(ctx->req.remote_addr);
  if (!token.empty()) {
    const std::string& auth = ctx->req.header("authorization");
    allowed = auth.size() > 7 && iequals_ascii(std::string_view(auth).substr(0, 7), "bearer ") &&
              constant_time_equal(trim(std::string_view(auth).substr(7)), token);
  }
  if (!allowed) return ctx->res.error(api_error(ErrorCode::forbidden, "metrics are served to loopback or with the metrics token"));
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics().render(render_store_metrics(ctx->hub.store_stats()));
  r.headers.emplace_back("Cache-Control", "no-store");
  ctx->res.send(std::move(r));
}

// GET /api/config?tenant=SLUG: public, non-secret settings read by the embed loader on any page.
void get_config(const CtxPtr& ctx) {
  const std::string slug = ctx->q("tenant");
  const Tenant* t = slug.empty() ? &ctx->hub.default_tenant() : ctx->hub.tenant(slug);
  if (t == nullptr || (!slug.empty() && t->slug != slug)) {
    return ctx->res.error(api_error(ErrorCode::not_found, "no such tenant", "tenant"));
  }
  // embed_allowed: whether the asking page's site may embed the widget (the same rule as the
  // widget page's frame-ancestors, pages.cpp), so the loader shows nothing on a site not yet in
  // allowed_sites instead of a browser error page in the panel. A request without an Origin
  // (same-origin GET, scripts) is the relay's own site.
  const std::string asking = ctx->req.header("origin");
  bool embed_allowed = asking.empty() || ctx->hub.same_origin(ctx->req);
  for (const std::string& site : t->settings.allowed_sites) {
    if (site == "*" || (!asking.empty() && origin_of(site) == asking)) embed_allowed = true;
  }
  Json body = to_json(ctx->hub.public_config(*t));
  body["embed_allowed"] = embed_allowed;
  body["availability"] = to_json(ctx->hub.availability(t->id));  // issue 9: the offline form
  HttpResponse r = json_response(200, body);
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  r.headers.emplace_back("Vary", "Origin");
  r.headers.emplace_back("Cache-Control", "no-cache");
  ctx->res.send(std::move(r));
}

// POST /api/login {username, password}
void post_login(const CtxPtr& ctx) {
  // A login form posted from another site is refused (CSRF on the login itself).
  if (!ctx->req.header("origin").empty() && !ctx->hub.same_origin(ctx->req)) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "origin not allowed"));
  }
  if (ctx->req.body.size() > 16 * 1024) return ctx->res.error(api_error(ErrorCode::bad_json, "body must be a small JSON object"));
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  const std::string username = f.text("username", Need::required, 200);
  const std::string password = f.text("password", Need::required, 1000);
  if (f.failed()) return ctx->res.error(*f.error());
  const bool secure = secure_cookie(*ctx);
  ctx->hub.sessions().login(ctx->req, username, password,
                            [ctx, secure](Result<LoginResult> r, std::optional<LoginError> e) {
    if (!r.ok()) {
      const LoginError err = e.value_or(LoginError{});
      HttpResponse resp = json_response(err.http_status, Json{{"error", {{"code", err.code}, {"message", err.message}}}});
      if (err.retry_after_s > 0) resp.headers.emplace_back("Retry-After", std::to_string(err.retry_after_s));
      return ctx->res.send(std::move(resp));
    }
    HttpResponse resp = json_response(200, Json{{"user", user_json(r->user)}, {"expires_at", r->expires_at}});
    resp.headers.emplace_back("Set-Cookie", cookie(Sessions::kCookie, r->token, ctx->hub.options().session_ttl_ms / 1000, secure));
    if (!r->device_token.empty()) {
      resp.headers.emplace_back("Set-Cookie", cookie(Sessions::kDeviceCookie, r->device_token, 180LL * 24 * 3600, secure));
    }
    ctx->res.send(std::move(resp));
  });
}

// POST /api/logout
void post_logout(const CtxPtr& ctx) {
  if (!ctx->req.header("origin").empty() && !ctx->hub.same_origin(ctx->req)) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "origin not allowed"));
  }
  ctx->hub.sessions().logout(ctx->req.cookie(Sessions::kCookie), [ctx](std::optional<Error>) {
    // The session is refused from now on even if the delete failed (logged): answer ok.
    HttpResponse r = json_response(200, Json{{"ok", true}});
    r.headers.emplace_back("Set-Cookie", cookie(Sessions::kCookie, "", 0, secure_cookie(*ctx)));
    ctx->res.send(std::move(r));
  });
}

// GET /api/me
void get_me(const CtxPtr& ctx) {
  auto who = ctx->hub.sessions().authenticate(ctx->req);
  if (!who) return ctx->res.error(api_error(ErrorCode::unauthorized, "not logged in"));
  ctx->res.json(200, Json{{"user", user_json(who->user)}, {"expires_at", who->expires_at}});
}

// GET /api/v1/debug/counters (only with --test-counters): what tests assert instead of times.
void get_counters(const CtxPtr& ctx) {
  if (!ctx->hub.options().test_counters || !is_loopback_host(ctx->req.remote_addr)) {
    return ctx->res.error(api_error(ErrorCode::not_found, "no such endpoint"));
  }
  ctx->res.json(200, ctx->hub.test_counters());
}

}  // namespace

void add_public_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"healthz"}, Access::public_, &get_health});
  out.push_back({"GET", {"metrics"}, Access::public_, &get_metrics});
  out.push_back({"GET", {"api", "config"}, Access::public_, &get_config});
  out.push_back({"POST", {"api", "login"}, Access::public_, &post_login});
  out.push_back({"POST", {"api", "logout"}, Access::public_, &post_logout});
  out.push_back({"GET", {"api", "me"}, Access::public_, &get_me});
  out.push_back({"GET", {"api", "v1", "debug", "counters"}, Access::public_, &get_counters});
}

}  // namespace parley::relay
