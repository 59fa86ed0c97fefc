// Static pages and their security headers (router.hpp serve_page).
//
// Every HTML page gets a Content-Security-Policy; pages may not be framed, except the widget's
// iframe page, which the allowed sites of the tenant THE WIDGET RUNS AS may embed. The tenant
// is read from the query exactly as the widget app reads it (the `tenant` parameter, decoded):
// never by a substring search, so "?xtenant=acme&tenant=default" is the default tenant.
#include "app/http/router.hpp"
#include "app/origin.hpp"
#include "net/static_files.hpp"

namespace parley::relay {

using namespace http;

namespace {

std::string frame_ancestors(Hub& hub, const HttpRequest& req) {
  const Tenant* t = &hub.default_tenant();
  ApiResult<std::map<std::string, std::string>> q = parse_query(req.query);
  if (ok(q)) {
    const auto& params = std::get<0>(q);
    if (auto it = params.find("tenant"); it != params.end() && !it->second.empty()) {
      const Tenant* named = hub.tenant(it->second);
      if (!named) return "'none'";  // the app refuses an unknown tenant too
      t = named;
    }
  }
  std::string ancestors = "'self'";
  for (const std::string& site : t->settings.allowed_sites) {
    if (site == "*") return "*";
    const std::string o = origin_of(site);
    if (!o.empty()) ancestors += " " + o;
  }
  return ancestors;
}

}  // namespace

void serve_page(Hub& hub, const HttpRequest& req, const Responder& res) {
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = error_response(method_not_allowed());
    r.headers.emplace_back("Allow", "GET, HEAD");
    return res.send(std::move(r));
  }
  HttpRequest r2 = req;
  // Pretty page names: "/inbox" -> inbox.html, "/widget" -> widget.html.
  if (r2.path.find('.') == std::string::npos && r2.path != "/" && !r2.path.ends_with("/")) {
    HttpRequest html = r2;
    html.path += ".html";
    if (serve_static(hub.options().web_dir, html)) r2 = std::move(html);
  }
  auto resp = serve_static(hub.options().web_dir, r2);
  if (!resp) return res.error(api_error(ErrorCode::not_found, "no such page"));
  if (resp->content_type.starts_with("text/html")) {
    const std::string ancestors = r2.path.starts_with("/widget") ? frame_ancestors(hub, req) : "'none'";
    resp->headers.emplace_back("Content-Security-Policy",
                               "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors " +
                                   ancestors);
    resp->headers.emplace_back("X-Content-Type-Options", "nosniff");
    resp->headers.emplace_back("Referrer-Policy", "same-origin");
  }
  res.send(std::move(*resp));
}

}  // namespace parley::relay
