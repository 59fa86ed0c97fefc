// tools/smtp_standin/smtp_standin.hpp: a stand-in SMTP server for tests (DESIGN.md rule 4).
//
// Speaks real SMTP (RFC 5321 subset: EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
// on 127.0.0.1 and records every message it accepted. Header-only, POSIX sockets, one thread per
// connection; used in-process by tests/integration and as the `parley-smtp-standin` binary (main.cpp)
// by the end-to-end tests and by hand.
//
// Failure injection: `fail_rcpt` answers the first N RCPT TO commands with "451 try again later"
// (a transient failure the relay must retry).
// Threads: start()/stop() from one thread; received()/count() are thread-safe.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parley::standin {

struct ReceivedMail {
  std::string from;
  std::vector<std::string> to;
  std::string auth;  // the AUTH PLAIN user, "" when none
  std::string data;  // the message as received (headers and body), dot-unstuffed, CRLF line ends
  std::string header(const std::string& name) const {
    const std::string key = name + ": ";
    std::size_t at = 0;
    while (at < data.size()) {
      const std::size_t end = data.find("\r\n", at);
      const std::string line = data.substr(at, end == std::string::npos ? std::string::npos : end - at);
      if (line.empty()) break;
      if (line.compare(0, key.size(), key) == 0) return line.substr(key.size());
      if (end == std::string::npos) break;
      at = end + 2;
    }
    return "";
  }
  std::string body() const {
    const auto p = data.find("\r\n\r\n");
    return p == std::string::npos ? std::string() : data.substr(p + 4);
  }
};

class SmtpStandin {
 public:
  std::function<void(const ReceivedMail&)> on_mail;  // set before start(); runs on a connection thread
  int fail_rcpt = 0;

  ~SmtpStandin() { stop(); }

  // Listens on 127.0.0.1:port (0 = any free port); returns the port, 0 on failure.
  std::uint16_t start(std::uint16_t port = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return 0;
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0) return 0;
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_ = std::thread([this] { accept_loop(); });
    return port_;
  }

  void stop() {
    if (stopping_.exchange(true)) return;
    if (fd_ >= 0) {
      ::shutdown(fd_, SHUT_RDWR);
      ::close(fd_);
    }
    if (accept_.joinable()) accept_.join();
    std::vector<std::thread> ts;
    {
      std::lock_guard l(mu_);
      for (int c : clients_) ::shutdown(c, SHUT_RDWR);
      ts.swap(threads_);
    }
    for (auto& t : ts) t.join();
  }

  std::uint16_t port() const { return port_; }
  std::vector<ReceivedMail> received() const {
    std::lock_guard l(mu_);
    return mails_;
  }
  std::size_t count() const {
    std::lock_guard l(mu_);
    return mails_.size();
  }
  int rcpt_refused() const { return refused_.load(); }

 private:
  void accept_loop() {
    while (!stopping_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard l(mu_);
      clients_.push_back(c);
      threads_.emplace_back([this, c] { serve(c); ::close(c); });
    }
  }

  static bool send_all(int c, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(c, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  static std::string upper(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
  }

  static std::string unbase64(const std::string& in) {
    std::string out;
    int val = 0, bits = -8;
    for (unsigned char ch : in) {
      int d;
      if (ch >= 'A' && ch <= 'Z') d = ch - 'A';
      else if (ch >= 'a' && ch <= 'z') d = ch - 'a' + 26;
      else if (ch >= '0' && ch <= '9') d = ch - '0' + 52;
      else if (ch == '+') d = 62;
      else if (ch == '/') d = 63;
      else break;
      val = (val << 6) + d;
      bits += 6;
      if (bits >= 0) {
        out.push_back(static_cast<char>((val >> bits) & 0xff));
        bits -= 8;
      }
    }
    return out;
  }

  static std::string angle(const std::string& arg) {
    const auto a = arg.find('<'), b = arg.find('>');
    if (a == std::string::npos || b == std::string::npos || b < a) return arg;
    return arg.substr(a + 1, b - a - 1);
  }

  void serve(int c) {
    std::string buf;
    auto read_line = [&](std::string& line) {
      for (;;) {
        const auto p = buf.find("\r\n");
        if (p != std::string::npos) {
          line = buf.substr(0, p);
          buf.erase(0, p + 2);
          return true;
        }
        char tmp[4096];
        ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return false;
        buf.append(tmp, static_cast<std::size_t>(n));
        if (buf.size() > 1 << 20) return false;
      }
    };
    if (!send_all(c, "220 parley-smtp-standin ESMTP\r\n")) return;
    ReceivedMail cur;
    std::string auth;
    std::string line;
    while (read_line(line)) {
      const std::string verb = upper(line.substr(0, line.find(' ')));
      const std::string arg = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
      if (verb == "EHLO") {
        send_all(c, "250-parley-smtp-standin\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SIZE 10485760\r\n");
      } else if (verb == "HELO") {
        send_all(c, "250 parley-smtp-standin\r\n");
      } else if (verb == "AUTH") {
        const std::string token = arg.size() > 6 ? arg.substr(6) : "";
        const std::string plain = unbase64(token);
        const auto z1 = plain.find('\0');
        const auto z2 = z1 == std::string::npos ? z1 : plain.find('\0', z1 + 1);
        if (upper(arg.substr(0, 5)) != "PLAIN" || z2 == std::string::npos) {
          send_all(c, "504 only AUTH PLAIN with an initial response\r\n");
        } else {
          auth = plain.substr(z1 + 1, z2 - z1 - 1);
          send_all(c, "235 2.7.0 authenticated\r\n");
        }
      } else if (verb == "MAIL") {
        cur = ReceivedMail{};
        cur.from = angle(arg);
        cur.auth = auth;
        send_all(c, "250 2.1.0 ok\r\n");
      } else if (verb == "RCPT") {
        bool refuse = false;
        {
          std::lock_guard l(mu_);
          if (refused_ < fail_rcpt) {
            ++refused_;
            refuse = true;
          }
        }
        if (refuse) {
          send_all(c, "451 4.3.0 try again later\r\n");
        } else {
          cur.to.push_back(angle(arg));
          send_all(c, "250 2.1.5 ok\r\n");
        }
      } else if (verb == "DATA") {
        if (cur.to.empty()) {
          send_all(c, "503 5.5.1 no recipients\r\n");
          continue;
        }
        send_all(c, "354 end with <CRLF>.<CRLF>\r\n");
        std::string data, l2;
        bool ok = false;
        while (read_line(l2)) {
          if (l2 == ".") {
            ok = true;
            break;
          }
          if (!l2.empty() && l2[0] == '.') l2.erase(0, 1);
          data += l2 + "\r\n";
        }
        if (!ok) return;
        cur.data = data;
        {
          std::lock_guard l(mu_);
          mails_.push_back(cur);
        }
        if (on_mail) on_mail(cur);
        send_all(c, "250 2.0.0 queued as standin-" + std::to_string(count()) + "\r\n");
        cur = ReceivedMail{};
      } else if (verb == "RSET") {
        cur = ReceivedMail{};
        send_all(c, "250 ok\r\n");
      } else if (verb == "NOOP") {
        send_all(c, "250 ok\r\n");
      } else if (verb == "QUIT") {
        send_all(c, "221 bye\r\n");
        return;
      } else {
        send_all(c, "502 5.5.2 command not recognised\r\n");
      }
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> refused_{0};
  std::thread accept_;
  mutable std::mutex mu_;
  std::vector<int> clients_;
  std::vector<std::thread> threads_;
  std::vector<ReceivedMail> mails_;
};

}  // namespace parley::standin
