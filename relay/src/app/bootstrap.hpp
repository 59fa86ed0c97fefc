// relay/src/app/bootstrap.hpp: first start. When the database holds no user at all, creates the
// first admin (username/password from configuration, or "admin" and a generated password), an API
// key for the default tenant (for /api/chat/sync), and seeds the default tenant's knowledge base
// with a few demo articles when it is empty. Runs before the hub starts, through the store's
// writer (blocking: start-up only).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/config.hpp"
#include "parley/result.hpp"
#include "store/store.hpp"

namespace parley::relay {

struct FirstStart {
  std::string username;
  std::string password;  // "" when it came from configuration (never echoed then)
  std::string api_key;
};

// nullopt inside the Result: not a first start (some user exists).
Result<std::optional<FirstStart>> bootstrap_first_start(Store& store, const Config& config);

// data_dir + "/first-admin.txt".
std::string first_admin_file(const std::string& data_dir);

// The banner text. With `with_secrets` it shows the generated password and the API key (the text
// of first-admin.txt); without, it says where the file `file_path` is instead.
std::string first_start_banner(const FirstStart& fs, const std::string& base_url, const std::string& file_path,
                               bool with_secrets);

// Writes the banner with the secrets to data_dir/first-admin.txt (mode 0600) and prints the banner
// to stdout: with the secrets only when stdout is a terminal (isatty) or the file could not be
// written; otherwise only the file's path, so no secret reaches journald or container logs. Logs
// the path (never a secret). `base_url` is "http://HOST:PORT". Start-up only (main thread).
void announce_first_start(const FirstStart& fs, const std::string& base_url, const std::string& data_dir);

// Deletes data_dir/first-admin.txt. The hub calls it when a user changes their password, passing
// their user name: the file is then removed only when it names that user (the first admin).
// An empty `username` removes it unconditionally. True when a file was removed; a missing file is
// false, other errors are logged. Blocking file I/O (small): worker thread or start-up.
bool forget_first_start_secrets(const std::string& data_dir, std::string_view username = {});

}  // namespace parley::relay
