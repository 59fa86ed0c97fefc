// tools/clamd_standin: a loopback stand-in for ClamAV's daemon (DESIGN.md rule 4), for tests of
// the relay's virus scanning (relay/src/app/attachments/clamd.hpp) without clamd's signature
// database (TOOLCHAIN.md: no package ships signatures and freshclam cannot reach its server).
//
// Speaks clamd's wire format on TCP: "zPING\0"/"nPING\n" -> "PONG"; "zINSTREAM\0"/"nINSTREAM\n"
// followed by chunks <4-byte big-endian length><bytes> and a zero length -> "stream: OK", or
// "stream: Eicar-Test-Signature FOUND" when the stream holds the EICAR test string, or
// "INSTREAM size limit exceeded. ERROR" past --max-bytes (then closes, as clamd does). Replies end
// with the command's terminator (NUL for z, newline for n). One connection at a time.
//
// Usage: clamd_standin [--port N] [--port-file FILE] [--max-bytes N]
// Prints "listening on 127.0.0.1:PORT" and, with --port-file, writes the port there once ready.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

// The EICAR anti-virus test file's text (every scanner detects it; harmless).
const char* const kEicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

bool read_n(int fd, char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t r = ::recv(fd, p, n, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

void reply(int fd, const std::string& text, char end) {
  std::string s = text;
  s.push_back(end);
  ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
}

void serve(int fd, std::size_t max_bytes) {
  std::string cmd;
  char c = 0;
  while (cmd.size() < 64 && read_n(fd, &c, 1)) {
    if (c == '\0' || c == '\n') break;
    cmd.push_back(c);
  }
  if (cmd.empty()) return;
  const char end = cmd[0] == 'n' ? '\n' : '\0';
  const std::string name = (cmd[0] == 'z' || cmd[0] == 'n') ? cmd.substr(1) : cmd;
  if (name == "PING") return reply(fd, "PONG", end);
  if (name != "INSTREAM") return reply(fd, "UNKNOWN COMMAND", end);
  std::string data;
  for (;;) {
    std::uint32_t len_be = 0;
    if (!read_n(fd, reinterpret_cast<char*>(&len_be), 4)) return;
    const std::uint32_t len = ntohl(len_be);
    if (len == 0) break;
    if (data.size() + len > max_bytes) return reply(fd, "INSTREAM size limit exceeded. ERROR", end);
    const std::size_t at = data.size();
    data.resize(at + len);
    if (!read_n(fd, data.data() + at, len)) return;
  }
  if (data.find(kEicar) != std::string::npos) return reply(fd, "stream: Eicar-Test-Signature FOUND", end);
  reply(fd, "stream: OK", end);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string port_file;
  std::size_t max_bytes = 26 * 1024 * 1024;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") port = std::atoi(v.c_str());
    else if (k == "--port-file") port_file = v;
    else if (k == "--max-bytes") max_bytes = static_cast<std::size_t>(std::atoll(v.c_str()));
    else {
      std::fprintf(stderr, "usage: clamd_standin [--port N] [--port-file FILE] [--max-bytes N]\n");
      return 2;
    }
  }
  const int ls = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(ls, 16) != 0) {
    std::perror("clamd_standin: bind/listen");
    return 1;
  }
  socklen_t sl = sizeof sa;
  ::getsockname(ls, reinterpret_cast<sockaddr*>(&sa), &sl);
  const int bound = ntohs(sa.sin_port);
  std::printf("listening on 127.0.0.1:%d\n", bound);
  std::fflush(stdout);
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    { std::ofstream(tmp) << bound << "\n"; }
    std::rename(tmp.c_str(), port_file.c_str());
  }
  for (;;) {
    const int fd = ::accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    serve(fd, max_bytes);
    ::close(fd);
  }
}
