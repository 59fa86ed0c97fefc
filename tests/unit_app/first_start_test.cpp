// Unit tests of the first start's secrets (relay/src/app/bootstrap.hpp): the banner that reaches
// stdout names the 0600 file instead of the secrets, and the file goes when the admin changes the
// password.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app/bootstrap.hpp"

using namespace parley::relay;
namespace fs = std::filesystem;

TEST_CASE("first start: the banner without secrets names the file; forget removes only the admin's file") {
  FirstStart first{"admin", "generated-pw-123", "pk_secretkey"};
  const std::string quiet = first_start_banner(first, "http://127.0.0.1:8080", "/d/first-admin.txt", false);
  CHECK(quiet.find("generated-pw-123") == std::string::npos);
  CHECK(quiet.find("pk_secretkey") == std::string::npos);
  CHECK(quiet.find("/d/first-admin.txt") != std::string::npos);
  const std::string full = first_start_banner(first, "http://127.0.0.1:8080", "/d/first-admin.txt", true);
  CHECK(full.find("generated-pw-123") != std::string::npos);
  CHECK(full.find("pk_secretkey") != std::string::npos);

  const fs::path dir = fs::temp_directory_path() / ("parley-first-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  { std::ofstream(first_admin_file(dir.string())) << full; }
  CHECK_FALSE(forget_first_start_secrets(dir.string(), "ann"));  // another user's password change
  CHECK(fs::exists(first_admin_file(dir.string())));
  CHECK(forget_first_start_secrets(dir.string(), "Admin"));
  CHECK_FALSE(fs::exists(first_admin_file(dir.string())));
  CHECK_FALSE(forget_first_start_secrets(dir.string()));  // already gone
  fs::remove_all(dir);
}
