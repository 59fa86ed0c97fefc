#include "app/bootstrap.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>

#include "app/assistant/assistant.hpp"
#include "core/log.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"
#include "store/repo.hpp"

namespace parley::relay {
namespace {

Millis wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs one op through the writer and waits for its commit (start-up only).
std::optional<Error> write_sync(Store& store, Store::Op op) {
  std::promise<std::optional<Error>> done;
  auto f = done.get_future();
  store.write(std::move(op), [&done](const std::optional<Error>& e) { done.set_value(e); });
  return f.get();
}

}  // namespace

Result<std::optional<FirstStart>> bootstrap_first_start(Store& store, const Config& config) {
  auto reader = store.open_reader();
  if (!reader) return reader.error();
  Db& db = **reader;
  auto tenants = load_tenants(db);
  if (!tenants) return tenants.error();
  for (const Tenant& t : *tenants) {
    auto users = list_users(db, t.id);
    if (!users) return users.error();
    if (!users->empty()) return std::optional<FirstStart>();
  }

  FirstStart fs;
  fs.username = config.admin_user.empty() ? "admin" : config.admin_user;
  const bool generated = config.admin_password.empty();
  const std::string password = generated ? random_token(12) : config.admin_password;
  if (generated) fs.password = password;
  const Millis now = wall_ms();

  User admin;
  admin.id = random_id("u_");
  admin.tenant_id = kDefaultTenantId;
  admin.username = fs.username;
  admin.display_name = "Administrator";
  admin.role = StaffRole::admin;
  admin.password_hash = hash_password(password);
  admin.created_at = now;
  if (admin.password_hash.empty()) return make_error(ErrorCode::internal, "password hashing failed");

  fs.api_key = "pk_" + random_token(32);
  const std::string key_hash = sha256_hex(fs.api_key);

  auto kb = load_kb(db, kDefaultTenantId);
  if (!kb) return kb.error();
  const bool seed_kb = kb->empty();

  auto err = write_sync(store, [admin, key_hash, seed_kb, now](Db& w) -> std::optional<Error> {
    if (auto e = insert_user(w, admin)) return e;
    // The first-start key is for the mirror only (sync scope): it can create no users or keys.
    ApiKey key{new_api_key_id(), kDefaultTenantId, "first start", ApiScopes{ApiScopes::sync}, now, 0, 0};
    if (auto e = insert_api_key(w, key, key_hash)) return e;
    if (seed_kb) {
      if (auto e = replace_kb(w, kDefaultTenantId, default_kb_articles())) return e;
    }
    AuditEntry a;
    a.tenant_id = kDefaultTenantId;
    a.actor_type = "system";
    a.actor_id = "bootstrap";
    a.action = "user.created";
    a.target = admin.id;
    a.data = Json{{"username", admin.username}, {"role", "admin"}, {"first_start", true}};
    a.at = now;
    return append_audit(w, a);
  });
  if (err) return *err;
  log::info("first start: admin created", {{"user", admin.id}, {"kb_seeded", seed_kb}});
  return std::optional<FirstStart>(std::move(fs));
}

std::string first_admin_file(const std::string& data_dir) { return data_dir + "/first-admin.txt"; }

std::string first_start_banner(const FirstStart& fs, const std::string& base_url, const std::string& file_path,
                               bool with_secrets) {
  std::string text;
  text += "Parley is running.\n\n";
  text += "  Widget demo:  " + base_url + "/\n";
  text += "  Staff inbox:  " + base_url + "/inbox\n\n";
  text += "  Username:     " + fs.username + "\n";
  if (with_secrets) {
    text += "  Password:     " + (fs.password.empty() ? std::string("(as configured)") : fs.password) + "\n";
    text += "  API key:      " + fs.api_key + "   (default tenant; mirror sync only: /api/chat/sync)\n\n";
    text += "This is shown once. Change the password after logging in; this file is then deleted\n";
    text += "(keep the API key elsewhere if you need it).\n";
  } else {
    text += "  Password:     " +
            std::string(fs.password.empty() ? "(as configured)" : "in " + file_path + " (mode 0600)") + "\n";
    text += "  API key:      in " + file_path + " (mode 0600)\n\n";
    text += "The file is deleted when the admin changes the password.\n";
  }
  return text;
}

void announce_first_start(const FirstStart& fs, const std::string& base_url, const std::string& data_dir) {
  std::error_code ec;
  std::string path = first_admin_file(data_dir);
  if (auto abs = std::filesystem::absolute(path, ec); !ec) path = abs.lexically_normal().string();

  bool written = false;
  const std::string secret_text = first_start_banner(fs, base_url, path, true);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::fchmod(fd, 0600);
    const char* p = secret_text.data();
    std::size_t left = secret_text.size();
    written = true;
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        written = false;
        break;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::close(fd);
  }
  if (!written) log::warn("could not write first-admin.txt", {{"path", path}});
  log::info("first start: credentials written", {{"path", path}, {"written", written}});

  // Secrets go to stdout only when it is a terminal (never into journald or container logs), or
  // when the file could not be written (the only copy then).
  const bool to_terminal = ::isatty(STDOUT_FILENO) == 1;
  std::cout << "\n" << first_start_banner(fs, base_url, path, to_terminal || !written) << std::endl;
}

bool forget_first_start_secrets(const std::string& data_dir, std::string_view username) {
  const std::string path = first_admin_file(data_dir);
  if (!username.empty()) {
    std::ifstream in(path);
    if (!in) return false;
    std::string line, named;
    while (std::getline(in, line)) {
      constexpr std::string_view kLabel = "  Username:     ";
      if (line.starts_with(kLabel)) {
        named = line.substr(kLabel.size());
        break;
      }
    }
    if (!iequals_ascii(named, username)) return false;
  }
  if (::unlink(path.c_str()) != 0) {
    if (errno != ENOENT) log::warn("could not remove first-admin.txt", {{"path", path}, {"errno", errno}});
    return false;
  }
  log::info("first-admin.txt removed", {{"path", path}});
  return true;
}

}  // namespace parley::relay
