// relay/src/app/bootstrap.hpp: first start. When the database holds no user at all, creates the
// first admin (username/password from configuration, or "admin" and a generated password), an API
// key for the default tenant (for /api/chat/sync), and seeds the default tenant's knowledge base
// with a few demo articles when it is empty. Runs before the hub starts, through the store's
// writer (blocking: start-up only).
#pragma once

#include <optional>
#include <string>

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

// Prints the first-start banner to stdout and writes the same text to data_dir/first-admin.txt
// (mode 0600). `base_url` is "http://HOST:PORT".
void announce_first_start(const FirstStart& fs, const std::string& base_url, const std::string& data_dir);

}  // namespace parley::relay
