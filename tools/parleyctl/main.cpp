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
//
// This file holds the dispatch table; the commands live in one file per group (see ctl.hpp).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "core/log.hpp"
#include "ctl.hpp"
#include "store/auth.hpp"

namespace parley::ctl {
namespace {

using CommandFn = int (*)(const Args&);

// One row per command: its first word, its subcommand (nullptr: the command takes none) and the
// function that runs it.
struct CommandEntry {
  const char* group;
  const char* sub;
  CommandFn run;
};

constexpr CommandEntry kCommands[] = {
    {"users", "list", cmd_users_list},
    {"users", "create", cmd_users_create},
    {"users", "set-password", cmd_users_set_password},
    {"users", "disable", cmd_users_disable},
    {"users", "enable", cmd_users_enable},
    {"tenant", "show", cmd_tenant_show},
    {"tenant", "set", cmd_tenant_set},
    {"tenant", "create", cmd_tenant_create},
    {"tenant", "list", cmd_tenant_list},
    {"kb", "import", cmd_kb_import},
    {"kb", "list", cmd_kb_list},
    {"kb", "export", cmd_kb_export},
    {"apikey", "create", cmd_apikey_create},
    {"apikey", "list", cmd_apikey_list},
    {"apikey", "revoke", cmd_apikey_revoke},
    {"conversations", "list", cmd_conversations_list},
    {"conversations", "transcript", cmd_conversations_transcript},
    {"export", nullptr, cmd_export},
    {"backup", nullptr, cmd_backup},
};

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
  bool known = false;
  for (const CommandEntry& c : kCommands) {
    if (cmd != c.group) continue;
    known = true;
    if (c.sub == nullptr || sub == c.sub) return c.run(a);
  }
  if (!known) return usage("unknown command '" + cmd + "'");
  return usage(sub.empty() ? cmd + " needs a subcommand" : "unknown " + cmd + " subcommand '" + sub + "'",
               cmd);
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
