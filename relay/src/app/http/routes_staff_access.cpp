// Staff accounts by mail (issue 9; docs/api.md "Invitations and password resets"): invitations
// (admins), the accept page's calls and password resets (public), role and address changes
// (admins). The module app/staff_access/ does the work; these handlers read and check the input.
#include "app/http/router.hpp"
#include "app/staff_access/staff_access.hpp"

namespace parley::relay {

using namespace http;

namespace {

StaffAccess::By by_of(const Ctx& ctx) {
  const Caller& c = ctx.caller;
  return StaffAccess::By{c.tenant_id, c.actor_type(), c.api_key ? c.who.api_key_id : c.who.user.id,
                         c.api_key ? std::string() : c.who.user.display_name};
}

// Public forms posted from another site are refused (as the login is).
bool foreign_origin(const CtxPtr& ctx) {
  if (!ctx->req.header("origin").empty() && !ctx->hub.same_origin(ctx->req)) {
    ctx->res.error(api_error(ErrorCode::forbidden, "origin not allowed"));
    return true;
  }
  return false;
}

bool small_body(const CtxPtr& ctx) {
  if (ctx->req.body.size() > 16 * 1024) {
    ctx->res.error(api_error(ErrorCode::bad_json, "body must be a small JSON object"));
    return false;
  }
  return true;
}

void answer_json(const CtxPtr& ctx, int status, Result<Json> r) {
  if (!r) return ctx->res.error(r.error());
  ctx->res.json(status, r.value());
}

// POST /api/v1/invitations {email, role}
void post_invitation(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  const std::string email = f.text("email", Need::optional, 254, true);
  const std::string role = f.text("role", Need::optional, kMaxShortChars, true);
  if (f.failed()) return ctx->res.error(*f.error());
  Result<InvitationInput> in = check_invitation(email, role);
  if (!in) return ctx->res.error(in.error());
  ctx->hub.staff_access().invite(by_of(*ctx), ctx->hub.own_origin(ctx->req), std::move(in.value()),
                                 [ctx](Result<Json> r) {
                                   if (!r) return ctx->res.error(r.error());
                                   ctx->res.json(201, Json{{"invitation", r.value()}});
                                 });
}

// GET /api/v1/invitations
void get_invitations(const CtxPtr& ctx) {
  ctx->hub.staff_access().list(ctx->tenant_id(), [ctx](Result<Json> r) { answer_json(ctx, 200, std::move(r)); });
}

// DELETE /api/v1/invitations/{id}
void delete_invitation(const CtxPtr& ctx) {
  ctx->hub.staff_access().revoke(by_of(*ctx), ctx->param(0), [ctx](Result<Json> r) { answer_json(ctx, 200, std::move(r)); });
}

// POST /api/v1/invitations/check {token}: what the accept page shows.
void post_invitation_check(const CtxPtr& ctx) {
  if (foreign_origin(ctx) || !small_body(ctx)) return;
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  const std::string token = f.text("token", Need::required, 200, true);
  if (f.failed()) return ctx->res.error(*f.error());
  ctx->hub.staff_access().check_invitation_token(token, [ctx](Result<Json> r) { answer_json(ctx, 200, std::move(r)); });
}

// POST /api/v1/invitations/accept {token, username, display_name?, password}
void post_invitation_accept(const CtxPtr& ctx) {
  if (foreign_origin(ctx) || !small_body(ctx)) return;
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  const std::string token = f.text("token", Need::required, 200, true);
  const std::string username = f.text("username", Need::optional, 64, true);
  const std::string display_name = f.text("display_name", Need::optional, kMaxShortChars, true);
  const std::string password = f.text("password", Need::optional, 1000);
  if (f.failed()) return ctx->res.error(*f.error());
  ctx->hub.staff_access().accept(token, username, display_name, password,
                                 [ctx](Result<Json> r) { answer_json(ctx, 201, std::move(r)); });
}

// POST /api/v1/password-reset {username} | {email}: always the same 202 (no enumeration).
void post_password_reset(const CtxPtr& ctx) {
  if (foreign_origin(ctx) || !small_body(ctx)) return;
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  const std::string username = f.text("username", Need::optional, 254, true);
  const std::string email = f.text("email", Need::optional, 254, true);
  if (f.failed()) return ctx->res.error(*f.error());
  const std::string who = !username.empty() ? username : email;
  if (who.empty()) return ctx->res.error(api_error(ErrorCode::missing_field, "give your user name or e-mail address", "username"));
  StaffAccess& sa = ctx->hub.staff_access();
  if (!sa.reset_allowed(ctx->req.remote_addr)) {
    HttpResponse r = error_response(api_error(ErrorCode::rate_limited, "too many reset requests from this address: "
                                                                       "try again in a few minutes"));
    r.headers.emplace_back("Retry-After", "120");
    return ctx->res.send(std::move(r));
  }
  // Answered before anything is looked up: the answer and its timing are the same for everyone.
  ctx->res.json(202, Json{{"ok", true},
                          {"message", "If this account exists and has an e-mail address, a reset link is on its way."}});
  sa.request_reset(who, ctx->hub.own_origin(ctx->req), ctx->req.remote_addr);
}

// POST /api/v1/password-reset/confirm {token, password}
void post_password_reset_confirm(const CtxPtr& ctx) {
  if (foreign_origin(ctx) || !small_body(ctx)) return;
  Json body;
  if (!body_json(*ctx, body)) return;
  FieldReader f(body);
  const std::string token = f.text("token", Need::required, 200, true);
  const std::string password = f.text("password", Need::optional, 1000);
  if (f.failed()) return ctx->res.error(*f.error());
  ctx->hub.staff_access().confirm_reset(token, password, [ctx](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);
    ctx->res.json(200, Json{{"ok", true}});
  });
}

// PATCH /api/v1/users/{id} {role?, email?}
void patch_user(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "role" && it.key() != "email") {
      return ctx->res.error(api_error(ErrorCode::bad_field, "only role and email can be changed here", it.key()));
    }
  }
  FieldReader f(body);
  std::optional<StaffRole> role;
  std::optional<std::string> email;
  if (body.contains("role")) {
    const std::string r = f.text("role", Need::required, kMaxShortChars, true);
    if (f.failed()) return ctx->res.error(*f.error());
    role = parse_staff_role(r);
    if (!role) return ctx->res.error(api_error(ErrorCode::bad_field, "the role must be admin, supervisor or agent", "role"));
  }
  if (body.contains("email")) {
    const std::string e = f.text("email", Need::optional, 254, true);
    if (f.failed()) return ctx->res.error(*f.error());
    email = e.empty() ? std::string() : normalise_email(e);
    if (!e.empty() && email->empty()) {
      return ctx->res.error(api_error(ErrorCode::bad_field, "this is not an e-mail address", "email"));
    }
  }
  if (!role && !email) return ctx->res.error(api_error(ErrorCode::missing_field, "give a role or an email", "role"));
  ctx->hub.staff_access().update_user(by_of(*ctx), ctx->param(0), role, email, [ctx](Result<User> u) {
    if (!u) return ctx->res.error(u.error());
    ctx->res.json(200, Json{{"user", user_json(u.value())}});
  });
}

}  // namespace

void add_staff_access_routes(std::vector<Route>& out) {
  out.push_back({"POST", {"api", "v1", "invitations"}, Access::admin, &post_invitation});
  out.push_back({"GET", {"api", "v1", "invitations"}, Access::admin, &get_invitations});
  out.push_back({"POST", {"api", "v1", "invitations", "check"}, Access::public_, &post_invitation_check});
  out.push_back({"POST", {"api", "v1", "invitations", "accept"}, Access::public_, &post_invitation_accept});
  out.push_back({"DELETE", {"api", "v1", "invitations", "*"}, Access::admin, &delete_invitation});
  out.push_back({"POST", {"api", "v1", "password-reset"}, Access::public_, &post_password_reset});
  out.push_back({"POST", {"api", "v1", "password-reset", "confirm"}, Access::public_, &post_password_reset_confirm});
  out.push_back({"PATCH", {"api", "v1", "users", "*"}, Access::admin, &patch_user});
}

}  // namespace parley::relay
