// The REST API (http_api.hpp; the contract is docs/api.md).
//
// Every request is routed by method and path, authenticated (staff session cookie with a CSRF
// Origin check, or a tenant API key), authorised by role, and its body and query are fully
// validated (app/http_util.hpp) before anything reaches the Hub. State changes go through Hub
// operations, which persist before they call back; reads that can scan many rows run on the Hub's
// worker pool with the worker's own read-only connection. Every request is answered exactly once,
// on the loop thread (Responder).
#include "app/http_api.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/http_util.hpp"
#include "core/log.hpp"
#include "net/http_util.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"
#include "store/repo.hpp"

namespace parley::relay {
namespace {

using namespace http;

// ---- answering exactly once ------------------------------------------------------------------------

// Wraps the transport's reply. Copies share one state: the first send() answers, later ones are
// logged and dropped (a bug, never a second response).
class Responder {
 public:
  Responder(HttpReply reply, std::string what)
      : s_(std::make_shared<State>(State{std::move(reply), std::move(what), false})) {}

  void send(HttpResponse r) const {
    if (s_->done) {
      log::error("http_api: second reply dropped", {{"request", s_->what}, {"status", r.status}});
      return;
    }
    s_->done = true;
    s_->reply(std::move(r));
  }
  void json(int status, const Json& body) const { send(json_response(status, body)); }
  void error(const ApiError& e) const { send(error_response(e)); }
  void error(const Error& e) const {
    if (e.code == ErrorCode::internal)
      log::error("http_api: internal error", {{"request", s_->what}, {"message", e.message}});
    send(error_response(e));
  }

 private:
  struct State {
    HttpReply reply;
    std::string what;  // "POST /api/v1/..." for logs
    bool done;
  };
  std::shared_ptr<State> s_;
};

// ---- callers -----------------------------------------------------------------------------------------

enum class Access {
  public_,     // no authentication
  api_key,     // an API key only (the mirror endpoints)
  staff,       // any staff member or an API key
  supervisor,  // admin or supervisor, or an API key
  admin,       // admin, or an API key
};

struct Caller {
  bool api_key = false;  // an API key (acts as the admin "api" actor) rather than a person
  StaffIdentity who;     // for API keys: synthetic user "api"
  std::string tenant_id;

