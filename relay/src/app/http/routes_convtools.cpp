// Working a conversation (issue 9, docs/api.md "Working a conversation"): transfer, issue type,
// the staff directory the transfer picker lists, and canned responses.
//
// Loop thread only (router.hpp). Authorisation beyond the route's Access:
//  - transfer: a person (API keys: forbidden); the assignee, or a supervisor/admin (the hub's
//    command decides, parley::transfer);
//  - canned responses: everyone of the tenant reads the tenant's and their own personal ones;
//    the tenant's are created, changed and deleted by supervisors and admins (or an API key with
//    the admin scope), personal ones only by their owner (another user's personal one reads as
//    absent: 404). Every change is audited (canned.created / canned.changed / canned.deleted).
#include <algorithm>

#include "app/http/router.hpp"
#include "core/log.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"

namespace parley::relay {

using namespace http;

namespace {

constexpr std::size_t kMaxShortcutChars = 32;

void run(const CtxPtr& ctx, Command cmd) {
  ctx->hub.staff_command(ctx->caller.who, std::move(cmd), [ctx](Result<Json> r) {
    if (!r) return ctx->res.error(r.error());
    ctx->res.json(200, *r);
  });
}

bool conversation_exists(const Ctx& ctx) {
  if (ctx.hub.find_conversation(ctx.tenant_id(), ctx.param(0)) != nullptr) return true;
  ctx.res.error(api_error(ErrorCode::not_found, "no such conversation"));
  return false;
}

// A string member of `body`: "" when absent; false (answered) when not a string or too long.
bool member_text(const Ctx& ctx, const Json& body, const char* key, std::size_t max, std::string& out) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_string()) {
    ctx.res.error(api_error(ErrorCode::bad_field, std::string(key) + " must be a string", key));
    return false;
  }
  out = it->get<std::string>();
  if (auto e = check_text(out, max, key)) {
    ctx.res.error(*e);
    return false;
  }
  return true;
}

// POST /api/live-chat/{id}/transfer, POST /api/v1/conversations/{id}/transfer
//   {agent_id | team, note?}
void post_transfer(const CtxPtr& ctx) {
  if (ctx->caller.api_key) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "an API key cannot transfer: a person hands over"));
  }
  Json body;
  if (!body_json(*ctx, body)) return;
  ChatTransfer t;
  t.conversation_id = ctx->param(0);
  if (!member_text(*ctx, body, "agent_id", kMaxIdChars, t.agent_id) ||
      !member_text(*ctx, body, "team", kMaxShortChars, t.team) ||
      !member_text(*ctx, body, "note", kMaxLongChars, t.note)) {
    return;
  }
  t.team = std::string(trim(t.team));
  if (t.agent_id.empty() && t.team.empty()) {
    return ctx->res.error(api_error(ErrorCode::missing_field, "name an agent (agent_id) or a team (team)", "agent_id"));
  }
  if (!t.agent_id.empty() && !t.team.empty()) {
    return ctx->res.error(api_error(ErrorCode::bad_field, "transfer to an agent or to a team, not both", "team"));
  }
  if (!conversation_exists(*ctx)) return;
  run(ctx, std::move(t));
}

// POST /api/v1/conversations/{id}/issue-type {issue_type}
void post_issue_type(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  SetIssueType s;
  s.conversation_id = ctx->param(0);
  if (!member_text(*ctx, body, "issue_type", kMaxShortChars, s.issue_type)) return;
  if (s.issue_type.empty()) return ctx->res.error(api_error(ErrorCode::missing_field, "issue_type is required", "issue_type"));
  if (!conversation_exists(*ctx)) return;
  run(ctx, std::move(s));
}

