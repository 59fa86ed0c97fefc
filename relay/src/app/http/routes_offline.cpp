// relay/src/app/http/routes_offline.cpp: REST of the offline path and mail (issue 9, docs/api.md
// "Offline messages and mail").
//   POST /api/v1/conversations/{id}/transcript {"email"}   staff (any role; API key: write)
//     Queues the customer-visible transcript to the address. 202 {"conversation_id","queued":true};
//     400 bad_field email; 404 not in the caller's tenant; 503 unavailable when mail is off.
//     Audited ("transcript.mailed", the address's domain only).
//   GET /api/v1/availability                               staff
//     The tenant's availability as the widget sees it (parley/offline.hpp).
#include "app/http/rest_io.hpp"
#include "app/http/router.hpp"

namespace parley::relay {

using namespace http;

namespace {

void post_transcript(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const auto it = body.find("email");
  if (it == body.end()) return ctx->res.error(api_error(ErrorCode::missing_field, "email is required", "email"));
  if (!it->is_string() || !valid_email(it->get<std::string>())) {
    return ctx->res.error(api_error(ErrorCode::bad_field, "email must be an email address", "email"));
  }
  const std::string email = it->get<std::string>();
  const Conversation* c = ctx->hub.find_conversation(ctx->tenant_id(), ctx->param(0));
  if (c == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such conversation"));
  const std::string id = c->id;
  ctx->hub.mail_transcript(ctx->tenant_id(), id, email, [ctx, id, email](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);
    audit(ctx, "transcript.mailed", id, Json{{"domain", email.substr(email.find('@') + 1)}},
          [ctx, id] { ctx->res.json(202, Json{{"conversation_id", id}, {"queued", true}}); });
  });
}

void get_availability(const CtxPtr& ctx) { ctx->res.json(200, to_json(ctx->hub.availability(ctx->tenant_id()))); }

}  // namespace

void add_offline_routes(std::vector<Route>& out) {
  out.push_back({"POST", {"api", "v1", "conversations", "*", "transcript"}, Access::staff, &post_transcript});
  out.push_back({"GET", {"api", "v1", "availability"}, Access::staff, &get_availability});
}

}  // namespace parley::relay
