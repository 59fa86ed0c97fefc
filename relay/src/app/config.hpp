// relay/src/app/config.hpp: the relay's configuration from flags, environment variables and an
// optional config file. Precedence: flags > env > file > defaults.
//
//   flag:  --agent-grace 30   or  --agent-grace=30
//   env:   PARLEY_AGENT_GRACE=30  (the key upper-cased, '-' -> '_', prefixed PARLEY_)
//   file:  agent-grace = 30   (one "key = value" per line; '#' starts a comment; --config PATH or
//          PARLEY_CONFIG)
// Every value is validated; an unknown key or a bad value is an error naming the key.
//
// Secrets never come from the command line (it shows in `ps`): the first admin's password is read
// from PARLEY_ADMIN_PASSWORD or from the file named by --admin-password-file (its first line);
// `--admin-password` and an `admin-password` line in the config file are refused with an error
// that says so.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::relay {

struct Config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string data_dir = "data";
  std::string db;  // "" = data_dir/parley.db
  std::string web_dir = "web";
  std::string public_url;
  std::vector<std::string> trusted_proxies;
  std::string tls_cert, tls_key;
  bool synchronous_full = true;
  int commit_window_us = 1000;
  std::string clamd_socket;  // issue 9: virus-scan uploads through clamd ("" = off)
  // Outbound calls to tenant-configured URLs (parley/url_policy.hpp, app/outbound/http_client.hpp).
  bool outbound_allow_private = false;
  std::vector<std::string> outbound_allow_hosts, outbound_deny_hosts;
  std::string outbound_ca_file;
  std::string admin_user;      // first start only
  std::string admin_password;       // first start only: PARLEY_ADMIN_PASSWORD or the file's first line
  std::string admin_password_file;  // first start only
  double session_hours = 12;
  double agent_grace_s = 120;
  double abandon_after_s = 600;
  double rate = 20;   // per connection; raising it (or burst) lifts the per-address limits as far
  double burst = 40;
  double visitor_rate = 1, visitor_burst = 30;  // new visitors' first conversations per address
  double rest_rate = 50, rest_burst = 200;      // REST requests per address
  double webhook_rate = 500, webhook_burst = 5000;  // provider webhook requests per address
  std::vector<std::string> allowed_hosts;       // Host names believed without public_url
  std::string metrics_token_file;               // "" = /metrics from loopback only
  bool test_counters = false;
  std::size_t max_frame = 64 * 1024;
  std::size_t max_text = 4000;
  std::size_t send_queue_cap = 1024 * 1024;
  std::size_t send_budget = 256 * 1024 * 1024;
  // Outgoing mail (README "Configuration"): off while smtp_host is "".
  std::string smtp_host;
  int smtp_port = 25;
  std::string smtp_from = "parley@localhost";
  std::string smtp_user;
  std::string smtp_password;  // PARLEY_SMTP_PASSWORD or --smtp-password-file, never a flag
  std::string smtp_password_file;
  bool smtp_starttls = false;
  bool smtp_plain_auth = false;  // allow AUTH without TLS (loopback tests)
  double smtp_timeout_s = 15;
  int mail_attempts = 4;
  double mail_backoff_s = 2;
  double invite_hours = 72;   // issue 9: invitation links
  double reset_minutes = 60;  // issue 9: password reset links
  // issue 10: an LLM provider's read timeout.
  double llm_timeout_s = 30;
  std::string log_level = "info";
  std::string port_file;
  std::string config_file;

  std::string db_path() const { return db.empty() ? data_dir + "/parley.db" : db; }
};

struct ConfigResult {
  std::optional<Config> config;  // nullopt with `error` or `exit_now`
  std::string error;             // for stderr; exit code 2
  bool exit_now = false;         // --help / --version printed `output`; exit 0
  std::string output;
};

// Parses argv (argv[0] skipped), `env` (e.g. from environ) and the config file named by --config /
// PARLEY_CONFIG.
ConfigResult load_config(int argc, const char* const* argv, const std::map<std::string, std::string>& env);

// The text of --help: every key with its default and environment variable.
std::string config_help();

// The process environment as a map (only the PARLEY_* variables).
std::map<std::string, std::string> environment();

// Reads the first line of a secret file (a password, a token) into *out; "" on success, else
// the problem for the error message (missing, unreadable, too long, empty first line).
std::string read_secret_file(const std::string& path, std::string* out);
// PARLEY_FAST_HASH=1 asks for the cheap test-only password hash cost (tests and benchmarks). The
// relay honours it only when it listens on a loopback address (`test_cost`: main logs a warning and
// calls set_password_hash_cost(HashCost::test_only)); on any other address it refuses to start
// (`refuse`, exit 2). Any other value, or none, is `off`.
enum class FastHash { off, test_cost, refuse };
FastHash fast_hash_mode(const std::map<std::string, std::string>& env, std::string_view listen_host);

}  // namespace parley::relay
