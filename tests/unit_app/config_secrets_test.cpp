// Unit tests of the configuration's secret handling and the test-only hash switch
// (relay/src/app/config.hpp).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/origin.hpp"

using namespace parley::relay;
namespace fs = std::filesystem;

namespace {

ConfigResult load(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "parley-relay");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return load_config(static_cast<int>(argv.size()), argv.data(), env);
}

fs::path temp_dir(const char* tag) {
  fs::path d = fs::temp_directory_path() / (std::string("parley-cfg-") + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST_CASE("config: --admin-password is refused with what to use instead") {
  for (const auto& args : {std::vector<std::string>{"--admin-password", "hunter2hunter2"},
                           std::vector<std::string>{"--admin-password=hunter2hunter2"}}) {
    ConfigResult r = load(args);
    CHECK_FALSE(r.config);
    CHECK(r.error.find("PARLEY_ADMIN_PASSWORD") != std::string::npos);
    CHECK(r.error.find("--admin-password-file") != std::string::npos);
    CHECK(r.error.find("hunter2") == std::string::npos);  // never echoes the secret
  }
  // Nor in a config file.
  const fs::path dir = temp_dir("file");
  { std::ofstream(dir / "relay.conf") << "admin-password = hunter2hunter2\n"; }
  ConfigResult r = load({"--config", (dir / "relay.conf").string()});
  CHECK_FALSE(r.config);
  CHECK(r.error.find("--admin-password-file") != std::string::npos);
  // --help lists it as environment only.
  CHECK(config_help().find("PARLEY_ADMIN_PASSWORD (environment only)") != std::string::npos);
  CHECK(config_help().find("--admin-password-file") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("config: the admin password comes from the environment or a file") {
  ConfigResult e = load({}, {{"PARLEY_ADMIN_PASSWORD", "from-the-env-1"}});
  REQUIRE(e.config);
  CHECK(e.config->admin_password == "from-the-env-1");

  const fs::path dir = temp_dir("pw");
  { std::ofstream(dir / "pw") << "from the file 1\r\nsecond line ignored\n"; }
  ConfigResult f = load({"--admin-password-file", (dir / "pw").string()});
  REQUIRE(f.config);
  CHECK(f.config->admin_password == "from the file 1");
  ConfigResult fe = load({}, {{"PARLEY_ADMIN_PASSWORD_FILE", (dir / "pw").string()}});
  REQUIRE(fe.config);
  CHECK(fe.config->admin_password == "from the file 1");

  // Both at once is ambiguous; a missing or empty file is an error.
  CHECK_FALSE(load({"--admin-password-file", (dir / "pw").string()}, {{"PARLEY_ADMIN_PASSWORD", "x"}}).config);
  ConfigResult missing = load({"--admin-password-file", (dir / "nope").string()});
  CHECK_FALSE(missing.config);
  CHECK(missing.error.find("admin-password-file") != std::string::npos);
  { std::ofstream(dir / "empty") << "\n"; }
  CHECK_FALSE(load({"--admin-password-file", (dir / "empty").string()}).config);
  fs::remove_all(dir);
}

TEST_CASE("is_loopback_host") {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "[::1]", "0:0:0:0:0:0:0:1",
                        "localhost", "LocalHost", "::ffff:127.0.0.1"}) {
    CAPTURE(h);
    CHECK(is_loopback_host(h));
  }
  for (const char* h : {"0.0.0.0", "::", "128.0.0.1", "10.0.0.1", "192.168.1.1", "example.com", "localhost.example",
                        "127.0.0.1.example.com", "", "::2", "::ffff:10.0.0.1", "fe80::1"}) {
    CAPTURE(h);
    CHECK_FALSE(is_loopback_host(h));
  }
}

TEST_CASE("PARLEY_FAST_HASH is honoured on loopback only") {
  const std::map<std::string, std::string> fast = {{"PARLEY_FAST_HASH", "1"}};
  CHECK(fast_hash_mode({}, "0.0.0.0") == FastHash::off);
  CHECK(fast_hash_mode({{"PARLEY_FAST_HASH", "0"}}, "0.0.0.0") == FastHash::off);
  CHECK(fast_hash_mode(fast, "127.0.0.1") == FastHash::test_cost);
  CHECK(fast_hash_mode(fast, "::1") == FastHash::test_cost);
  CHECK(fast_hash_mode(fast, "localhost") == FastHash::test_cost);
  CHECK(fast_hash_mode(fast, "0.0.0.0") == FastHash::refuse);
  CHECK(fast_hash_mode(fast, "::") == FastHash::refuse);
  CHECK(fast_hash_mode(fast, "192.168.1.10") == FastHash::refuse);
}

TEST_CASE("config: the outbound URL rule's options") {
  auto def = load({});
  REQUIRE(def.error.empty());
  CHECK_FALSE(def.config->outbound_allow_private);
  CHECK(def.config->outbound_allow_hosts.empty());

  auto set = load({"--outbound-allow-private", "true", "--outbound-deny-hosts", "metadata.internal, .corp.example"},
                  {{"PARLEY_OUTBOUND_ALLOW_HOSTS", "ollama.lan"}});
  REQUIRE(set.error.empty());
  CHECK(set.config->outbound_allow_private);
  CHECK(set.config->outbound_deny_hosts == std::vector<std::string>{"metadata.internal", ".corp.example"});
  CHECK(set.config->outbound_allow_hosts == std::vector<std::string>{"ollama.lan"});
  CHECK_FALSE(load({"--outbound-allow-private", "yes"}).error.empty());
}
