// tools/parleyctl/main.cpp: parleyctl, the administration tool. It works directly on the database
// file: WAL mode makes that safe next to a running relay (readers never block the writer, writes
// wait up to busy_timeout for the lock). The database is opened through Store::open, so a fresh
// file gets the schema and the default tenant first.
//
// Exit codes: 0 success, 1 failure (the operation did not happen), 2 usage error.
// Every state change appends an audit row (actor_type "cli", actor_id $USER) and, when it changes
// something a running relay caches (users, sessions, tenants, settings, knowledge base, key
// revocation), a change_log row (store/change_log.hpp) in the same transaction: the relay watches
// for those and applies them within about a second, without a restart.
// Password hashes and API keys are never printed, except a newly generated secret, once.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "kb_import.hpp"
#include "store/auth.hpp"
#include "store/api_keys.hpp"
#include "store/backup.hpp"
#include "store/change_log.hpp"
#include "store/repo.hpp"
#include "store/settings_patch.hpp"
#include "store/store.hpp"

namespace parley::ctl {
namespace {

using relay::Db;
using relay::Stmt;
using relay::Store;

constexpr int kOk = 0, kFailure = 1, kUsage = 2;

// ---- help texts ----

constexpr const char* kHelpMain = R"(parleyctl: administer a Parley database.

Usage: parleyctl [--db PATH] [--tenant SLUG] COMMAND ...

Global options:
  --db PATH        database file (default: $PARLEY_DB, else data/parley.db); created if missing
  --tenant SLUG    tenant to work on (default: "default")
  -h, --help       help (also after any command: parleyctl users create --help)

Commands:
  users list                                   staff accounts of the tenant
  users create USERNAME --role ROLE [...]      add a staff account (admin|supervisor|agent)
  users set-password USERNAME [...]           change a password (ends the user's sessions)
  tenant show                                  the tenant and its settings (JSON)
  tenant set KEY VALUE                         change one setting
  tenant create SLUG --name NAME               add a tenant
  tenant list                                  every tenant
  kb import FILE                               replace the knowledge base (JSON or Markdown)
  kb list                                      knowledge-base articles
  apikey create NAME [--scope S,...]           new API key (printed once; default scope: sync)
  apikey list                                  the tenant's keys: id, scopes, last use, revoked
  apikey revoke ID                             revoke a key (the relay refuses it within a second)
  conversations list [--status S] [--search Q] [--limit N]
  conversations transcript ID                  a conversation, readable (staff view)
  export [--out FILE]                          every conversation as JSON Lines
  backup DEST                                  consistent copy of the (live) database

Exit codes: 0 ok, 1 failure, 2 usage error.
)";

const std::map<std::string, std::string>& help_texts() {
  static const std::map<std::string, std::string> h = {
      {"users", R"(Usage: parleyctl users list
       parleyctl users create USERNAME --role admin|supervisor|agent [--name NAME]
                              [--password PW | --password-stdin]
       parleyctl users set-password USERNAME [--password PW | --password-stdin]
Without a password option a random password is generated and printed once.
Passwords need at least 8 characters. Prefer --password-stdin: --password shows in `ps`.
)"},
      {"users list",
       "Usage: parleyctl users list\nLists the tenant's staff accounts (never their password hashes).\n"},
      {"users create", R"(Usage: parleyctl users create USERNAME --role admin|supervisor|agent [--name NAME]
                              [--password PW | --password-stdin]
USERNAME: 1-64 of A-Z a-z 0-9 . _ - @, unique in the whole deployment. NAME defaults to USERNAME.
Without a password option a random password is generated and printed once.
)"},
      {"users set-password",
       R"(Usage: parleyctl users set-password USERNAME [--password PW | --password-stdin]
Sets a new password and ends every session of the user. Without a password option a random
password is generated and printed once.
)"},
      {"tenant", R"(Usage: parleyctl tenant show
       parleyctl tenant set KEY VALUE
       parleyctl tenant create SLUG --name NAME
       parleyctl tenant list
)"},
      {"tenant show",
       "Usage: parleyctl tenant show\nPrints the tenant (id, slug, name, settings) as JSON.\n"},
      {"tenant list", "Usage: parleyctl tenant list\n"},
      {"tenant set", R"(Usage: parleyctl tenant set KEY VALUE
Keys: title, welcome, brand_color (#rrggbb), position (right|left), allowed_sites, prechat_form
(true|false), time_zone (IANA name), assistant_enabled (true|false), assistant_name,
handoff_after_turns (1-50), issue_types.
VALUE is read as JSON when it parses (true, 5, ["a","b"]), else as a string; text settings always
take VALUE as a string. allowed_sites and issue_types also accept a comma-separated list:
  parleyctl tenant set allowed_sites https://shop.example.com,https://www.example.com
)"},
      {"tenant create",
       "Usage: parleyctl tenant create SLUG --name NAME\nSLUG: 1-40 of a-z 0-9 -, starting with a letter or "
       "digit.\n"},
      {"kb", "Usage: parleyctl kb import FILE\n       parleyctl kb list\n"},
      {"kb import", R"(Usage: parleyctl kb import FILE
Replaces the tenant's knowledge base with the articles in FILE ('-' = stdin):
  JSON:     [{"id": "hours", "title": "Opening hours", "body": "...", "keywords": ["open"]}, ...]
  Markdown: each "## Title" section is an article; a "Keywords: a, b" line sets its keywords.
)"},
      {"kb list", "Usage: parleyctl kb list\n"},
      {"apikey", R"(Usage: parleyctl apikey create NAME [--scope sync,read,write,admin]
       parleyctl apikey list
       parleyctl apikey revoke ID
Scopes: sync (the mirror endpoints /api/chat/sync and /api/chat/handoff), read (REST reads),
write (REST writes), admin (users, keys, settings). Default: sync.
)"},
      {"apikey create", R"(Usage: parleyctl apikey create NAME [--scope sync,read,write,admin]
Creates an API key for the tenant and prints it once (only its SHA-256 is stored).
--scope: comma-separated, any of sync (the mirror endpoints /api/chat/sync and /api/chat/handoff),
read (REST reads), write (REST writes), admin (users, keys, settings). Default: sync.
)"},
      {"apikey list",
       "Usage: parleyctl apikey list\nThe tenant's API keys (id, name, scopes, created, last used, revoked); "
       "never the keys.\n"},
      {"apikey revoke",
       "Usage: parleyctl apikey revoke ID\nRevokes the key with this id (see apikey list). A running relay "
       "refuses it from then on.\n"},
      {"conversations",
       R"(Usage: parleyctl conversations list [--status bot|pending|active|resolved] [--search TEXT] [--limit N]
       parleyctl conversations transcript ID
)"},
      {"conversations list",
       R"(Usage: parleyctl conversations list [--status bot|pending|active|resolved] [--search TEXT] [--limit N]
Newest activity first. --search matches words in message text (full-text). --limit: 1-10000, default 50.
)"},
      {"conversations transcript",
       "Usage: parleyctl conversations transcript ID\nEvery message and event of the conversation, staff "
       "view (notes included).\n"},
      {"export", R"(Usage: parleyctl export [--out FILE]
Writes every conversation of the tenant as JSON Lines, one object per line:
  {"conversation": {...}, "messages": [...], "events": [...]}
FILE '-' or no --out: standard output. The export is one consistent snapshot. A file is written
to FILE.partial first and renamed when complete. Progress goes to stderr.
)"},
      {"backup", R"(Usage: parleyctl backup DEST
Copies the database to the new file DEST with SQLite's online backup API: a consistent snapshot,
safe while the relay runs. Never overwrites DEST. (Copying the database file itself is not a backup.)
)"},
  };
  return h;
}

// ---- arguments ----

struct Args {
  std::vector<std::string> pos;
  std::map<std::string, std::string> opt;
  std::set<std::string> flags;
  bool help = false;
};

const std::set<std::string> kValueOptions = {"--db",     "--tenant", "--role",  "--name", "--password",
                                             "--status", "--search", "--limit", "--out",   "--scope"};
const std::set<std::string> kFlagOptions = {"--password-stdin"};

Result<Args> parse_args(int argc, char** argv) {
  Args a;
  bool only_pos = false;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (only_pos || s.empty() || s[0] != '-' || s == "-") {
      a.pos.push_back(s);
      continue;
    }
    if (s == "--") {
      only_pos = true;
      continue;
    }
    if (s == "-h" || s == "--help") {
      a.help = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (const auto eq = s.find('='); eq != std::string::npos) {
      value = s.substr(eq + 1);
      s = s.substr(0, eq);
      has_value = true;
    }
    if (kValueOptions.count(s) != 0) {
      if (!has_value) {
        if (i + 1 >= argc) return make_error(ErrorCode::missing_field, s + " needs a value", s);
        value = argv[++i];
      }
      if (a.opt.count(s) != 0) return make_error(ErrorCode::bad_field, s + " given twice", s);
      a.opt[s] = value;
    } else if (kFlagOptions.count(s) != 0 && !has_value) {
      a.flags.insert(s);
    } else {
      return make_error(ErrorCode::bad_field, "unknown option " + s, s);
    }
  }
  return a;
}

std::string opt(const Args& a, const std::string& name, const std::string& fallback = {}) {
  auto it = a.opt.find(name);
  return it == a.opt.end() ? fallback : it->second;
}

int usage(const std::string& message, const std::string& help_key = {}) {
  std::cerr << "parleyctl: " << message << "\n";
  auto it = help_texts().find(help_key);
  if (it != help_texts().end()) {
    std::cerr << it->second;
  } else {
    std::cerr << "Run 'parleyctl --help' for the commands.\n";
  }
  return kUsage;
}

int fail(const std::string& message) {
  std::cerr << "parleyctl: " << message << "\n";
  return kFailure;
}

int fail(const Error& e) {
  std::string msg = e.message;
  if (!e.field.empty() && msg.find(e.field) == std::string::npos) msg += " (" + e.field + ")";
  return fail(msg);
}

// Rejects options a command does not take, so a typo never silently does something else.
std::optional<std::string> unexpected_options(const Args& a, std::initializer_list<const char*> allowed) {
  std::set<std::string> ok = {"--db", "--tenant"};
  for (const char* o : allowed) ok.insert(o);
  for (const auto& [k, v] : a.opt) {
    if (ok.count(k) == 0) return k;
  }
  for (const auto& f : a.flags) {
    if (ok.count(f) == 0) return f;
  }
  return std::nullopt;
}

// ---- context ----

Millis now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_time(Millis ms) {
  if (ms <= 0) return "-";
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string db_path(const Args& a) {
  if (auto it = a.opt.find("--db"); it != a.opt.end()) return it->second;
  if (const char* env = std::getenv("PARLEY_DB"); env != nullptr && *env != '\0') return env;
  return "data/parley.db";
}

std::string cli_actor() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

struct Ctx {
  std::unique_ptr<Store> store;
  std::unique_ptr<Db> rd;
  relay::Tenant tenant;

  // Runs `op` in the store's writer and waits for the commit.
  std::optional<Error> write(Store::Op op) {
    std::promise<std::optional<Error>> p;
    auto f = p.get_future();
    store->write(std::move(op), [&p](const std::optional<Error>& e) { p.set_value(e); });
    return f.get();
  }

  relay::AuditEntry audit(std::string action, std::string target, Json data = Json::object()) const {
    relay::AuditEntry e;
    e.tenant_id = tenant.id;
    e.actor_type = "cli";
    e.actor_id = cli_actor();
    e.action = std::move(action);
    e.target = std::move(target);
    e.data = std::move(data);
    e.at = now_ms();
    return e;
  }
};

// Opens the store and resolves the tenant. Returns an exit code on failure.
std::optional<int> open_ctx(const Args& a, Ctx& ctx, bool need_tenant = true) {
  relay::StoreOptions o;
  o.path = db_path(a);
  auto store = Store::open(o);
  if (!store) return fail("cannot open " + o.path + ": " + store.error().message);
  ctx.store = std::move(*store);
  auto rd = ctx.store->open_reader();
  if (!rd) return fail("cannot open a reader on " + o.path + ": " + rd.error().message);
  ctx.rd = std::move(*rd);
  if (!need_tenant) return std::nullopt;
  const std::string slug = opt(a, "--tenant", relay::kDefaultTenantSlug);
  auto t = relay::find_tenant(*ctx.rd, slug);
  if (!t) return fail(t.error());
  if (!t->has_value()) return fail("no tenant '" + slug + "' (see: parleyctl tenant list)");
  ctx.tenant = std::move(**t);
  return std::nullopt;
}

// ---- passwords ----

bool valid_username(const std::string& u) {
  if (u.empty() || u.size() > 64) return false;
  for (char c : u) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@'))
      return false;
  }
  return true;
}

struct NewPassword {
  std::string value;
  bool generated = false;
};

Result<NewPassword> choose_password(const Args& a) {
  const bool from_stdin = a.flags.count("--password-stdin") != 0 || opt(a, "--password") == "-";
  if (from_stdin && a.opt.count("--password") != 0 && opt(a, "--password") != "-") {
    return make_error(ErrorCode::bad_field, "give either --password or --password-stdin", "--password");
  }
  NewPassword p;
  if (from_stdin) {
    if (!std::getline(std::cin, p.value)) {
      return make_error(ErrorCode::missing_field, "no password on standard input", "--password-stdin");
    }
    if (!p.value.empty() && p.value.back() == '\r') p.value.pop_back();
  } else if (a.opt.count("--password") != 0) {
    p.value = opt(a, "--password");
  } else {
    p.value = relay::random_token(15);  // 20 characters, 120 bits
    p.generated = true;
  }
  if (p.value.size() < 8)
    return make_error(ErrorCode::bad_field, "a password needs at least 8 characters", "--password");
  if (p.value.size() > 1024)
    return make_error(ErrorCode::bad_field, "a password may have at most 1024 bytes", "--password");
  return p;
}

// ---- users ----

int cmd_users_list(const Args& a) {
  if (a.pos.size() != 2) return usage("users list takes no arguments", "users list");
  if (auto o = unexpected_options(a, {})) return usage("users list does not take " + *o, "users list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto users = relay::list_users(*ctx.rd, ctx.tenant.id);
  if (!users) return fail(users.error());
  std::printf("%-24s %-11s %-28s %-8s %s\n", "USERNAME", "ROLE", "NAME", "STATE", "CREATED");
  for (const auto& u : *users) {
    std::printf("%-24s %-11s %-28s %-8s %s\n", u.username.c_str(), std::string(to_string(u.role)).c_str(),
                u.display_name.c_str(), u.disabled ? "disabled" : "active",
                format_time(u.created_at).c_str());
  }
  if (users->empty()) std::fprintf(stderr, "(no users in tenant %s)\n", ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_users_create(const Args& a) {
  if (a.pos.size() != 3) return usage("users create needs exactly one USERNAME", "users create");
  if (auto o = unexpected_options(a, {"--role", "--name", "--password", "--password-stdin"})) {
    return usage("users create does not take " + *o, "users create");
  }
  const std::string username = a.pos[2];
  if (!valid_username(username)) return usage("invalid username '" + username + "'", "users create");
  if (a.opt.count("--role") == 0) return usage("--role is required", "users create");
  const auto role = parse_staff_role(opt(a, "--role"));
  if (!role) return usage("--role must be admin, supervisor or agent", "users create");
  const std::string name = opt(a, "--name", username);
  if (name.empty() || name.size() > 100) return usage("--name must have 1 to 100 bytes", "users create");
  auto pw = choose_password(a);
  if (!pw) return usage(pw.error().message, "users create");

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  relay::User u;
  u.id = relay::random_id("u_");
  u.tenant_id = ctx.tenant.id;
  u.username = username;
  u.display_name = name;
  u.role = *role;
  u.password_hash = relay::hash_password(pw->value);
  u.created_at = now_ms();
  if (u.password_hash.empty()) return fail("password hashing failed (out of memory?)");

  const auto entry =
      ctx.audit("user.created", u.id, Json{{"username", username}, {"role", to_string(*role)}});
  bool exists = false;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    auto found = relay::find_user_by_username(db, username);
    if (!found) return found.error();
    if (found->has_value()) {
      exists = true;
      return make_error(ErrorCode::bad_field, "username taken", "username");
    }
    if (auto e = relay::insert_user(db, u)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::user, u.tenant_id, u.id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (exists) return fail("a user named '" + username + "' already exists");
  if (err) return fail(*err);
  std::printf("created %s user %s in tenant %s\n", std::string(to_string(*role)).c_str(), username.c_str(),
              ctx.tenant.slug.c_str());
  if (pw->generated) std::printf("password: %s\n", pw->value.c_str());
  return kOk;
}

int cmd_users_set_password(const Args& a) {
  if (a.pos.size() != 3) return usage("users set-password needs exactly one USERNAME", "users set-password");
  if (auto o = unexpected_options(a, {"--password", "--password-stdin"})) {
    return usage("users set-password does not take " + *o, "users set-password");
  }
  const std::string username = a.pos[2];
  auto pw = choose_password(a);
  if (!pw) return usage(pw.error().message, "users set-password");

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto found = relay::find_user_by_username(*ctx.rd, username);
  if (!found) return fail(found.error());
  if (!found->has_value() || (*found)->tenant_id != ctx.tenant.id) {
    return fail("no user '" + username + "' in tenant " + ctx.tenant.slug);
  }
  const relay::User user = **found;
  const std::string hash = relay::hash_password(pw->value);
  if (hash.empty()) return fail("password hashing failed (out of memory?)");
  const auto entry = ctx.audit("user.password_changed", user.id, Json{{"username", username}});
  std::int64_t ended = 0;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (auto e = relay::set_password_hash(db, user.id, hash)) return e;
    if (auto e = relay::delete_user_sessions(db, user.id)) return e;
    ended = db.changes();
    // The running relay drops the user's cached sessions (and sockets) when it reads these.
    if (auto e = relay::append_change(db, relay::change_kind::user, user.tenant_id, user.id, entry.at)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::sessions, user.tenant_id, user.id, entry.at))
      return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("password of %s changed; %lld session(s) ended\n", username.c_str(),
              static_cast<long long>(ended));
  if (pw->generated) std::printf("password: %s\n", pw->value.c_str());
  return kOk;
}

// ---- tenant ----

Json tenant_json(const relay::Tenant& t) {
  return Json{{"id", t.id}, {"slug", t.slug}, {"name", t.name}, {"settings", relay::to_json(t.settings)}};
}

int cmd_tenant_show(const Args& a) {
  if (a.pos.size() != 2) return usage("tenant show takes no arguments", "tenant show");
  if (auto o = unexpected_options(a, {})) return usage("tenant show does not take " + *o, "tenant show");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  std::printf("%s\n", tenant_json(ctx.tenant).dump(2).c_str());
  return kOk;
}

int cmd_tenant_list(const Args& a) {
  if (a.pos.size() != 2) return usage("tenant list takes no arguments", "tenant list");
  if (auto o = unexpected_options(a, {})) return usage("tenant list does not take " + *o, "tenant list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx, false)) return *rc;
  auto all = relay::load_tenants(*ctx.rd);
  if (!all) return fail(all.error());
  std::printf("%-24s %-28s %s\n", "SLUG", "ID", "NAME");
  for (const auto& t : *all) std::printf("%-24s %-28s %s\n", t.slug.c_str(), t.id.c_str(), t.name.c_str());
  return kOk;
}

// The JSON value for `tenant set KEY VALUE` (see the help text).
Json setting_value(const std::string& key, const std::string& text) {
  static const std::set<std::string> kText = {"title",    "welcome",   "brand_color",
                                              "position", "time_zone", "assistant_name"};
  static const std::set<std::string> kLists = {"allowed_sites", "issue_types"};
  if (kText.count(key) != 0) return text;
  const Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (kLists.count(key) != 0 && !parsed.is_array()) {
    Json list = Json::array();
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto b = item.find_first_not_of(" \t");
      const auto e = item.find_last_not_of(" \t");
      if (b != std::string::npos) list.push_back(item.substr(b, e - b + 1));
    }
    return list;
  }
  if (!parsed.is_discarded()) return parsed;
  return text;
}

int cmd_tenant_set(const Args& a) {
  if (a.pos.size() != 4) return usage("tenant set needs KEY and VALUE", "tenant set");
  if (auto o = unexpected_options(a, {})) return usage("tenant set does not take " + *o, "tenant set");
  const std::string key = a.pos[2];
  const Json patch = Json{{key, setting_value(key, a.pos[3])}};
  {  // Validate before touching the database: a usage error, not a failure.
    relay::TenantSettings scratch;
    if (auto e = relay::apply_settings_json(patch, scratch)) return usage(e->message, "tenant set");
  }
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const auto entry = ctx.audit("settings.changed", ctx.tenant.id, patch);
  relay::TenantSettings result;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    // Merges only this field into the stored settings: never writes other fields back.
    auto merged = relay::patch_tenant_settings(db, ctx.tenant.id, patch);
    if (!merged) return merged.error();
    result = std::move(*merged);
    if (auto e = relay::append_change(db, relay::change_kind::tenant, ctx.tenant.id, ctx.tenant.id, entry.at))
      return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("%s = %s\n", key.c_str(), relay::to_json(result)[key].dump().c_str());
  return kOk;
}

int cmd_tenant_create(const Args& a) {
  if (a.pos.size() != 3) return usage("tenant create needs exactly one SLUG", "tenant create");
  if (auto o = unexpected_options(a, {"--name"}))
    return usage("tenant create does not take " + *o, "tenant create");
  const std::string slug = a.pos[2];
  bool ok = !slug.empty() && slug.size() <= 40 && std::isalnum(static_cast<unsigned char>(slug[0]));
  for (char c : slug) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!ok) return usage("invalid slug '" + slug + "'", "tenant create");
  const std::string name = opt(a, "--name");
  if (name.empty() || name.size() > 100) return usage("--name (1 to 100 bytes) is required", "tenant create");

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx, false)) return *rc;
  relay::Tenant t;
  t.id = relay::random_id("t_");
  t.slug = slug;
  t.name = name;
  ctx.tenant = t;
  const auto entry = ctx.audit("tenant.created", t.id, Json{{"slug", slug}, {"name", name}});
  bool exists = false;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    auto found = relay::find_tenant(db, slug);
    if (!found) return found.error();
    if (found->has_value()) {
      exists = true;
      return make_error(ErrorCode::bad_field, "slug taken", "slug");
    }
    if (auto e = relay::insert_tenant(db, t, now_ms())) return e;
    if (auto e = relay::append_change(db, relay::change_kind::tenant, t.id, t.id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (exists) return fail("a tenant '" + slug + "' already exists");
  if (err) return fail(*err);
  std::printf("created tenant %s (%s)\n", slug.c_str(), t.id.c_str());
  return kOk;
}

// ---- knowledge base ----

int cmd_kb_import(const Args& a) {
  if (a.pos.size() != 3) return usage("kb import needs exactly one FILE", "kb import");
  if (auto o = unexpected_options(a, {})) return usage("kb import does not take " + *o, "kb import");
  const std::string file = a.pos[2];
  std::string text;
  constexpr std::size_t kMax = 32u << 20;
  if (file == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail("cannot read " + file);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  if (text.size() > kMax) return fail(file + " is larger than 32 MiB");
  auto articles = parse_kb_file(file, text);
  if (!articles) return fail(file + ": " + articles.error().message);

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const auto entry = ctx.audit(
      "kb.imported", ctx.tenant.id,
      Json{{"file", std::filesystem::path(file).filename().string()}, {"articles", articles->size()}});
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (auto e = relay::replace_kb(db, ctx.tenant.id, *articles)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::kb, ctx.tenant.id, ctx.tenant.id, entry.at))
      return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("imported %zu article(s) into tenant %s\n", articles->size(), ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_kb_list(const Args& a) {
  if (a.pos.size() != 2) return usage("kb list takes no arguments", "kb list");
  if (auto o = unexpected_options(a, {})) return usage("kb list does not take " + *o, "kb list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto kb = relay::load_kb(*ctx.rd, ctx.tenant.id);
  if (!kb) return fail(kb.error());
  std::printf("%-28s %-40s %s\n", "ID", "TITLE", "KEYWORDS");
  for (const auto& art : *kb) {
    std::string kws;
    for (const auto& k : art.keywords) kws += (kws.empty() ? "" : ", ") + k;
    std::printf("%-28s %-40s %s\n", art.id.c_str(), art.title.c_str(), kws.c_str());
  }
  if (kb->empty()) std::fprintf(stderr, "(no articles in tenant %s)\n", ctx.tenant.slug.c_str());
  return kOk;
}

// ---- API keys ----

int cmd_apikey_create(const Args& a) {
  if (a.pos.size() != 3) return usage("apikey create needs exactly one NAME", "apikey create");
  if (auto o = unexpected_options(a, {"--scope"})) {
    return usage("apikey create does not take " + *o, "apikey create");
  }
  const std::string name = a.pos[2];
  if (name.empty() || name.size() > 100) return usage("NAME must have 1 to 100 bytes", "apikey create");
  auto scopes = relay::ApiScopes::parse(opt(a, "--scope", "sync"));
  if (!scopes) return usage("--scope: " + scopes.error().message, "apikey create");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const std::string key = "pk_" + relay::random_token(32);
  const std::string hash = relay::sha256_hex(key);
  relay::ApiKey k;
  k.id = relay::new_api_key_id();
  k.tenant_id = ctx.tenant.id;
  k.name = name;
  k.scopes = *scopes;
  k.created_at = now_ms();
  // The audit row names the key by its id, never the key.
  const auto entry = ctx.audit("apikey.created", k.id, Json{{"name", name}, {"scopes", scopes->format()}});
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (auto e = relay::insert_api_key(db, k, hash)) return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("%s\n", key.c_str());
  std::fprintf(stderr, "API key %s '%s' (scopes %s) for tenant %s: store it now, it is not shown again.\n",
               k.id.c_str(), name.c_str(), scopes->format().c_str(), ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_apikey_list(const Args& a) {
  if (a.pos.size() != 2) return usage("apikey list takes no arguments", "apikey list");
  if (auto o = unexpected_options(a, {})) return usage("apikey list does not take " + *o, "apikey list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto keys = relay::list_api_keys(*ctx.rd, ctx.tenant.id);
  if (!keys) return fail(keys.error());
  std::printf("%-28s %-20s %-22s %-21s %-21s %s\n", "ID", "NAME", "SCOPES", "CREATED", "LAST USED", "REVOKED");
  for (const auto& k : *keys) {
    std::printf("%-28s %-20s %-22s %-21s %-21s %s\n", k.id.c_str(), k.name.c_str(), k.scopes.format().c_str(),
                format_time(k.created_at).c_str(), format_time(k.last_used_at).c_str(),
                format_time(k.revoked_at).c_str());
  }
  if (keys->empty()) std::fprintf(stderr, "(no api keys in tenant %s)\n", ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_apikey_revoke(const Args& a) {
  if (a.pos.size() != 3) return usage("apikey revoke needs exactly one ID", "apikey revoke");
  if (auto o = unexpected_options(a, {})) return usage("apikey revoke does not take " + *o, "apikey revoke");
  const std::string id = a.pos[2];
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const auto entry = ctx.audit("apikey.revoked", id);
  bool missing = false, already = false;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    auto found = relay::find_api_key(db, ctx.tenant.id, id);
    if (!found) return found.error();
    if (!found->has_value()) {
      missing = true;
      return make_error(ErrorCode::not_found, "no such key", "id");
    }
    if ((*found)->revoked()) {
      already = true;
      return std::nullopt;  // nothing changes: no audit or change row
    }
    if (auto e = relay::revoke_api_key(db, ctx.tenant.id, id, entry.at)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::apikey, ctx.tenant.id, id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (missing) return fail("no api key " + id + " in tenant " + ctx.tenant.slug + " (see: parleyctl apikey list)");
  if (err) return fail(*err);
  std::printf(already ? "api key %s was already revoked\n" : "revoked api key %s\n", id.c_str());
  return kOk;
}

// ---- conversations ----

int cmd_conversations_list(const Args& a) {
  if (a.pos.size() != 2) return usage("conversations list takes no arguments", "conversations list");
  if (auto o = unexpected_options(a, {"--status", "--search", "--limit"})) {
    return usage("conversations list does not take " + *o, "conversations list");
  }
  relay::ConversationFilter f;
  if (a.opt.count("--status") != 0) {
    f.status = parse_status(opt(a, "--status"));
    if (!f.status) return usage("--status must be bot, pending, active or resolved", "conversations list");
  }
  f.query = opt(a, "--search");
  if (a.opt.count("--limit") != 0) {
    const std::string s = opt(a, "--limit");
    char* end = nullptr;
    const long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n < 1 || n > 10000) {
      return usage("--limit must be a number from 1 to 10000", "conversations list");
    }
    f.limit = static_cast<std::size_t>(n);
  }
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto list = relay::list_conversations(*ctx.rd, ctx.tenant.id, f);
  if (!list) return fail(list.error());
  std::printf("%-28s %-9s %-9s %-7s %-21s %-16s %s\n", "ID", "STATUS", "CHANNEL", "PRIO", "UPDATED",
              "ASSIGNEE", "TOPIC");
  for (const auto& c : *list) {
    std::printf("%-28s %-9s %-9s %-7s %-21s %-16s %s\n", c.id.c_str(),
                std::string(to_string(c.status)).c_str(), std::string(to_string(c.channel)).c_str(),
                std::string(to_string(c.priority)).c_str(), format_time(c.updated_at).c_str(),
                c.assignee_name.empty() ? "-" : c.assignee_name.c_str(), c.topic.c_str());
  }
  if (list->empty()) std::fprintf(stderr, "(no conversations match)\n");
  return kOk;
}

// Every event of a conversation, in pages.
Result<std::vector<Event>> all_events(Db& db, const std::string& tenant, const std::string& conv) {
  std::vector<Event> out;
  Seq after = 0;
  for (;;) {
    auto page = relay::events_after(db, tenant, conv, after, /*staff=*/true, 1000);
    if (!page) return page.error();
    if (page->empty()) break;
    after = page->back().seq;
    for (auto& e : *page) out.push_back(std::move(e));
  }
  return out;
}

std::string indent_continuation(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "      ";
  }
  return out;
}

int cmd_conversations_transcript(const Args& a) {
  if (a.pos.size() != 3)
    return usage("conversations transcript needs exactly one ID", "conversations transcript");
  if (auto o = unexpected_options(a, {})) {
    return usage("conversations transcript does not take " + *o, "conversations transcript");
  }
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto conv = relay::find_conversation(*ctx.rd, ctx.tenant.id, a.pos[2]);
  if (!conv) return fail(conv.error());
  if (!conv->has_value()) return fail("no conversation " + a.pos[2] + " in tenant " + ctx.tenant.slug);
  const Conversation& c = **conv;
  std::printf("Conversation %s  [%s, %s, priority %s]\n", c.id.c_str(),
              std::string(to_string(c.status)).c_str(), std::string(to_string(c.channel)).c_str(),
              std::string(to_string(c.priority)).c_str());
  std::printf("Created %s, updated %s", format_time(c.created_at).c_str(), format_time(c.updated_at).c_str());
  if (!c.assignee_name.empty()) std::printf(", assigned to %s", c.assignee_name.c_str());
  std::printf("\n");
  if (!c.topic.empty()) std::printf("Topic: %s\n", c.topic.c_str());
  if (c.status == Status::resolved) {
    std::printf("Ended: %s%s%s\n", std::string(to_string(c.ending)).c_str(),
                c.resolution.empty() ? "" : " - ", c.resolution.c_str());
  }
  std::printf("\n");

  auto events = all_events(*ctx.rd, ctx.tenant.id, c.id);
  if (!events) return fail(events.error());
  for (const Event& e : *events) {
    const std::string when = format_time(e.at);
    if (e.type == ev::new_message && e.data.contains("message")) {
      auto m = message_from_json(e.data["message"]);
      if (m) {
        std::string who = std::string(to_string(m->sender_role));
        if (!m->sender_name.empty()) who += "/" + m->sender_name;
        const char* tag = m->kind == MessageKind::note   ? " (note)"
                          : m->kind == MessageKind::text ? ""
                                                         : nullptr;
        std::string kind_tag = tag != nullptr ? tag : " (" + std::string(to_string(m->kind)) + ")";
        std::printf("[%s] %s%s:\n      %s\n", when.c_str(), who.c_str(), kind_tag.c_str(),
                    indent_continuation(m->text).c_str());
        continue;
      }
    }
    std::string who = std::string(to_string(e.actor.role));
    if (!e.actor.name.empty()) who += "/" + e.actor.name;
    std::string detail;
    if (e.type == ev::handoff_summary && e.data.contains("summary") && e.data["summary"].is_string()) {
      detail = ": " + e.data["summary"].get<std::string>();
    }
    std::printf("[%s] -- %s by %s%s%s\n", when.c_str(), e.type.c_str(), who.c_str(),
                e.audience == Audience::staff ? " (staff only)" : "", detail.c_str());
  }
  return kOk;
}

// ---- export ----

int cmd_export(const Args& a) {
  if (a.pos.size() != 1) return usage("export takes no arguments", "export");
  if (auto o = unexpected_options(a, {"--out"})) return usage("export does not take " + *o, "export");
  const std::string out_path = opt(a, "--out", "-");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;

  std::ofstream file;
  const std::string partial = out_path + ".partial";
  if (out_path != "-") {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) return fail("cannot write " + partial);
    // Every conversation of the tenant: owner-only, like the database it comes from.
    std::error_code perm_ec;
    std::filesystem::permissions(partial,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, perm_ec);
  }
  std::ostream& out = out_path == "-" ? std::cout : file;
  // Removes the partial file unless the export completed (and renamed it).
  struct PartialGuard {
    std::string path;
    bool keep = false;
    ~PartialGuard() {
      std::error_code ec;
      if (!keep && !path.empty()) std::filesystem::remove(path, ec);
    }
  } guard{out_path == "-" ? std::string() : partial};

  // One read transaction: every page below sees the same snapshot.
  Db& db = *ctx.rd;
  if (auto e = db.exec("BEGIN")) return fail(*e);
  std::vector<std::string> ids;
  {
    Stmt q = db.prepare("SELECT id FROM conversations WHERE tenant_id = ?1 ORDER BY created_at, id");
    q.bind(1, ctx.tenant.id);
    while (q.step()) ids.push_back(q.col_text(0));
    if (q.error()) return fail(*q.error());
  }
  const bool progress = ids.size() >= 1000;
  std::size_t done = 0;
  for (const std::string& id : ids) {
    auto c = relay::find_conversation(db, ctx.tenant.id, id);
    if (!c) return fail(c.error());
    if (!c->has_value()) continue;
    auto msgs = relay::load_messages(db, ctx.tenant.id, id, /*staff=*/true);
    if (!msgs) return fail(msgs.error());
    auto events = all_events(db, ctx.tenant.id, id);
    if (!events) return fail(events.error());
    Json line = {{"conversation", to_json(**c, /*staff=*/true)},
                 {"messages", Json::array()},
                 {"events", Json::array()}};
    for (const auto& m : *msgs) line["messages"].push_back(to_json(m));
    for (const auto& e : *events) line["events"].push_back(to_json(e));
    out << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    if (!out) return fail("write failed (disk full?)");
    ++done;
    if (progress && done % 1000 == 0)
      std::fprintf(stderr, "exported %zu/%zu conversations\n", done, ids.size());
  }
  db.exec("COMMIT");
  out.flush();
  if (!out) return fail("write failed (disk full?)");
  if (out_path != "-") {
    file.close();
    if (!file) return fail("write failed (disk full?)");
    std::error_code ec;
    std::filesystem::rename(partial, out_path, ec);
    if (ec) return fail("cannot rename " + partial + ": " + ec.message());
    guard.keep = true;
  }
  std::fprintf(stderr, "exported %zu conversation(s) of tenant %s%s%s\n", done, ctx.tenant.slug.c_str(),
               out_path == "-" ? "" : " to ", out_path == "-" ? "" : out_path.c_str());
  return kOk;
}

// ---- backup ----

int cmd_backup(const Args& a) {
  if (a.pos.size() != 2) return usage("backup needs exactly one DEST", "backup");
  if (auto o = unexpected_options(a, {})) return usage("backup does not take " + *o, "backup");
  const std::string src = db_path(a);
  // No Store::open here: a backup of a missing database must fail, not create one.
  if (auto e = relay::backup_database(src, a.pos[1])) return fail(*e);
  std::printf("backed up %s to %s\n", src.c_str(), a.pos[1].c_str());
  return kOk;
}

// ---- dispatch ----

int run(int argc, char** argv) {
  auto parsed = parse_args(argc, argv);
  if (!parsed) return usage(parsed.error().message);
  const Args& a = *parsed;

  // Help: the most specific text for the words given.
  if (a.help || a.pos.empty()) {
    std::string key;
    if (!a.pos.empty()) {
      const std::string two = a.pos.size() >= 2 ? a.pos[0] + " " + a.pos[1] : "";
      if (!two.empty() && help_texts().count(two) != 0) {
        key = two;
      } else if (help_texts().count(a.pos[0]) != 0) {
        key = a.pos[0];
      }
    }
    if (key.empty()) {
      std::fputs(kHelpMain, a.help ? stdout : stderr);
    } else {
      std::fputs(help_texts().at(key).c_str(), stdout);
    }
    return a.help ? kOk : kUsage;
  }

  const std::string& cmd = a.pos[0];
  const std::string sub = a.pos.size() >= 2 ? a.pos[1] : "";
  if (cmd == "users") {
    if (sub == "list") return cmd_users_list(a);
    if (sub == "create") return cmd_users_create(a);
    if (sub == "set-password") return cmd_users_set_password(a);
    return usage(sub.empty() ? "users needs a subcommand" : "unknown users subcommand '" + sub + "'",
                 "users");
  }
  if (cmd == "tenant") {
    if (sub == "show") return cmd_tenant_show(a);
    if (sub == "set") return cmd_tenant_set(a);
    if (sub == "create") return cmd_tenant_create(a);
    if (sub == "list") return cmd_tenant_list(a);
    return usage(sub.empty() ? "tenant needs a subcommand" : "unknown tenant subcommand '" + sub + "'",
                 "tenant");
  }
  if (cmd == "kb") {
    if (sub == "import") return cmd_kb_import(a);
    if (sub == "list") return cmd_kb_list(a);
    return usage(sub.empty() ? "kb needs a subcommand" : "unknown kb subcommand '" + sub + "'", "kb");
  }
  if (cmd == "apikey") {
    if (sub == "create") return cmd_apikey_create(a);
    if (sub == "list") return cmd_apikey_list(a);
    if (sub == "revoke") return cmd_apikey_revoke(a);
    return usage(sub.empty() ? "apikey needs a subcommand" : "unknown apikey subcommand '" + sub + "'",
                 "apikey");
  }
  if (cmd == "conversations") {
    if (sub == "list") return cmd_conversations_list(a);
    if (sub == "transcript") return cmd_conversations_transcript(a);
    return usage(
        sub.empty() ? "conversations needs a subcommand" : "unknown conversations subcommand '" + sub + "'",
        "conversations");
  }
  if (cmd == "export") return cmd_export(a);
  if (cmd == "backup") return cmd_backup(a);
  return usage("unknown command '" + cmd + "'");
}

}  // namespace
}  // namespace parley::ctl

int main(int argc, char** argv) {
  parley::relay::log::set_min_level(parley::relay::log::Level::warn);
  if (const char* f = std::getenv("PARLEY_FAST_HASH"); f && std::string_view(f) == "1") {  // tests only
    std::fputs("parleyctl: warning: PARLEY_FAST_HASH=1: weak test-only password hashing\n", stderr);
    parley::relay::set_password_hash_cost(parley::relay::HashCost::test_only);
  }
  try {
    return parley::ctl::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parleyctl: unexpected error: %s\n", e.what());
    return 1;
  }
}