// GET /api/live-chat/agents: {agents:[{id,name,username,role,online}]}, the tenant's enabled
// staff, online first, then by name.
void get_agents(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant](StoreReader& db) -> std::function<void()> {
    auto users = std::make_shared<Result<std::vector<User>>>(db.list_users(tenant));
    return [ctx, users] {
      if (!*users) return ctx->res.error(users->error());
      struct Row {
        Json j;
        bool online;
        std::string name;
      };
      std::vector<Row> rows;
      for (const User& u : users->value()) {
        if (u.disabled) continue;
        const std::string name = u.display_name.empty() ? u.username : u.display_name;
        const bool online = ctx->hub.staff_online(u.id);
        rows.push_back({Json{{"id", u.id}, {"name", name}, {"username", u.username}, {"role", to_string(u.role)},
                             {"online", online}},
                        online, name});
      }
      std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.online != b.online ? a.online : a.name < b.name;
      });
      Json list = Json::array();
      for (Row& r : rows) list.push_back(std::move(r.j));
      ctx->res.json(200, Json{{"agents", std::move(list)}});
    };
  });
}

// ---- canned responses ----

Json canned_json(const CannedResponse& c) {
  return Json{{"id", c.id},       {"shortcut", c.shortcut},      {"title", c.title},
              {"body", c.body},   {"personal", !c.owner_id.empty()}, {"owner_id", c.owner_id},
              {"created_at", c.created_at}, {"updated_at", c.updated_at}};
}

bool may_manage_tenant_canned(const Caller& c) {
  if (c.api_key) return c.who.scopes.has(ApiScopes::admin);
  return c.role() != StaffRole::agent;
}

// The caller's user id for personal responses ("" for API keys: they have none).
std::string own_id(const Caller& c) { return c.api_key ? std::string() : c.who.user.id; }

// Reads shortcut/title/body of `body` into `c` (`partial`: absent members keep their value).
bool read_canned(const Ctx& ctx, const Json& body, bool partial, CannedResponse& c) {
  std::string shortcut = c.shortcut, title = c.title, text = c.body;
  if (!member_text(ctx, body, "shortcut", kMaxShortcutChars, shortcut) ||
      !member_text(ctx, body, "title", kMaxShortChars, title) ||
      !member_text(ctx, body, "body", kMaxTextChars, text)) {
    return false;
  }
  shortcut = std::string(trim(shortcut));
  if (!shortcut.empty() && shortcut.front() == '/') shortcut.erase(0, 1);
  std::transform(shortcut.begin(), shortcut.end(), shortcut.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (shortcut.empty() && (!partial || body.contains("shortcut"))) {
    ctx.res.error(api_error(ErrorCode::missing_field, "shortcut is required", "shortcut"));
    return false;
  }
  const bool shaped = std::all_of(shortcut.begin(), shortcut.end(), [](unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
  });
  if (!shaped) {
    ctx.res.error(api_error(ErrorCode::bad_field, "shortcut: letters, digits, '-' and '_' only", "shortcut"));
    return false;
  }
  if (trim(text).empty() && (!partial || body.contains("body"))) {
    ctx.res.error(api_error(ErrorCode::missing_field, "body is required", "body"));
    return false;
  }
  c.shortcut = shortcut;
  c.title = std::string(trim(title));
  c.body = text;
  return true;
}

void answer_write(const CtxPtr& ctx, std::optional<Error> e, const std::string& action, const CannedResponse& c,
                  int status) {
  if (e) {
    if (is_duplicate(*e, "shortcut")) {
      return ctx->res.error(conflict("that shortcut is already used", "shortcut"));
    }
    return ctx->res.error(*e);
  }
  audit(ctx, action, c.id, Json{{"shortcut", c.shortcut}, {"personal", !c.owner_id.empty()}},
        [ctx, c, status] { ctx->res.json(status, Json{{"canned", canned_json(c)}}); });
}

// GET /api/v1/canned?q=: {canned:[...]}, the tenant's and the caller's personal ones.
void get_canned(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id(), user = own_id(ctx->caller);
  on_reader(ctx, [ctx, tenant, user](StoreReader& db) -> std::function<void()> {
    auto rows = std::make_shared<Result<std::vector<CannedResponse>>>(db.list_canned(tenant, user));
    return [ctx, rows] {
      if (!*rows) return ctx->res.error(rows->error());
      Json list = Json::array();
      for (const CannedResponse& c : rows->value()) list.push_back(canned_json(c));
      ctx->res.json(200, Json{{"canned", std::move(list)}});
    };
  });
}

// POST /api/v1/canned {shortcut, title?, body, personal?}
void post_canned(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const auto p = body.find("personal");
  if (p != body.end() && !p->is_boolean()) {
    return ctx->res.error(api_error(ErrorCode::bad_field, "personal must be true or false", "personal"));
  }
  const bool personal = p != body.end() && p->get<bool>();
  if (personal && ctx->caller.api_key) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "an API key has no personal canned responses", "personal"));
  }
  if (!personal && !may_manage_tenant_canned(ctx->caller)) {
    return ctx->res.error(api_error(ErrorCode::forbidden,
                                    "the tenant's canned responses are managed by supervisors and admins; "
                                    "create a personal one (\"personal\": true)"));
  }
  CannedResponse c;
  if (!read_canned(*ctx, body, false, c)) return;
  c.id = random_id("cr_");
  c.tenant_id = ctx->tenant_id();
  c.owner_id = personal ? ctx->caller.who.user.id : "";
  c.created_at = c.updated_at = ctx->hub.now();
  ctx->hub.write({UpsertCanned{c}}, [ctx, c](std::optional<Error> e) { answer_write(ctx, e, "canned.created", c, 201); });
}

