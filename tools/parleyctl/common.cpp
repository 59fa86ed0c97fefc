// tools/parleyctl/common.cpp: the helpers every parleyctl command uses (ctl.hpp).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "ctl.hpp"

namespace parley::ctl {
namespace {

const std::set<std::string> kValueOptions = {"--db",     "--tenant", "--role",  "--name", "--password",
                                             "--status", "--search", "--limit", "--out",  "--scope",
                                             "--files",  "--format"};
const std::set<std::string> kFlagOptions = {"--password-stdin", "--dry-run", "--merge"};

}  // namespace

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

std::string opt(const Args& a, const std::string& name, const std::string& fallback) {
  auto it = a.opt.find(name);
  return it == a.opt.end() ? fallback : it->second;
}

int usage(const std::string& message, const std::string& help_key) {
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

std::optional<Error> Ctx::write(Store::Op op) {
  std::promise<std::optional<Error>> p;
  auto f = p.get_future();
  store->write(std::move(op), [&p](const std::optional<Error>& e) { p.set_value(e); });
  return f.get();
}

relay::AuditEntry Ctx::audit(std::string action, std::string target, Json data) const {
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

// Opens the store and resolves the tenant. Returns an exit code on failure.
std::optional<int> open_ctx(const Args& a, Ctx& ctx, bool need_tenant) {
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

}  // namespace parley::ctl
