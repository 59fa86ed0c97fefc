// Unit tests of the device cookie (relay/src/app/auth/device_cookie.hpp).
#include "app/auth/device_cookie.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace parley::relay::auth;
namespace fs = std::filesystem;

namespace {
const std::string kSecret = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kDay = 24LL * 3600 * 1000;

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("parley-device-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(reinterpret_cast<std::uintptr_t>(&kNow)));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("device token: verifies for its user name and secret only, within its age") {
  const std::string t = issue_device_token(kSecret, "Admin", kNow);
  CHECK(t.starts_with("d1."));
  CHECK(verify_device_token(kSecret, t, "admin", kNow));
  CHECK(verify_device_token(kSecret, t, "ADMIN", kNow + 10 * kDay));
  CHECK_FALSE(verify_device_token(kSecret, t, "ann", kNow));
  CHECK_FALSE(verify_device_token(kSecret + "x", t, "admin", kNow));
  CHECK_FALSE(verify_device_token("", t, "admin", kNow));
  CHECK_FALSE(verify_device_token(kSecret, t, "admin", kNow + kDeviceCookieMaxAgeMs + 1));
  CHECK(verify_device_token(kSecret, t, "admin", kNow + 2 * kDay, 3 * kDay));
  CHECK_FALSE(verify_device_token(kSecret, t, "admin", kNow + 4 * kDay, 3 * kDay));
  CHECK_FALSE(verify_device_token(kSecret, t, "admin", kNow - 10 * 60'000));  // issued in the future
}

TEST_CASE("device token: malformed and tampered tokens are refused") {
  const std::string t = issue_device_token(kSecret, "admin", kNow);
  std::string flipped = t;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK_FALSE(verify_device_token(kSecret, flipped, "admin", kNow));
  // Another issue time with the old MAC.
  const std::string mac = t.substr(t.rfind('.') + 1);
  CHECK_FALSE(verify_device_token(kSecret, "d1." + std::to_string(kNow + 1) + "." + mac, "admin", kNow));
  CHECK_FALSE(verify_device_token(kSecret, "d1.0" + std::to_string(kNow) + "." + mac, "admin", kNow));
  for (const char* bad : {"", "d1.", "d1..", "d1.12x.ab", "x1.1.ab", "d1.99999999999999999999.ab"}) {
    CHECK_FALSE(verify_device_token(kSecret, bad, "admin", kNow));
  }
  CHECK_FALSE(verify_device_token(kSecret, std::string(300, 'a'), "admin", kNow));
}

TEST_CASE("device secret: created once with mode 0600, then read back") {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "device-secret").string();
  auto a = load_or_create_secret(path);
  REQUIRE(a.ok());
  CHECK(a->size() == 43);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto b = load_or_create_secret(path);
  REQUIRE(b.ok());
  CHECK(*a == *b);

  // A damaged file is an error, not silently replaced.
  { std::ofstream(path, std::ios::trunc) << "short\n"; }
  CHECK_FALSE(load_or_create_secret(path).ok());
  // A folder that does not exist is an error.
  CHECK_FALSE(load_or_create_secret((dir / "missing" / "device-secret").string()).ok());
  fs::remove_all(dir);
}
