#include "app/config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

#include "app/origin.hpp"
#include "parley/text.hpp"

extern char** environ;

namespace parley::relay {
namespace {

// One configuration key: its name (flag without dashes, file key), default shown in --help, help
// text, and how to apply a value (returns an error message, "" when fine).
struct Key {
  const char* name;
  const char* def;
  const char* help;
  std::function<std::string(Config&, const std::string&)> apply;
  bool is_flag_only = false;  // "config": not read from the file itself
  bool is_env_only = false;   // a secret: refused as a flag (visible in `ps`) and in the config file
};

std::string env_name(const std::string& key) {
  std::string out = "PARLEY_";
  for (char ch : key)
    out += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

// Surrounding ASCII whitespace removed (parley::trim), as an owned string.
std::string trimmed(std::string_view s) { return std::string(parley::trim(s)); }

// What to use instead of a secret given as a flag or a config-file line.
std::string env_only_error(const std::string& name, const std::string& where) {
  if (name == "admin-password") {
    return where +
           "admin-password is refused: a password on the command line shows in the process list (ps), "
           "and config files are often readable by others. Set PARLEY_ADMIN_PASSWORD in the "
           "environment, or put the password in a file only the relay can read and pass "
           "--admin-password-file PATH";
  }
  return where + name + " is read from the environment only (" + env_name(name) + ")";
}

}  // namespace

std::string read_secret_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read " + path;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 4096) return path + " is too long for a password file";
  if (const auto nl = text.find_first_of("\r\n"); nl != std::string::npos) text.resize(nl);
  if (text.empty()) return path + " holds no password (its first line is empty)";
  *out = std::move(text);
  return "";
}

namespace {

std::string number(double* out, const std::string& v, double min, double max) {
  if (v.empty()) return "expected a number";
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(v.c_str(), &end);
  if (errno || end != v.c_str() + v.size() || !std::isfinite(d)) return "expected a number";
  if (d < min || d > max) {
    std::ostringstream m;
    m << "must be between " << min << " and " << max;
    return m.str();
  }
  *out = d;
  return "";
}

template <class T>
std::function<std::string(Config&, const std::string&)> num(T Config::*member, double min, double max,
                                                            bool integer = false) {
  return [member, min, max, integer](Config& c, const std::string& v) {
    double d = 0;
    if (auto e = number(&d, v, min, max); !e.empty()) return e;
    if (integer && d != std::floor(d)) return std::string("expected a whole number");
    c.*member = static_cast<T>(d);
    return std::string();
  };
}

std::function<std::string(Config&, const std::string&)> text(std::string Config::*member) {
  return [member](Config& c, const std::string& v) {
    c.*member = v;
    return std::string();
  };
}

std::function<std::string(Config&, const std::string&)> boolean(bool Config::*member) {
  return [member](Config& c, const std::string& v) -> std::string {
    if (v != "true" && v != "false") return "expected true or false";
    c.*member = v == "true";
    return "";
  };
}

// A comma-separated list; blank items dropped.
std::function<std::string(Config&, const std::string&)> list(std::vector<std::string> Config::*member) {
  return [member](Config& c, const std::string& v) {
    (c.*member).clear();
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item = trimmed(item);
      if (!item.empty()) (c.*member).push_back(item);
    }
    return std::string();
  };
}

const std::vector<Key>& keys() {
  static const std::vector<Key> k = {
      {"listen", "127.0.0.1:8080", "address and port to listen on (port 0 = any free port)",
       [](Config& c, const std::string& v) -> std::string {
         const auto colon = v.rfind(':');
         if (colon == std::string::npos) return "expected HOST:PORT";
         std::string host = v.substr(0, colon);
         if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
           host = host.substr(1, host.size() - 2);
         if (host.empty()) return "expected HOST:PORT";
         double port = 0;
         if (auto e = number(&port, v.substr(colon + 1), 0, 65535); !e.empty() || port != std::floor(port)) {
           return "bad port";
         }
         c.listen_host = host;
         c.listen_port = static_cast<std::uint16_t>(port);
         return "";
       }},
      {"data-dir", "data", "folder of the database and first-admin.txt", text(&Config::data_dir)},
      {"db", "DATA-DIR/parley.db", "database file (overrides data-dir/parley.db)", text(&Config::db)},
      {"web-dir", "web", "folder of the static pages", text(&Config::web_dir)},
      {"public-url", "",
       "the relay's public URL behind a proxy (https://chat.example.com); WebSocket "
       "Origin must match it",
       [](Config& c, const std::string& v) -> std::string {
         if (!v.empty() && !v.starts_with("http://") && !v.starts_with("https://")) {
           return "expected http(s)://host[:port]";
         }
         c.public_url = v;
         while (c.public_url.ends_with("/")) c.public_url.pop_back();
         return "";
       }},
      {"trusted-proxies", "", "comma-separated addresses/CIDRs whose X-Forwarded-* headers are believed",
       list(&Config::trusted_proxies)},
      {"allowed-hosts", "",
       "comma-separated host names the relay answers to without --public-url (loopback always)",
       list(&Config::allowed_hosts)},
      {"metrics-token-file", "", "file whose first line is the token /metrics requires (default: loopback only)",
       text(&Config::metrics_token_file)},
      {"tls-cert", "", "PEM certificate chain (with tls-key: serve HTTPS/WSS)", text(&Config::tls_cert)},
      {"tls-key", "", "PEM private key", text(&Config::tls_key)},
      {"clamd-socket", "",
       "scan uploads with ClamAV's daemon at this address (unix socket path, or tcp:HOST:PORT); "
       "\"\" = no scanning",
       text(&Config::clamd_socket)},
      {"outbound-allow-private", "false",
       "let tenants' outbound URLs (LLM providers, CRM, webhooks) reach loopback, private and link-local "
       "addresses, and use plain http there (true/false; e.g. a local Ollama)",
       boolean(&Config::outbound_allow_private)},
      {"outbound-allow-hosts", "",
       "comma-separated host names (or .suffixes) tenants' outbound URLs may reach whatever they resolve to",
       list(&Config::outbound_allow_hosts)},
      {"outbound-deny-hosts", "", "comma-separated host names (or .suffixes) tenants' outbound URLs may never reach",
       list(&Config::outbound_deny_hosts)},
      {"outbound-ca-file", "", "PEM bundle trusted for outbound https instead of the system's CAs",
       text(&Config::outbound_ca_file)},
      {"commit-window-us", "1000",
       "under steady load, microseconds the writer gathers writes for one commit (0 = commit at once)",
       num(&Config::commit_window_us, 0, 100000)},
      {"synchronous", "full", "SQLite synchronous: full (survives power loss) or normal",
       [](Config& c, const std::string& v) -> std::string {
         if (v == "full")
           c.synchronous_full = true;
         else if (v == "normal")
           c.synchronous_full = false;
         else
           return "expected full or normal";
         return "";
       }},
      {"admin-user", "admin", "first admin's username (first start only)", text(&Config::admin_user)},
      {"admin-password", "(generated)",
       "first admin's password (first start only); environment only, never a flag",
       text(&Config::admin_password), false, true},
      {"admin-password-file", "", "file whose first line is the first admin's password (first start only)",
       text(&Config::admin_password_file)},
      {"session-hours", "12", "staff session lifetime in hours",
       num(&Config::session_hours, 0.001, 24 * 365)},
      {"agent-grace", "120", "seconds an assigned agent may be disconnected before the chat is requeued",
       num(&Config::agent_grace_s, 0.01, 86400 * 7)},
      {"abandon-after", "600", "seconds a waiting customer may be disconnected before the chat is abandoned",
       num(&Config::abandon_after_s, 0.01, 86400 * 7)},
      {"smtp-host", "", "SMTP server for outgoing mail (offline replies, transcripts); empty = no mail",
       text(&Config::smtp_host)},
      {"smtp-port", "25", "SMTP server port", num(&Config::smtp_port, 1, 65535, true)},
      {"smtp-from", "parley@localhost", "sender address of outgoing mail", text(&Config::smtp_from)},
      {"smtp-user", "", "SMTP AUTH PLAIN user (empty = no AUTH)", text(&Config::smtp_user)},
      {"smtp-password", "", "SMTP password; environment only, never a flag", text(&Config::smtp_password), false, true},
      {"smtp-password-file", "", "file whose first line is the SMTP password", text(&Config::smtp_password_file)},
      {"smtp-starttls", "false", "require STARTTLS before AUTH and the message (true/false)",
       boolean(&Config::smtp_starttls)},
      {"smtp-plain-auth", "false", "allow AUTH over an unencrypted connection (loopback tests only)",
       boolean(&Config::smtp_plain_auth)},
      {"smtp-timeout", "15", "seconds one SMTP delivery may take", num(&Config::smtp_timeout_s, 0.1, 600)},
      {"mail-attempts", "4", "attempts per mail before it is given up (transient failures)",
       num(&Config::mail_attempts, 1, 100, true)},
      {"mail-backoff", "2", "seconds before the first retry of a mail (then x4 each time)",
       num(&Config::mail_backoff_s, 0.001, 3600)},
      {"invite-hours", "72", "hours an invitation link (mailed to a new staff member) stays usable",
       num(&Config::invite_hours, 0.0001, 24 * 90)},
      {"reset-minutes", "60", "minutes a password reset link stays usable", num(&Config::reset_minutes, 0.001, 24 * 60)},
      {"llm-timeout", "30", "seconds an LLM provider may stay silent before the turn falls back to a person",
       num(&Config::llm_timeout_s, 0.1, 600)},
      {"rate", "20", "commands per second per connection (sustained)", num(&Config::rate, 0.01, 1e6)},
      {"burst", "40", "command burst per connection", num(&Config::burst, 1, 1e6)},
      {"visitor-rate", "1", "new visitors' conversations per second per client address (sustained)",
       num(&Config::visitor_rate, 0.001, 1e6)},
      {"visitor-burst", "30", "new visitors' conversations per client address (burst)",
       num(&Config::visitor_burst, 1, 1e6)},
      {"rest-rate", "50", "REST requests per second per client address (sustained)", num(&Config::rest_rate, 0.01, 1e6)},
      {"rest-burst", "200", "REST request burst per client address", num(&Config::rest_burst, 1, 1e6)},
      {"webhook-rate", "500",
       "provider webhook requests per second per address (Meta posts a status for every message sent, from few addresses)",
       num(&Config::webhook_rate, 0.01, 1e6)},
      {"webhook-burst", "5000", "provider webhook request burst per address", num(&Config::webhook_burst, 1, 1e7)},
      {"test-counters", "false", "serve GET /api/v1/debug/counters to loopback (tests only)",
       [](Config& c, const std::string& v) -> std::string {
         if (v != "true" && v != "false") return "expected true or false";
         c.test_counters = v == "true";
         return "";
       }},
      {"max-frame", "65536", "largest WebSocket frame in bytes",
       num(&Config::max_frame, 1024, 16 * 1024 * 1024, true)},
      {"max-text", "4000", "longest message text in code points", num(&Config::max_text, 1, 100000, true)},
      {"send-queue-cap", "1048576", "bytes queued to a slow client before it is dropped",
       num(&Config::send_queue_cap, 4096, 1024LL * 1024 * 1024, true)},
      {"send-budget", "268435456",
       "bytes queued to all clients together; past it the relay stops reading until they drain",
       num(&Config::send_budget, 65536, 64LL * 1024 * 1024 * 1024, true)},
      {"log-level", "info", "debug, info, warn or error",
       [](Config& c, const std::string& v) -> std::string {
         if (v != "debug" && v != "info" && v != "warn" && v != "error")
           return "expected debug|info|warn|error";
         c.log_level = v;
         return "";
       }},
      {"port-file", "", "write the bound port to this file once listening", text(&Config::port_file)},
      {"config", "", "a file of `key = value` lines (same keys as the flags)", text(&Config::config_file),
       true},
  };
  return k;
}

const Key* find_key(const std::string& name) {
  for (const Key& k : keys()) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

}  // namespace

std::string config_help() {
  std::ostringstream o;
  o << "parley-relay: the Parley chat relay (HTTP + WebSocket on one port)\n\n"
    << "usage: parley-relay [--key value | --key=value]...\n"
    << "Precedence: flags > environment > config file > defaults.\n\n";
  for (const Key& k : keys()) {
    if (k.is_env_only) {
      o << "  " << env_name(k.name) << " (environment only)\n"
        << std::string(20, ' ') << k.help << "\n" << std::string(20, ' ') << "default: " << k.def << "\n";
      continue;
    }
    o << "  --" << k.name;
    if (std::string(k.name).size() >= 16) o << "\n" << std::string(20, ' ');  // a long name: own line
    for (std::size_t i = std::string(k.name).size(); i < 16; ++i) o << ' ';
    o << k.help << "\n"
      << std::string(20, ' ') << "default: " << (*k.def ? k.def : "(none)") << "   env: " << env_name(k.name)
      << "\n";
  }
  o << "  --help            this text\n";
  return o.str();
}

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string s(*e);
    const auto eq = s.find('=');
    if (eq != std::string::npos && s.starts_with("PARLEY_")) env[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return env;
}

FastHash fast_hash_mode(const std::map<std::string, std::string>& env, std::string_view listen_host) {
  const auto it = env.find("PARLEY_FAST_HASH");
  if (it == env.end() || it->second != "1") return FastHash::off;
  return is_loopback_host(listen_host) ? FastHash::test_cost : FastHash::refuse;
}

ConfigResult load_config(int argc, const char* const* argv, const std::map<std::string, std::string>& env) {
  ConfigResult out;
  // 1. Flags, collected first (they decide the config file and win over everything).
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      out.exit_now = true;
      out.output = config_help();
      return out;
    }
    if (!a.starts_with("--")) {
      out.error = "unexpected argument \"" + a + "\" (see --help)";
      return out;
    }
    a = a.substr(2);
    std::string value;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else {
      if (i + 1 >= argc) {
        out.error = "--" + a + " needs a value";
        return out;
      }
      value = argv[++i];
    }
    const Key* key = find_key(a);
    if (!key) {
      out.error = "unknown option --" + a + " (see --help)";
      return out;
    }
    if (key->is_env_only) {
      out.error = env_only_error(a, "--");
      return out;
    }
    flags[a] = value;
  }

  // 2. The config file.
  std::map<std::string, std::string> file;
  std::string path;
  if (auto it = flags.find("config"); it != flags.end())
    path = it->second;
  else if (auto e = env.find("PARLEY_CONFIG"); e != env.end())
    path = e->second;
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) {
      out.error = "cannot read config file " + path;
      return out;
    }
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      line = trimmed(line);
      if (line.empty()) continue;
      const auto eq = line.find('=');
      if (eq == std::string::npos) {
        out.error = path + ":" + std::to_string(n) + ": expected key = value";
        return out;
      }
      const std::string key = trimmed(line.substr(0, eq));
      const Key* k = find_key(key);
      if (!k || k->is_flag_only) {
        out.error = path + ":" + std::to_string(n) + ": unknown key \"" + key + "\"";
        return out;
      }
      if (k->is_env_only) {
        out.error = env_only_error(key, path + ":" + std::to_string(n) + ": ");
        return out;
      }
      file[key] = trimmed(line.substr(eq + 1));
    }
  }

  // 3. Apply: defaults < file < env < flags.
  Config c;
  for (const Key& k : keys()) {
    std::string value;
    std::string source;
    bool set = false;
    if (auto f = flags.find(k.name); f != flags.end()) {
      value = f->second, source = std::string("--") + k.name, set = true;
    } else if (auto e = env.find(env_name(k.name)); e != env.end()) {
      value = e->second, source = env_name(k.name), set = true;
    } else if (auto fl = file.find(k.name); fl != file.end()) {
      value = fl->second, source = path + ": " + k.name, set = true;
    }
    if (!set) continue;
    if (std::string err = k.apply(c, value); !err.empty()) {
      out.error = source + ": " + err;
      return out;
    }
  }
  if (!c.admin_password_file.empty()) {
    if (!c.admin_password.empty()) {
      out.error = "PARLEY_ADMIN_PASSWORD and admin-password-file are both set; use one";
      return out;
    }
    if (std::string err = read_secret_file(c.admin_password_file, &c.admin_password); !err.empty()) {
      out.error = "admin-password-file: " + err;
      return out;
    }
  }
  if (!c.smtp_password_file.empty()) {
    if (!c.smtp_password.empty()) {
      out.error = "PARLEY_SMTP_PASSWORD and smtp-password-file are both set; use one";
      return out;
    }
    if (std::string err = read_secret_file(c.smtp_password_file, &c.smtp_password); !err.empty()) {
      out.error = "smtp-password-file: " + err;
      return out;
    }
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    out.error = "tls-cert and tls-key go together";
    return out;
  }
  out.config = std::move(c);
  return out;
}

}  // namespace parley::relay
