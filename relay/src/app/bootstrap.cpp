#include "app/bootstrap.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>

#include "app/assistant.hpp"
#include "core/log.hpp"
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

void announce_first_start(const FirstStart& fs, const std::string& base_url, const std::string& data_dir) {
  std::string text;
  text += "Parley is running.\n\n";
  text += "  Widget demo:  " + base_url + "/\n";
  text += "  Staff inbox:  " + base_url + "/inbox\n\n";
  text += "  Username:     " + fs.username + "\n";
  if (!fs.password.empty()) {
    text += "  Password:     " + fs.password + "\n";
  } else {
    text += "  Password:     (as configured)\n";
  }
  text += "  API key:      " + fs.api_key + "   (default tenant; for /api/chat/sync)\n\n";
  text += "This is shown once. Change the password after logging in.\n";
  std::cout << "\n" << text << std::endl;

  const std::string path = data_dir + "/first-admin.txt";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    log::warn("could not write first-admin.txt", {{"path", path}});
    return;
  }
  ::fchmod(fd, 0600);
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::close(fd);
}

}  // namespace parley::relay
