// tools/parleyctl/ctl.hpp: what parleyctl's command files share: the parsed command line, the
// exit codes, the usage/failure reporters, time formatting, and the context a command works in
// (the store, a reader connection, the resolved tenant). Single-threaded: a command runs on the
// main thread; Ctx::write hands an operation to the store's writer thread and waits for the commit.
//
// One file per command group: cmd_users.cpp, cmd_tenant.cpp, cmd_kb.cpp, cmd_apikey.cpp,
// cmd_conversations.cpp (conversations list/transcript, export), cmd_backup.cpp; help texts in
// help.cpp; the dispatch table in main.cpp. main.cpp's top comment states the tool's rules (exit
// codes, audit and change_log rows, no secrets printed).
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "parley/result.hpp"
#include "store/repo.hpp"
#include "store/store.hpp"

namespace parley::ctl {

using relay::Db;
using relay::Stmt;
using relay::Store;

inline constexpr int kOk = 0, kFailure = 1, kUsage = 2;

// ---- help texts (help.cpp) ----

extern const char* const kHelpMain;
// "users", "users create", ...: the most specific text for the words given.
const std::map<std::string, std::string>& help_texts();

// ---- arguments (common.cpp) ----

struct Args {
  std::vector<std::string> pos;
  std::map<std::string, std::string> opt;
  std::set<std::string> flags;
  bool help = false;
};

// Positional words, options (--db, --tenant, --role, ... take a value: "--x V" or "--x=V") and
// flags (--password-stdin). An unknown option, a repeated one or a missing value is an error.
Result<Args> parse_args(int argc, char** argv);

std::string opt(const Args& a, const std::string& name, const std::string& fallback = {});
// Prints "parleyctl: MESSAGE" and the help text for help_key (or a pointer to --help) to stderr;
// returns kUsage.
int usage(const std::string& message, const std::string& help_key = {});
// Prints "parleyctl: MESSAGE" to stderr; returns kFailure.
int fail(const std::string& message);
int fail(const Error& e);
// Rejects options a command does not take, so a typo never silently does something else.
std::optional<std::string> unexpected_options(const Args& a, std::initializer_list<const char*> allowed);

// ---- context (common.cpp) ----

Millis now_ms();
std::string format_time(Millis ms);  // "YYYY-MM-DD HH:MM:SSZ" (UTC), "-" for 0
std::string db_path(const Args& a);  // --db, else $PARLEY_DB, else data/parley.db
std::string cli_actor();             // $USER, the audit rows' actor_id

struct Ctx {
  std::unique_ptr<Store> store;
  std::unique_ptr<Db> rd;
  relay::Tenant tenant;

  // Runs `op` in the store's writer and waits for the commit.
  std::optional<Error> write(Store::Op op);

  relay::AuditEntry audit(std::string action, std::string target, Json data = Json::object()) const;
};

// Opens the store and resolves the tenant. Returns an exit code on failure.
std::optional<int> open_ctx(const Args& a, Ctx& ctx, bool need_tenant = true);

// ---- commands: each checks its own arguments and returns an exit code ----

int cmd_users_list(const Args& a);  // cmd_users.cpp
int cmd_users_create(const Args& a);
int cmd_users_set_password(const Args& a);
int cmd_users_disable(const Args& a);
int cmd_users_enable(const Args& a);
int cmd_tenant_show(const Args& a);  // cmd_tenant.cpp
int cmd_tenant_set(const Args& a);
int cmd_tenant_create(const Args& a);
int cmd_tenant_list(const Args& a);
int cmd_kb_import(const Args& a);  // cmd_kb.cpp
int cmd_kb_list(const Args& a);
int cmd_kb_export(const Args& a);
int cmd_apikey_create(const Args& a);  // cmd_apikey.cpp
int cmd_apikey_list(const Args& a);
int cmd_apikey_revoke(const Args& a);
int cmd_conversations_list(const Args& a);  // cmd_conversations.cpp
int cmd_conversations_transcript(const Args& a);
int cmd_export(const Args& a);
int cmd_backup(const Args& a);  // cmd_backup.cpp

}  // namespace parley::ctl