  StaffRole role() const { return who.user.role; }
  std::string actor_type() const { return api_key ? "api" : "user"; }
};

// The API key of a request: "Authorization: Bearer <key>" or "X-Api-Key: <key>"; "" when none.
std::string api_key_of(const HttpRequest& req) {
  const std::string& auth = req.header("authorization");
  if (auth.size() > 7 && iequals(std::string_view(auth).substr(0, 7), "bearer ")) {
    return std::string(trim(std::string_view(auth).substr(7)));
  }
  return std::string(trim(req.header("x-api-key")));
}

bool has_api_key_header(const HttpRequest& req) {
  return !req.header("authorization").empty() || !req.header("x-api-key").empty();
}

// scheme://host[:port], lower-case, default ports dropped.
std::string normalise_origin(std::string_view o) {
  std::string s = http_util::to_lower(trim(o));
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.size() > 8 && s.compare(0, 8, "https://") == 0 && s.size() > 4 &&
      s.compare(s.size() - 4, 4, ":443") == 0) {
    s.resize(s.size() - 4);
  } else if (s.size() > 7 && s.compare(0, 7, "http://") == 0 && s.size() > 3 &&
             s.compare(s.size() - 3, 3, ":80") == 0) {
    s.resize(s.size() - 3);
  }
  return s;
}

// The relay's own origin: the configured public URL, or the scheme and Host of the request.
std::string own_origin(const Hub& hub, const HttpRequest& req) {
  const std::string& pub = hub.options().public_url;
  if (!pub.empty()) {
    // Keep scheme://host[:port] only.
    const std::size_t scheme = pub.find("://");
    const std::size_t path = scheme == std::string::npos ? std::string::npos : pub.find('/', scheme + 3);
    return normalise_origin(pub.substr(0, path));
  }
  return normalise_origin(std::string(req.secure ? "https://" : "http://") + req.header("host"));
}

// CSRF defence for cookie-authenticated state changes: a browser always sends Origin on
// cross-site POST/PATCH/DELETE; when present it must be ours. Sec-Fetch-Site backs it up.
bool csrf_ok(const Hub& hub, const HttpRequest& req) {
  const std::string& origin = req.header("origin");
  if (!origin.empty() && normalise_origin(origin) != own_origin(hub, req)) return false;
  const std::string& site = req.header("sec-fetch-site");
  if (site == "cross-site") return false;
  return true;
}

bool state_changing(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// Authenticates and authorises. API keys act as the tenant's admin "api" actor.
std::variant<Caller, ApiError> authorise(Hub& hub, const HttpRequest& req, Access access) {
  Caller c;
  if (has_api_key_header(req)) {
    const std::string key = api_key_of(req);
    if (key.empty() || key.size() > 200) return api_error(ErrorCode::unauthorized, "invalid API key");
    const std::optional<std::string> tenant = hub.tenant_for_api_key(key);
    if (!tenant) return api_error(ErrorCode::unauthorized, "invalid API key");
    c.api_key = true;
    c.tenant_id = *tenant;
    c.who.user.id = "api";
    c.who.user.tenant_id = *tenant;
    c.who.user.username = "api";
    c.who.user.display_name = "API";
    c.who.user.role = StaffRole::admin;
    return c;
  }
  if (access == Access::api_key) {
    return api_error(ErrorCode::unauthorized,
                     "an API key is required (Authorization: Bearer <key> or X-Api-Key)");
  }
  std::optional<StaffIdentity> who = hub.authenticate(req);
  if (!who) return api_error(ErrorCode::unauthorized, "log in first (or use an API key)");
  if (state_changing(req.method) && !csrf_ok(hub, req)) {
    return api_error(ErrorCode::forbidden, "cross-origin request refused");
  }
  c.tenant_id = who->user.tenant_id;
  c.who = std::move(*who);
  const StaffRole r = c.who.user.role;
  if (access == Access::admin && r != StaffRole::admin) {
    return api_error(ErrorCode::forbidden, "admins only");
  }
  if (access == Access::supervisor && r == StaffRole::agent) {
    return api_error(ErrorCode::forbidden, "supervisors and admins only");
  }
  return c;
}

// ---- request context ---------------------------------------------------------------------------------

struct Ctx {
  Hub& hub;
  HttpRequest req;
  Responder res;
  Caller caller;
  std::vector<std::string> params;  // the path's {id} segments, in order
  std::map<std::string, std::string> query;

  const std::string& tenant_id() const { return caller.tenant_id; }
  const std::string& param(std::size_t i) const { return params.at(i); }
  // The query value or "" when absent.
  std::string q(const std::string& key) const {
    const auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
};
using CtxPtr = std::shared_ptr<Ctx>;

// Parses the JSON body into `out`; answers the error and returns false on a problem.
bool body_json(const Ctx& ctx, Json& out, bool object_only = true) {
  ApiResult<Json> r = parse_json_body(ctx.req.body, object_only);
  if (!ok(r)) {
    ctx.res.error(std::get<ApiError>(r));
    return false;
  }
  out = std::move(std::get<Json>(r));
  return true;
}

template <class T>
bool decoded(const Ctx& ctx, ApiResult<T>& r) {
  if (ok(r)) return true;
  ctx.res.error(std::get<ApiError>(r));
  return false;
}

// An unsigned query parameter in [0, max]; `fallback` when absent. Answers bad_field otherwise.
bool query_uint(const Ctx& ctx, const char* key, std::uint64_t max, std::uint64_t fallback,
                std::uint64_t& out) {
  const auto it = ctx.query.find(key);
  if (it == ctx.query.end() || it->second.empty()) {
    out = fallback;
    return true;
  }
  const std::optional<std::uint64_t> v = parse_uint(it->second, max);
  if (!v) {
    ctx.res.error(api_error(ErrorCode::bad_field,
                            std::string(key) + " must be an integer from 0 to " + std::to_string(max), key));
    return false;
  }
  out = *v;
  return true;
}

void audit(Hub& hub, const Caller& caller, std::string action, std::string target, Json data,
           std::function<void()> then) {
  AuditEntry a;
  a.tenant_id = caller.tenant_id;
  a.actor_type = caller.actor_type();
  a.actor_id = caller.who.user.id;
  a.action = std::move(action);
  a.target = std::move(target);
  a.data = std::move(data);
  a.at = hub.now();
  hub.write([a = std::move(a)](Db& db) { return append_audit(db, a); },
            [then = std::move(then), action = a.action](std::optional<Error> e) {
              if (e) log::error("audit row not stored", {{"action", action}, {"message", e->message}});
              then();
            });
}

Json user_json(const User& u) {
  return Json{{"id", u.id},
              {"tenant_id", u.tenant_id},
              {"username", u.username},
              {"name", u.display_name},
              {"display_name", u.display_name},
              {"role", to_string(u.role)},
              {"created_at", u.created_at},
              {"disabled", u.disabled}};
}

Json contact_json(const Contact& c) {
  return Json{{"id", c.id},
              {"name", c.name},
              {"email", c.email},
              {"phone", c.phone},
              {"external_id", c.external_id},
              {"channel", to_string(c.channel)},
              {"created_at", c.created_at}};
}

// The live (committed) state when the hub has it, else the row read from the database.
Json summary_of(Hub& hub, const std::string& tenant_id, const Conversation& row) {
  if (const Conversation* live = hub.find_conversation(tenant_id, row.id))
    return hub.conversation_summary(*live);
  return hub.conversation_summary(row);
}

// Runs a staff command through the Hub and answers with its ack data.
void run_command(const CtxPtr& ctx, Command cmd, int status = 200) {
  ctx->hub.staff_command(ctx->caller.who, std::move(cmd), [ctx, status](Result<Json> r) {
    if (!r) return ctx->res.error(r.error());
    int st = status;
    if (st == 201 && r->is_object() && r->value("duplicate", false)) st = 200;
    ctx->res.json(st, *r);
  });
}

// Runs `read` on the Hub's worker pool with the worker's database reader; the function it returns
// runs back on the loop and answers. Answers unavailable when the worker has no reader.
template <class Read>
void on_reader(const CtxPtr& ctx, Read read) {
  ctx->hub.on_worker([ctx, read = std::move(read)](Db* db) -> std::function<void()> {
    if (db == nullptr)
      return [ctx] { ctx->res.error(api_error(ErrorCode::unavailable, "no database reader")); };
    return read(*db);
  });
}

// The conversation {id} of the path, visible in the caller's tenant; answers 404 otherwise.
const Conversation* path_conversation(const Ctx& ctx) {
  const Conversation* c = ctx.hub.find_conversation(ctx.tenant_id(), ctx.param(0));
  if (c == nullptr) ctx.res.error(api_error(ErrorCode::not_found, "no such conversation"));
  return c;
}

// bot -> pending without assigning anyone (API-key callers, the mirror's hand-off).
void queue_handoff(const CtxPtr& ctx, const std::string& conversation_id, const std::string& reason) {
  const Actor by{Role::system, "api", "API"};
  ctx->hub.queue_handoff(ctx->tenant_id(), conversation_id, by, reason.empty() ? "mirror_handoff" : reason,
                         [ctx](Result<Json> r) {
                           if (!r) return ctx->res.error(r.error());
                           Json out = *r;
                           out["success"] = true;
                           ctx->res.json(200, out);
                         });
}

// ---- handlers: public and mirror ---------------------------------------------------------------------

// GET /api/config?tenant=SLUG
void get_config(const CtxPtr& ctx) {
  const std::string slug = ctx->q("tenant");
  const Tenant* t = slug.empty() ? &ctx->hub.default_tenant() : ctx->hub.tenant(slug);
  if (t == nullptr || (!slug.empty() && t->slug != slug)) {
    return ctx->res.error(api_error(ErrorCode::not_found, "no such tenant", "tenant"));
  }
  const TenantSettings& s = t->settings;
  // Public, non-secret settings read by the embed loader on any host page: readable cross-origin.
  HttpResponse r = json_response(200, Json{{"tenant", t->slug},
                                           {"title", s.title},
                                           {"welcome", s.welcome},
                                           {"brand_color", s.brand_color},
                                           {"position", s.position},
                                           {"prechat_form", s.prechat_form},
                                           {"assistant_name", s.assistant_name}});
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  r.headers.emplace_back("Cache-Control", "no-cache");
  ctx->res.send(std::move(r));
}

// POST /api/chat/sync
void post_sync(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
  if (t == nullptr) return ctx->res.error(api_error(ErrorCode::unauthorized, "the API key's tenant is gone"));
  ApiResult<SyncRequest> r = decode_sync(body, t->settings.assistant_name);
  if (!decoded(*ctx, r)) return;
  ctx->hub.mirror_sync(ctx->tenant_id(), std::move(std::get<SyncRequest>(r)), [ctx](Result<SyncResult> sr) {
    if (!sr) return ctx->res.error(sr.error());
    ctx->res.json(200, Json{{"success", sr->success},
                            {"conversation_id", sr->conversation_id},
                            {"saved", sr->saved},
                            {"seq", sr->seq}});
  });
}

// POST /api/chat/handoff {user_id, reason}
void post_chat_handoff(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<HandoffRequest> r = decode_handoff(body, /*with_user_id=*/true);
  if (!decoded(*ctx, r)) return;
  const HandoffRequest& m = std::get<HandoffRequest>(r);
  const Conversation* c = ctx->hub.find_mirror_conversation(ctx->tenant_id(), m.user_id);
  if (c == nullptr) {
    return ctx->res.error(
        api_error(ErrorCode::not_found, "no open mirrored conversation for this user_id", "user_id"));
  }
  queue_handoff(ctx, c->id, m.reason);
}

// ---- handlers: conversations -------------------------------------------------------------------------

// GET /api/v1/conversations?status=&q=&limit=&offset=
void list_conversations_h(const CtxPtr& ctx) {
  ConversationFilter f;
  const std::string status = ctx->q("status");
  if (!status.empty()) {
    f.status = status == "waiting" ? std::optional<Status>(Status::pending) : parse_status(status);
    if (!f.status) {
      return ctx->res.error(
          api_error(ErrorCode::bad_field, "status must be bot, pending, active or resolved", "status"));
    }
  }
  f.query = ctx->q("q");
  if (auto e = check_text(f.query, kMaxShortChars, "q")) return ctx->res.error(*e);
  std::uint64_t limit = 0, offset = 0;
  if (!query_uint(*ctx, "limit", kMaxListLimit, 50, limit) || !query_uint(*ctx, "offset", 1000000, 0, offset))
    return;
  f.limit = limit;
  f.offset = offset;
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, f, tenant](Db& db) -> std::function<void()> {
    auto rows = std::make_shared<Result<std::vector<Conversation>>>(list_conversations(db, tenant, f));
    return [ctx, rows, f, tenant] {
      if (!*rows) return ctx->res.error(rows->error());
      Json list = Json::array();
      for (const Conversation& c : rows->value()) list.push_back(summary_of(ctx->hub, tenant, c));
      ctx->res.json(200, Json{{"conversations", std::move(list)}, {"limit", f.limit}, {"offset", f.offset}});
    };
  });
}

// GET /api/v1/conversations/{id}
void get_conversation(const CtxPtr& ctx) {
  const Conversation* c = path_conversation(*ctx);
  if (c == nullptr) return;
  const std::string tenant = ctx->tenant_id(), contact_id = c->contact_id, id = c->id;
  on_reader(ctx, [ctx, tenant, contact_id, id](Db& db) -> std::function<void()> {
    auto contact = std::make_shared<Result<std::optional<Contact>>>(find_contact(db, tenant, contact_id));
    return [ctx, contact, tenant, id] {
      if (!*contact) return ctx->res.error(contact->error());
      const Conversation* live = ctx->hub.find_conversation(tenant, id);
      if (live == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such conversation"));
      Json out{{"conversation", ctx->hub.conversation_summary(*live)}, {"contact", nullptr}};
      if (contact->value()) out["contact"] = contact_json(*contact->value());
      ctx->res.json(200, out);
    };
  });
}

// Fills `list` with at most `limit` rows of conversation `id` after seq `after`; returns whether more
// rows follow. Runs on a worker.
using SeqPageReader = std::function<Result<bool>(Db& db, const std::string& tenant, const std::string& id,
                                                 std::uint64_t after, std::uint64_t limit, Json& list)>;

// GET /api/v1/conversations/{id}/<key>?after_seq=&limit= : {conversation_id, head_seq, <key>, more},
// the page read by `read` on a worker.
void get_seq_page(const CtxPtr& ctx, const char* key, std::uint64_t max_limit, std::uint64_t default_limit,
                  SeqPageReader read) {
  const Conversation* c = path_conversation(*ctx);
  if (c == nullptr) return;
  std::uint64_t after = 0, limit = 0;
  if (!query_uint(*ctx, "after_seq", UINT64_C(1) << 53, 0, after) ||
      !query_uint(*ctx, "limit", max_limit, default_limit, limit)) {
    return;
  }
  const std::string tenant = ctx->tenant_id(), id = c->id;
  const Seq head = c->head_seq;
  on_reader(ctx, [=](Db& db) -> std::function<void()> {
    Json list = Json::array();
    const Result<bool> more = read(db, tenant, id, after, limit, list);
    if (!more) return [ctx, e = more.error()] { ctx->res.error(e); };
    auto out = std::make_shared<Json>(
        Json{{"conversation_id", id}, {"head_seq", head}, {key, std::move(list)}, {"more", more.value()}});
    return [ctx, out] { ctx->res.json(200, *out); };
  });
}

// GET /api/v1/conversations/{id}/messages?after_seq=&limit=
void get_messages(const CtxPtr& ctx) {
  get_seq_page(ctx, "messages", 5000, 1000,
               [](Db& db, const std::string& tenant, const std::string& id, std::uint64_t after,
                  std::uint64_t limit, Json& list) -> Result<bool> {
                 Result<std::vector<Message>> msgs = load_messages(db, tenant, id, /*staff=*/true);
                 if (!msgs) return msgs.error();
                 for (const Message& m : msgs.value()) {
                   if (m.seq <= after) continue;
                   if (list.size() >= limit) return true;
                   list.push_back(to_json(m));
                 }
                 return false;
               });
}

// GET /api/v1/conversations/{id}/events?after_seq=&limit=
void get_events(const CtxPtr& ctx) {
  get_seq_page(ctx, "events", 1000, 500,
               [](Db& db, const std::string& tenant, const std::string& id, std::uint64_t after,
                  std::uint64_t limit, Json& list) -> Result<bool> {
                 Result<std::vector<Event>> evs = events_after(db, tenant, id, after, /*staff=*/true, limit);
                 if (!evs) return evs.error();
                 for (const Event& e : evs.value()) list.push_back(to_json(e));
                 return evs.value().size() >= limit;
               });
}

// POST /api/v1/conversations/{id}/messages {text, client_msg_id?, kind?}
void post_message(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<SendMessageRequest> r = decode_send_message(body);
  if (!decoded(*ctx, r)) return;
  SendMessageRequest& m = std::get<SendMessageRequest>(r);
  if (ctx->caller.api_key && m.kind != MessageKind::note) {
    return ctx->res.error(
        api_error(ErrorCode::forbidden,
                  "an API key may post notes only (kind \"note\"); replies come from a person", "kind"));
  }
  if (path_conversation(*ctx) == nullptr) return;
  SendMessage cmd;
  cmd.conversation_id = ctx->param(0);
  cmd.client_msg_id = m.client_msg_id.empty() ? "rest_" + random_token(12) : m.client_msg_id;
  cmd.text = std::move(m.text);
  cmd.kind = m.kind;
  run_command(ctx, std::move(cmd), 201);
}

// POST /api/v1/conversations/{id}/accept
void post_accept(const CtxPtr& ctx) {
  if (ctx->caller.api_key) {
    return ctx->res.error(
        api_error(ErrorCode::forbidden, "an API key cannot accept: only a person can be assigned"));
  }
  if (path_conversation(*ctx) == nullptr) return;
  run_command(ctx, Accept{ctx->param(0)});
}

// POST /api/v1/conversations/{id}/resolve {resolution, issue_type}
void post_resolve(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
  ApiResult<ResolveRequest> r =
      decode_resolve(body, t ? t->settings.issue_types : std::vector<std::string>{});
  if (!decoded(*ctx, r)) return;
  if (path_conversation(*ctx) == nullptr) return;
  ResolveRequest& m = std::get<ResolveRequest>(r);
  run_command(ctx, Resolve{ctx->param(0), std::move(m.resolution), std::move(m.issue_type)});
}

// POST /api/v1/conversations/{id}/handoff {reason}
void post_handoff(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<HandoffRequest> r = decode_handoff(body, /*with_user_id=*/false);
  if (!decoded(*ctx, r)) return;
  if (path_conversation(*ctx) == nullptr) return;
  // A person takes the conversation over (assigned to them); an API key only queues it.
  if (ctx->caller.api_key) return queue_handoff(ctx, ctx->param(0), std::get<HandoffRequest>(r).reason);
  run_command(ctx, Handoff{ctx->param(0), std::get<HandoffRequest>(r).reason});
}

// POST /api/v1/conversations/{id}/priority {priority}
void post_priority(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<Priority> r = decode_priority(body);
  if (!decoded(*ctx, r)) return;
  if (path_conversation(*ctx) == nullptr) return;
  run_command(ctx, SetPriority{ctx->param(0), std::get<Priority>(r)});
}

// ---- handlers: settings, users, keys, knowledge base --------------------------------------------------

Json settings_reply(const Tenant& t, const TenantSettings& s) {
  return Json{{"tenant", {{"id", t.id}, {"slug", t.slug}, {"name", t.name}}}, {"settings", to_json(s)}};
}

// GET /api/v1/settings
void get_settings(const CtxPtr& ctx) {
  const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
  if (t == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such tenant"));
  ctx->res.json(200, settings_reply(*t, t->settings));
}

// PATCH /api/v1/settings {any subset of the settings}
void patch_settings(const CtxPtr& ctx) {
  Json patch;
  if (!body_json(*ctx, patch)) return;
  // The store accepts any name-shaped zone; stats need one we can resolve.
  if (const auto it = patch.find("time_zone");
      it != patch.end() && it->is_string() && !TimeZone::find(it->get_ref<const std::string&>())) {
    return ctx->res.error(api_error(
        ErrorCode::bad_field,
        "time_zone must be UTC, an offset like +0200 or an IANA name known to the system", "time_zone"));
  }
  TenantSettings probe;  // strict schema check before anything is queued
  if (auto e = apply_settings_json(patch, probe)) return ctx->res.error(*e);
  ctx->hub.update_settings(ctx->tenant_id(), patch, [ctx, patch](Result<TenantSettings> r) {
    if (!r) return ctx->res.error(r.error());
    auto settings = std::make_shared<TenantSettings>(std::move(r.value()));
    audit(ctx->hub, ctx->caller, "settings.changed", ctx->tenant_id(), patch, [ctx, settings] {
      const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
      if (t == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such tenant"));
      ctx->res.json(200, settings_reply(*t, *settings));
    });
  });
}

// GET /api/v1/users
void get_users(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant](Db& db) -> std::function<void()> {
    Result<std::vector<User>> users = list_users(db, tenant);
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
  ctx->hub.create_user(
      ctx->tenant_id(), m.username, m.display_name, m.role, m.password, [ctx](Result<User> u) {
        if (!u) return ctx->res.error(u.error());
        auto user = std::make_shared<User>(std::move(u.value()));
        user->password_hash.clear();
        audit(ctx->hub, ctx->caller, "user.created", user->id,
              Json{{"username", user->username}, {"role", to_string(user->role)}}, [ctx, user] {
                ctx->res.json(201, Json{{"user", user_json(*user)}});
              });
      });
}

// POST /api/v1/me/password {current_password, new_password}
void post_password(const CtxPtr& ctx) {
  if (ctx->caller.api_key) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "log in as the user whose password changes"));
  }
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<PasswordChangeRequest> r = decode_password_change(body);
  if (!decoded(*ctx, r)) return;
  auto req = std::make_shared<PasswordChangeRequest>(std::move(std::get<PasswordChangeRequest>(r)));
  const std::string user_id = ctx->caller.who.user.id;
  // argon2id verification is slow by design: on the worker pool, never on the loop.
  on_reader(ctx, [ctx, req, user_id](Db& db) -> std::function<void()> {
    Result<std::optional<User>> u = find_user(db, user_id);
    if (!u) return [ctx, e = u.error()] { ctx->res.error(e); };
    const bool good =
        u.value() && !u.value()->disabled && verify_password(u.value()->password_hash, req->current_password);
    return [ctx, req, user_id, good] {
      if (!good) {
        return ctx->res.error(
            api_error(ErrorCode::forbidden, "the current password is wrong", "current_password"));
      }
      ctx->hub.change_password(
          user_id, req->new_password, ctx->caller.who.session_hash, [ctx, user_id](std::optional<Error> e) {
            if (e) return ctx->res.error(*e);
            audit(ctx->hub, ctx->caller, "password.changed", user_id, Json::object(), [ctx] {
              ctx->res.json(200, Json{{"ok", true}});
            });
          });
    };
  });
}

// POST /api/v1/apikeys {name} -> {key} (shown once)
void post_apikey(const CtxPtr& ctx) {
  if (ctx->caller.api_key) {
    return ctx->res.error(api_error(ErrorCode::forbidden, "API keys are created by a logged-in admin"));
  }
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<std::string> r = decode_apikey_name(body);
  if (!decoded(*ctx, r)) return;
  auto name = std::make_shared<std::string>(std::move(std::get<std::string>(r)));
  ctx->hub.create_api_key(ctx->tenant_id(), *name, [ctx, name](Result<std::string> key) {
    if (!key) return ctx->res.error(key.error());
    auto k = std::make_shared<std::string>(std::move(key.value()));
    audit(ctx->hub, ctx->caller, "apikey.created", *name, Json{{"name", *name}}, [ctx, name, k] {
      ctx->res.json(201, Json{{"name", *name}, {"key", *k}});
    });
  });
}

// GET /api/v1/kb
void get_kb(const CtxPtr& ctx) {
  ctx->res.json(200, Json{{"articles", kb_to_json(ctx->hub.kb(ctx->tenant_id()))}});
}

// POST /api/v1/kb [ {id,title,body,keywords[]}, ... ]
void post_kb(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body, /*object_only=*/false)) return;
  ApiResult<std::vector<KbArticle>> r = decode_kb(body);
  if (!decoded(*ctx, r)) return;
  const std::size_t count = std::get<std::vector<KbArticle>>(r).size();
  ctx->hub.replace_kb(ctx->tenant_id(), std::move(std::get<std::vector<KbArticle>>(r)),
                      [ctx, count](std::optional<Error> e) {
                        if (e) return ctx->res.error(*e);
                        audit(ctx->hub, ctx->caller, "kb.replaced", ctx->tenant_id(),
                              Json{{"articles", count}}, [ctx, count] {
                                ctx->res.json(200, Json{{"ok", true}, {"articles", count}});
                              });
                      });
}

