// relay/src/app/http/router.hpp: the HTTP side of the relay. Every request the hub receives goes
// to HttpApi::handle (installed with Hub::set_http_handler): REST (/api/*, docs/api.md), the
// mirror bridge (/api/chat/*), health and metrics, and the static pages (pages.cpp).
//
// Loop thread only. Each route says who may call it (Access: public, an API key with a scope,
// or a staff session with a role) and the router checks that, the per-address REST rate, the
// CSRF rule for cookie-authenticated changes and the request's size and UTF-8 before the
// handler runs. Handlers answer exactly once through Responder (a second answer is logged and
// dropped). An exception escaping a handler is logged and answered 500; the relay stays up.
//
// Route groups live one per file (routes_*.cpp, bridges/mirror_routes.cpp) and add themselves
// to the table through the add_*_routes functions below.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/http/respond.hpp"
#include "app/hub.hpp"

namespace parley::relay {

// Who may call a route.
enum class Access {
  public_,     // no authentication
  sync,        // an API key with the sync scope (the mirror endpoints)
  staff,       // any staff member, or an API key with read (GET) / write (other methods)
  supervisor,  // admin or supervisor, or an API key with admin
  admin,       // admin, or an API key with admin
};

struct Caller {
  bool api_key = false;  // an API key (acts through the synthetic user "api") rather than a person
  StaffIdentity who;
  std::string tenant_id;

  StaffRole role() const { return who.user.role; }
  std::string actor_type() const { return api_key ? "api" : "user"; }
};

struct Ctx {
  Hub& hub;
  HttpRequest req;
  Responder res;
  Caller caller;
  std::vector<std::string> params;  // the path's {id} segments, in order
  std::map<std::string, std::string> query;

  const std::string& tenant_id() const { return caller.tenant_id; }
  const std::string& param(std::size_t i) const { return params.at(i); }
  std::string q(const std::string& key) const {  // "" when absent
    const auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
};
using CtxPtr = std::shared_ptr<Ctx>;

struct Route {
  const char* method;
  std::vector<std::string_view> pattern;  // "*" matches one path segment (an id)
  Access access;
  void (*handler)(const CtxPtr&);
};

void add_public_routes(std::vector<Route>& out);         // routes_public.cpp
void add_conversation_routes(std::vector<Route>& out);   // routes_conversations.cpp
void add_admin_routes(std::vector<Route>& out);          // routes_admin.cpp
void add_stats_routes(std::vector<Route>& out);          // routes_stats.cpp
void add_mirror_routes(std::vector<Route>& out);         // bridges/mirror_routes.cpp
void add_routing_routes(std::vector<Route>& out);        // routes_routing.cpp (issue 9)
void add_convtools_routes(std::vector<Route>& out);      // routes_convtools.cpp (issue 9)
void add_supervise_routes(std::vector<Route>& out);      // routes_supervise.cpp (issue 9)
void add_attachment_routes(std::vector<Route>& out);     // routes_attachments.cpp (issue 9)
// The upload route takes bodies up to kMaxAttachmentBytes (the server's body limit), not kMaxBodyBytes.
bool is_upload_route(const Route& r);
void add_offline_routes(std::vector<Route>& out);        // routes_offline.cpp (issue 9)
void add_ticket_routes(std::vector<Route>& out);         // routes_tickets.cpp (issue 9)
void add_kb_routes(std::vector<Route>& out);             // routes_kb.cpp (issue 10)
void add_whatsapp_routes(std::vector<Route>& out);       // channels/whatsapp/routes.cpp (issue 11)
bool is_webhook_route(const Route& r);                   // provider webhooks: up to 4 MB
void add_staff_access_routes(std::vector<Route>& out);   // routes_staff_access.cpp (issue 9)
void add_llm_routes(std::vector<Route>& out);            // routes_llm.cpp (issue 10)

// Static pages with their security headers (pages.cpp): GET/HEAD of anything else.
void serve_page(Hub& hub, const HttpRequest& req, const Responder& res);

class HttpApi {
 public:
  explicit HttpApi(Hub& hub);
  void handle(HttpRequest req, HttpReply reply);

 private:
  void route(HttpRequest req, const Responder& res);
  Hub& hub_;
  std::vector<Route> routes_;
};

// ---- helpers for handlers (router.cpp) ----
// The router's staff authorisation (API key scopes, session, CSRF, role) for routes that
// authorise themselves (the attachment routes also accept a customer's visitor token).
std::variant<Caller, http::ApiError> authorise_request(Hub& hub, const HttpRequest& req, Access access);
// Parses the JSON body into `out`; answers the error and returns false on a problem.
bool body_json(const Ctx& ctx, Json& out, bool object_only = true);
template <class T>
bool decoded(const Ctx& ctx, http::ApiResult<T>& r) {
  if (http::ok(r)) return true;
  ctx.res.error(std::get<http::ApiError>(r));
  return false;
}
// An unsigned query parameter in [0, max]; `fallback` when absent. Answers bad_field otherwise.
bool query_uint(const Ctx& ctx, const char* key, std::uint64_t max, std::uint64_t fallback, std::uint64_t& out);
// Appends an audit row (changes that belong to no conversation), then runs `then`.
void audit(const CtxPtr& ctx, std::string action, std::string target, Json data, std::function<void()> then);
// GET /api/v1/stats's body: today's counts of the caller's tenant (routes_stats.cpp).
Json day_stats_json(const Ctx& ctx);
// Runs `read` on a worker with its reader; the function it returns answers on the loop.
void on_reader(const CtxPtr& ctx, std::function<std::function<void()>(StoreReader&)> read);

}  // namespace parley::relay