// The canned response {id} of the path if the caller may change it; answers otherwise.
void with_changeable(const CtxPtr& ctx, std::function<void(CannedResponse)> then) {
  const std::string tenant = ctx->tenant_id(), id = ctx->param(0);
  on_reader(ctx, [ctx, tenant, id, then = std::move(then)](StoreReader& db) -> std::function<void()> {
    auto row = std::make_shared<Result<std::optional<CannedResponse>>>(db.find_canned(tenant, id));
    return [ctx, row, then] {
      if (!*row) return ctx->res.error(row->error());
      const std::optional<CannedResponse>& c = row->value();
      // Another user's personal response is invisible, not forbidden.
      if (!c || (!c->owner_id.empty() && c->owner_id != own_id(ctx->caller))) {
        return ctx->res.error(api_error(ErrorCode::not_found, "no such canned response"));
      }
      if (c->owner_id.empty() && !may_manage_tenant_canned(ctx->caller)) {
        return ctx->res.error(
            api_error(ErrorCode::forbidden, "the tenant's canned responses are managed by supervisors and admins"));
      }
      then(*c);
    };
  });
}

// PATCH /api/v1/canned/{id} {shortcut?, title?, body?}
void patch_canned(const CtxPtr& ctx) {
  auto body = std::make_shared<Json>();
  if (!body_json(*ctx, *body)) return;
  with_changeable(ctx, [ctx, body](CannedResponse c) {
    if (!read_canned(*ctx, *body, true, c)) return;
    c.updated_at = ctx->hub.now();
    ctx->hub.write({UpsertCanned{c}}, [ctx, c](std::optional<Error> e) { answer_write(ctx, e, "canned.changed", c, 200); });
  });
}

// DELETE /api/v1/canned/{id}
void delete_canned(const CtxPtr& ctx) {
  with_changeable(ctx, [ctx](CannedResponse c) {
    ctx->hub.write({DeleteCanned{c.tenant_id, c.id}}, [ctx, c](std::optional<Error> e) {
      if (e) return ctx->res.error(*e);
      audit(ctx, "canned.deleted", c.id, Json{{"shortcut", c.shortcut}},
            [ctx, id = c.id] { ctx->res.json(200, Json{{"id", id}, {"deleted", true}}); });
    });
  });
}

}  // namespace

void add_convtools_routes(std::vector<Route>& out) {
  out.push_back({"POST", {"api", "live-chat", "*", "transfer"}, Access::staff, &post_transfer});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "transfer"}, Access::staff, &post_transfer});
  out.push_back({"POST", {"api", "v1", "conversations", "*", "issue-type"}, Access::staff, &post_issue_type});
  out.push_back({"GET", {"api", "live-chat", "agents"}, Access::staff, &get_agents});
  out.push_back({"GET", {"api", "v1", "canned"}, Access::staff, &get_canned});
  out.push_back({"POST", {"api", "v1", "canned"}, Access::staff, &post_canned});
  out.push_back({"PATCH", {"api", "v1", "canned", "*"}, Access::staff, &patch_canned});
  out.push_back({"DELETE", {"api", "v1", "canned", "*"}, Access::staff, &delete_canned});
}

}  // namespace parley::relay