// ---- handlers: stats and export ------------------------------------------------------------------------

// GET /api/v1/stats (alias GET /api/live-chat/queue-stats). The hub's incremental counters (the
// same numbers as the inbox's "counts"); only the longest wait walks the queue.
void get_stats(const CtxPtr& ctx) {
  const std::string tenant_id = ctx->tenant_id();
  const Tenant* t = ctx->hub.tenant(tenant_id);
  const std::string tz_name = t ? t->settings.time_zone : "UTC";
  const InboxCounts n = ctx->hub.counts(tenant_id);
  const Millis now = ctx->hub.now();
  const auto avg_s = [](std::int64_t sum, std::int64_t count) {
    return count == 0 ? 0.0 : (sum / 1000.0) / static_cast<double>(count);
  };
  Json out{
      {"active", n.active},
      {"waiting", n.waiting},
      {"with_assistant", n.bot},
      {"resolved_today", n.resolved_today},
      {"avg_wait_s", avg_s(n.wait_sum_ms, n.wait_n)},
      {"avg_first_response_s", avg_s(n.first_response_sum_ms, n.first_response_n)},
      {"longest_wait_s", ctx->hub.longest_wait_ms(tenant_id) / 1000},
      {"by_status", {{"bot", n.bot}, {"pending", n.waiting}, {"active", n.active}, {"resolved", n.resolved}}},
      {"time_zone", n.time_zone_known ? tz_name : std::string("UTC")},
      {"day_start", n.day_start},
      {"server_time", now}};
  ctx->res.json(200, out);
}

