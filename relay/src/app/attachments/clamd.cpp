// relay/src/app/attachments/clamd.cpp: see clamd.hpp.
#include "app/attachments/clamd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace parley::relay {

namespace {

Error unavailable(const std::string& what) { return make_error(ErrorCode::unavailable, "virus scanner: " + what); }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<int> connect_to(const std::string& address, int timeout_ms) {
  std::string a = address;
  bool tcp = false;
  if (a.starts_with("tcp:")) {
    a = a.substr(4);
    tcp = true;
  } else if (a.starts_with("unix:")) {
    a = a.substr(5);
  } else if (!a.starts_with("/")) {
    tcp = true;
  }
  int fd = -1;
  if (tcp) {
    const auto colon = a.rfind(':');
    if (colon == std::string::npos) return unavailable("bad address " + address);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(std::atoi(a.substr(colon + 1).c_str())));
    if (::inet_pton(AF_INET, a.substr(0, colon).c_str(), &sa.sin_addr) != 1) return unavailable("bad address " + address);
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return unavailable(std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      const int err = errno;
      ::close(fd);
      return unavailable("cannot connect to " + address + ": " + std::strerror(err));
    }
  } else {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (a.size() >= sizeof sa.sun_path) return unavailable("socket path too long");
    std::memcpy(sa.sun_path, a.c_str(), a.size() + 1);
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return unavailable(std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      const int err = errno;
      ::close(fd);
      return unavailable("cannot connect to " + address + ": " + std::strerror(err));
    }
  }
  timeval tv{};
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

bool send_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

Result<ScanVerdict> clamd_scan(const std::string& address, std::string_view bytes, int timeout_ms) {
  Result<int> c = connect_to(address, timeout_ms);
  if (!c) return c.error();
  Fd fd{*c};
  static constexpr char kCmd[] = "zINSTREAM";  // with its NUL
  // clamd may answer (and close) before it read everything (size limit): a failed send is then
  // not the end; the answer says why.
  bool sent = send_all(fd.fd, kCmd, sizeof kCmd);
  constexpr std::size_t kChunk = 64 * 1024;
  for (std::size_t at = 0; sent && at < bytes.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, bytes.size() - at);
    const std::uint32_t len = htonl(static_cast<std::uint32_t>(n));
    sent = send_all(fd.fd, reinterpret_cast<const char*>(&len), 4) && send_all(fd.fd, bytes.data() + at, n);
  }
  const std::uint32_t zero = 0;
  if (sent) sent = send_all(fd.fd, reinterpret_cast<const char*>(&zero), 4);
  std::string reply;
  char buf[512];
  while (reply.size() < 4096) {
    const ssize_t n = ::recv(fd.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.find('\0') != std::string::npos || reply.find('\n') != std::string::npos) break;
  }
  while (!reply.empty() && (reply.back() == '\0' || reply.back() == '\n')) reply.pop_back();
  if (reply.empty()) return unavailable(sent ? "no answer from clamd" : "clamd closed the connection");
  if (reply.ends_with(": OK")) return ScanVerdict{true, {}};
  if (reply.ends_with(" FOUND")) {
    std::string sig = reply.substr(0, reply.size() - 6);
    if (const auto colon = sig.find(": "); colon != std::string::npos) sig = sig.substr(colon + 2);
    return ScanVerdict{false, sig};
  }
  return unavailable("clamd answered \"" + reply.substr(0, 200) + "\"");
}

}  // namespace parley::relay
