// Administration routes: settings, users, passwords, API keys, knowledge base (docs/api.md).
#include "app/http/router.hpp"
#include "core/log.hpp"
#include "core/time_zone.hpp"

namespace parley::relay {

using namespace http;

namespace {

Json settings_reply(const Tenant& t, const TenantSettings& s) {
  return Json{{"tenant", {{"id", t.id}, {"slug", t.slug}, {"name", t.name}}}, {"settings", to_json(s)}};
}

Json key_json(const ApiKey& k) {
  return Json{{"id", k.id},
              {"name", k.name},
              {"scopes", k.scopes.format()},
              {"created_at", k.created_at},
              {"last_used_at", k.last_used_at},
              {"revoked_at", k.revoked_at},
              {"revoked", k.revoked()}};
}

// GET /api/v1/settings
void get_settings(const CtxPtr& ctx) {
  const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
  if (t == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such tenant"));
  ctx->res.json(200, settings_reply(*t, t->settings));
}

// PATCH /api/v1/settings {any subset of the settings}: merged field by field.
void patch_settings(const CtxPtr& ctx) {
  Json patch;
  if (!body_json(*ctx, patch)) return;
  // The store accepts any name-shaped zone; stats need one we can resolve.
  if (const auto it = patch.find("time_zone");
      it != patch.end() && it->is_string() && !TimeZone::find(it->get_ref<const std::string&>())) {
    return ctx->res.error(api_error(
        ErrorCode::bad_field, "time_zone must be UTC, an offset like +0200 or an IANA name known to the system", "time_zone"));
  }
  TenantSettings probe;  // strict schema check before anything is queued
  if (auto e = apply_settings_json(patch, probe)) return ctx->res.error(*e);
  ctx->hub.update_settings(ctx->tenant_id(), patch, [ctx, patch](Result<TenantSettings> r) {
    if (!r) return ctx->res.error(r.error());
    auto settings = std::make_shared<TenantSettings>(std::move(r.value()));
    audit(ctx, "settings.changed", ctx->tenant_id(), patch, [ctx, settings] {
      const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
      if (t == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such tenant"));
      ctx->res.json(200, settings_reply(*t, *settings));
    });
  });
}

// GET /api/v1/users
void get_users(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant](StoreReader& db) -> std::function<void()> {
    Result<std::vector<User>> users = db.list_users(tenant);
    if (!users) return [ctx, e = users.error()] { ctx->res.error(e); };
    Json list = Json::array();
    for (const User& u : users.value()) list.push_back(user_json(u));
    auto out = std::make_shared<Json>(Json{{"users", std::move(list)}});
    return [ctx, out] { ctx->res.json(200, *out); };
  });
}

// POST /api/v1/users {username, display_name?, role, password}
void post_user(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<NewUserRequest> r = decode_new_user(body);
  if (!decoded(*ctx, r)) return;
  NewUserRequest& m = std::get<NewUserRequest>(r);
  ctx->hub.sessions().create_user(ctx->tenant_id(), m.username, m.display_name, m.role, m.password, [ctx](Result<User> u) {
    if (!u) return ctx->res.error(u.error());
    auto user = std::make_shared<User>(std::move(u.value()));
    user->password_hash.clear();
    audit(ctx, "user.created", user->id, Json{{"username", user->username}, {"role", to_string(user->role)}},
          [ctx, user] { ctx->res.json(201, Json{{"user", user_json(*user)}}); });
  });
}

// POST /api/v1/users/{id}/disable | /enable: a disabled user cannot log in; disabling ends every
// session of theirs and closes their sockets at once.
void set_disabled(const CtxPtr& ctx, bool disabled) {
  const std::string id = ctx->param(0), tenant = ctx->tenant_id();
  if (!ctx->caller.api_key && id == ctx->caller.who.user.id && disabled) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "you cannot disable yourself"));
  }
  on_reader(ctx, [ctx, id, tenant, disabled](StoreReader& db) -> std::function<void()> {
    auto u = std::make_shared<Result<std::optional<User>>>(db.find_user(id));
    return [ctx, u, id, tenant, disabled] {
      if (!*u) return ctx->res.error(u->error());
      if (!u->value() || (*u)->value().tenant_id != tenant) {
        return ctx->res.error(api_error(ErrorCode::not_found, "no such user"));
      }
      ctx->hub.write({SetUserDisabled{id, disabled}}, [ctx, id, disabled](std::optional<Error> e) {
        if (e) return ctx->res.error(*e);
        auto answer = [ctx, id, disabled](std::optional<Error> err) {
          if (err) return ctx->res.error(*err);
          audit(ctx, disabled ? "user.disabled" : "user.enabled", id, Json::object(),
                [ctx, id, disabled] { ctx->res.json(200, Json{{"id", id}, {"disabled", disabled}}); });
        };
        if (disabled) return ctx->hub.sessions().revoke_user(id, "", answer);
        answer(std::nullopt);
      });
    };
  });
}
void post_disable(const CtxPtr& ctx) { set_disabled(ctx, true); }
void post_enable(const CtxPtr& ctx) { set_disabled(ctx, false); }

// POST /api/v1/me/password {current_password, new_password}
void post_password(const CtxPtr& ctx) {
  if (ctx->caller.api_key) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "log in as the user whose password changes"));
  }
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<PasswordChangeRequest> r = decode_password_change(body);
  if (!decoded(*ctx, r)) return;
  const PasswordChangeRequest& req = std::get<PasswordChangeRequest>(r);
  const std::string user_id = ctx->caller.who.user.id;
  ctx->hub.sessions().change_password(ctx->caller.who, req.current_password, req.new_password,
                                      [ctx, user_id](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);
    audit(ctx, "password.changed", user_id, Json::object(), [ctx] { ctx->res.json(200, Json{{"ok", true}}); });
  });
}