// GET /api/v1/export?offset=&limit= : JSON Lines, one conversation per line with its contact and
// every message (staff view). Built in memory on a worker: at most `limit` conversations
// (default and max 2000) and about 64 MiB per response; the last line says where to go on.
void get_export(const CtxPtr& ctx) {
  std::uint64_t offset = 0, limit = 0;
  if (!query_uint(*ctx, "offset", 100000000, 0, offset) || !query_uint(*ctx, "limit", 2000, 2000, limit))
    return;
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant, offset, limit](Db& db) -> std::function<void()> {
    constexpr std::size_t kMaxBytes = 64u * 1024 * 1024;
    constexpr std::size_t kPage = 200;
    auto body = std::make_shared<std::string>();
    std::size_t done = 0;
    bool more = limit > 0;  // limit=0: an empty export
    while (done < limit && body->size() < kMaxBytes) {
      ConversationFilter f;
      f.limit = std::min<std::size_t>(kPage, limit - done);
      f.offset = offset + done;
      Result<std::vector<Conversation>> page = list_conversations(db, tenant, f);
      if (!page) return [ctx, e = page.error()] { ctx->res.error(e); };
      for (const Conversation& c : page.value()) {
        Json line{{"conversation", to_json(c, /*staff=*/true)}, {"contact", nullptr}};
        Result<std::optional<Contact>> contact = find_contact(db, tenant, c.contact_id);
        if (contact && contact.value()) line["contact"] = contact_json(*contact.value());
        Result<std::vector<Message>> msgs = load_messages(db, tenant, c.id, /*staff=*/true);
        if (!msgs) return [ctx, e = msgs.error()] { ctx->res.error(e); };
        Json list = Json::array();
        for (const Message& m : msgs.value()) list.push_back(to_json(m));
        line["messages"] = std::move(list);
        *body += dump_json(line);
        *body += '\n';
        ++done;
        if (body->size() >= kMaxBytes) break;
      }
      if (page.value().size() < f.limit) {
        more = false;
        break;
      }
    }
    if (more) *body += dump_json(Json{{"next_offset", offset + done}}) + "\n";
    return [ctx, body] {
      HttpResponse r;
      r.status = 200;
      r.content_type = "application/x-ndjson; charset=utf-8";
      r.headers.emplace_back("Cache-Control", "no-store");
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"parley-export.jsonl\"");
      r.body = std::move(*body);
      ctx->res.send(std::move(r));
    };
  });
}

