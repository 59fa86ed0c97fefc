// relay/src/app/auth/device_cookie.cpp: see device_cookie.hpp.
#include "app/auth/device_cookie.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "parley/text.hpp"
#include "store/auth.hpp"

namespace parley::relay::auth {
namespace {

constexpr std::string_view kPrefix = "d1.";
constexpr std::int64_t kSkewMs = 60'000;
constexpr std::size_t kSecretChars = 43;  // random_token(32)

std::string mac(std::string_view secret, std::string_view username, std::string_view issued) {
  std::string data = "parley-device-v1\n";
  data += ascii_lower(username);
  data += '\n';
  data += issued;
  return hmac_sha256_hex(secret, data);
}

bool valid_secret(std::string_view s) {
  if (s.size() != kSecretChars) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

std::string issue_device_token(std::string_view secret, std::string_view username, std::int64_t now_ms) {
  const std::string issued = std::to_string(now_ms);
  return std::string(kPrefix) + issued + "." + mac(secret, username, issued);
}

bool verify_device_token(std::string_view secret, std::string_view token, std::string_view username,
                         std::int64_t now_ms, std::int64_t max_age_ms) {
  if (secret.empty() || username.empty() || token.size() > 200 || !token.starts_with(kPrefix)) return false;
  const std::string_view rest = token.substr(kPrefix.size());
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 18) return false;
  const std::string_view issued = rest.substr(0, dot);
  const std::string_view given = rest.substr(dot + 1);
  std::int64_t at = 0;
  for (char c : issued) {
    if (c < '0' || c > '9') return false;
    at = at * 10 + (c - '0');
  }
  if (issued.size() > 1 && issued.front() == '0') return false;  // one spelling per token
  if (at > now_ms + kSkewMs || now_ms - at > max_age_ms) return false;
  return constant_time_equal(given, mac(secret, username, issued));
}

Result<std::string> load_or_create_secret(const std::string& path) {
  for (int round = 0; round < 2; ++round) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buf[128];
      std::string text;
      for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > 1024) break;
      }
      ::close(fd);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      // An empty file: a concurrent creator has not written yet, or a crash between create and
      // write. Treat as missing once (the exclusive create below fails and we re-read).
      if (text.empty() && round == 0) {
        ::usleep(50'000);
        continue;
      }
      if (!valid_secret(text)) {
        return make_error(ErrorCode::internal,
                          path + " does not hold a device secret (43 base64url characters); remove it to "
                                 "create a new one (browsers then lose their trusted-device status)");
      }
      return text;
    }
    if (errno != ENOENT) return make_error(ErrorCode::internal, "cannot read " + path + ": " + errno_text(errno));

    const std::string secret = random_token(32);
    const int w = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w < 0) {
      if (errno == EEXIST) continue;  // another process created it meanwhile: read theirs
      return make_error(ErrorCode::internal, "cannot create " + path + ": " + errno_text(errno));
    }
    ::fchmod(w, 0600);
    const std::string line = secret + "\n";
    std::size_t off = 0;
    bool ok = true;
    while (off < line.size()) {
      const ssize_t n = ::write(w, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok = false;
        break;
      }
      off += static_cast<std::size_t>(n);
    }
    if (ok && ::fsync(w) != 0) ok = false;
    const int saved = errno;
    ::close(w);
    if (!ok) {
      ::unlink(path.c_str());
      return make_error(ErrorCode::internal, "cannot write " + path + ": " + errno_text(saved));
    }
    return secret;
  }
  return make_error(ErrorCode::internal, path + " is empty; remove it to create a new device secret");
}

}  // namespace parley::relay::auth