// POST /api/v1/apikeys {name, scopes?: "sync,read" or ["sync","read"]} -> {key} (shown once).
// An admin session, or a key with the admin scope (the route's Access::admin): issue 6 says
// "no key creates users or keys unless it has the admin scope".
void post_apikey(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<std::string> r = decode_apikey_name(body);
  if (!decoded(*ctx, r)) return;
  ApiScopes scopes;
  scopes.bits = ApiScopes::sync;
  if (auto it = body.find("scopes"); it != body.end()) {
    std::string text;
    if (it->is_string()) {
      text = it->get<std::string>();
    } else if (it->is_array()) {
      for (const Json& s : *it) {
        if (!s.is_string()) return ctx->res.error(api_error(ErrorCode::bad_field, "scopes must be names", "scopes"));
        if (!text.empty()) text += ",";
        text += s.get<std::string>();
      }
    } else {
      return ctx->res.error(api_error(ErrorCode::bad_field, "scopes must be a list of names", "scopes"));
    }
    Result<ApiScopes> parsed = ApiScopes::parse(text);
    if (!parsed) return ctx->res.error(parsed.error());
    scopes = *parsed;
  }
  auto name = std::make_shared<std::string>(std::move(std::get<std::string>(r)));
  ctx->hub.sessions().create_api_key(ctx->tenant_id(), *name, scopes,
                                     [ctx, name](Result<std::pair<ApiKey, std::string>> made) {
    if (!made) return ctx->res.error(made.error());
    auto k = std::make_shared<std::pair<ApiKey, std::string>>(std::move(made.value()));
    audit(ctx, "apikey.created", k->first.id, Json{{"name", *name}, {"scopes", k->first.scopes.format()}}, [ctx, k] {
      Json out = key_json(k->first);
      out["key"] = k->second;
      ctx->res.json(201, out);
    });
  });
}

// GET /api/v1/apikeys
void get_apikeys(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant](StoreReader& db) -> std::function<void()> {
    Result<std::vector<ApiKey>> keys = db.list_api_keys(tenant);
    if (!keys) return [ctx, e = keys.error()] { ctx->res.error(e); };
    Json list = Json::array();
    for (const ApiKey& k : keys.value()) list.push_back(key_json(k));
    auto out = std::make_shared<Json>(Json{{"keys", std::move(list)}});
    return [ctx, out] { ctx->res.json(200, *out); };
  });
}

// DELETE /api/v1/apikeys/{id}: revoked at once.
void delete_apikey(const CtxPtr& ctx) {
  const std::string id = ctx->param(0);
  ctx->hub.sessions().revoke_api_key(ctx->tenant_id(), id, [ctx, id](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);
    audit(ctx, "apikey.revoked", id, Json::object(), [ctx, id] { ctx->res.json(200, Json{{"id", id}, {"revoked", true}}); });
  });
}

// GET /api/v1/kb
// Every article, inactive ones too, as the hub has them now (what the assistant answers from, so a
// script that waits for its import here knows it is live); usage counts as of the hub's last load
// (GET /api/v1/kb/articles reads them fresh).
void get_kb(const CtxPtr& ctx) { ctx->res.json(200, Json{{"articles", kb_to_json(ctx->hub.kb(ctx->tenant_id()))}}); }

// POST /api/v1/kb [ {id,title,body,keywords[]}, ... ]
void post_kb(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body, /*object_only=*/false)) return;
  ApiResult<std::vector<KbArticle>> r = decode_kb(body);
  if (!decoded(*ctx, r)) return;
  const std::size_t count = std::get<std::vector<KbArticle>>(r).size();
  for (KbArticle& a : std::get<std::vector<KbArticle>>(r)) a.updated_at = ctx->hub.now();  // kept when unchanged
  ctx->hub.replace_kb(ctx->tenant_id(), std::move(std::get<std::vector<KbArticle>>(r)), [ctx, count](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);
    audit(ctx, "kb.replaced", ctx->tenant_id(), Json{{"articles", count}},
          [ctx, count] { ctx->res.json(200, Json{{"ok", true}, {"articles", count}}); });
  });
}

}  // namespace

void add_admin_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"api", "v1", "settings"}, Access::supervisor, &get_settings});
  out.push_back({"PATCH", {"api", "v1", "settings"}, Access::admin, &patch_settings});
  out.push_back({"GET", {"api", "v1", "users"}, Access::supervisor, &get_users});
  out.push_back({"POST", {"api", "v1", "users"}, Access::admin, &post_user});
  out.push_back({"POST", {"api", "v1", "users", "*", "disable"}, Access::admin, &post_disable});
  out.push_back({"POST", {"api", "v1", "users", "*", "enable"}, Access::admin, &post_enable});
  out.push_back({"POST", {"api", "v1", "me", "password"}, Access::staff, &post_password});
  out.push_back({"GET", {"api", "v1", "apikeys"}, Access::admin, &get_apikeys});
  out.push_back({"POST", {"api", "v1", "apikeys"}, Access::admin, &post_apikey});
  out.push_back({"DELETE", {"api", "v1", "apikeys", "*"}, Access::admin, &delete_apikey});
  out.push_back({"GET", {"api", "v1", "kb"}, Access::staff, &get_kb});
  out.push_back({"POST", {"api", "v1", "kb"}, Access::admin, &post_kb});
}

}  // namespace parley::relay