// ---- routing -------------------------------------------------------------------------------------------

struct Route {
  const char* method;
  std::vector<std::string_view> pattern;  // "*" matches one path segment (an id)
  Access access;
  void (*handler)(const CtxPtr&);
};

const std::vector<Route>& routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", {"api", "config"}, Access::public_, &get_config},
      {"POST", {"api", "chat", "sync"}, Access::api_key, &post_sync},
      {"POST", {"api", "chat", "handoff"}, Access::api_key, &post_chat_handoff},
      {"GET", {"api", "live-chat", "queue-stats"}, Access::staff, &get_stats},
      {"GET", {"api", "v1", "conversations"}, Access::staff, &list_conversations_h},
      {"GET", {"api", "v1", "conversations", "*"}, Access::staff, &get_conversation},
      {"GET", {"api", "v1", "conversations", "*", "messages"}, Access::staff, &get_messages},
      {"POST", {"api", "v1", "conversations", "*", "messages"}, Access::staff, &post_message},
      {"GET", {"api", "v1", "conversations", "*", "events"}, Access::staff, &get_events},
      {"POST", {"api", "v1", "conversations", "*", "accept"}, Access::staff, &post_accept},
      {"POST", {"api", "v1", "conversations", "*", "resolve"}, Access::staff, &post_resolve},
      {"POST", {"api", "v1", "conversations", "*", "handoff"}, Access::staff, &post_handoff},
      {"POST", {"api", "v1", "conversations", "*", "priority"}, Access::staff, &post_priority},
      {"GET", {"api", "v1", "settings"}, Access::supervisor, &get_settings},
      {"PATCH", {"api", "v1", "settings"}, Access::admin, &patch_settings},
      {"GET", {"api", "v1", "users"}, Access::supervisor, &get_users},
      {"POST", {"api", "v1", "users"}, Access::admin, &post_user},
      {"POST", {"api", "v1", "me", "password"}, Access::staff, &post_password},
      {"GET", {"api", "v1", "kb"}, Access::staff, &get_kb},
      {"POST", {"api", "v1", "kb"}, Access::admin, &post_kb},
      {"GET", {"api", "v1", "stats"}, Access::staff, &get_stats},
      {"POST", {"api", "v1", "apikeys"}, Access::admin, &post_apikey},
      {"GET", {"api", "v1", "export"}, Access::admin, &get_export},
  };
  return kRoutes;
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

void handle_api(Hub& hub, HttpRequest req, HttpReply reply) {
  Responder res(std::move(reply), req.method + " " + req.path);
  if (req.body.size() > kMaxBodyBytes) return res.error(too_large());
  if (auto e = check_text(req.path, 2000, "path")) return res.error(*e);

  const std::vector<std::string> segs = split_path(req.path);
  const Route* found = nullptr;
  std::vector<std::string> params;
  std::string allow;
  for (const Route& r : routes()) {
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
  if (found == nullptr) {
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
    std::variant<Caller, ApiError> who = authorise(hub, req, found->access);
    if (who.index() == 1) return res.error(std::get<ApiError>(who));
    caller = std::move(std::get<Caller>(who));
  }

  auto ctx = std::make_shared<Ctx>(
      Ctx{hub, std::move(req), res, std::move(caller), std::move(params), std::move(std::get<0>(query))});
  found->handler(ctx);
}

}  // namespace parley::relay
