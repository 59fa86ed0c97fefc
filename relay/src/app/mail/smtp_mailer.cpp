// SMTP over Boost.Asio (smtp_mailer.hpp).
#include "app/mail/smtp_mailer.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <optional>

namespace parley::relay {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += t[v >> 18 & 63];
    out += t[v >> 12 & 63];
    out += t[v >> 6 & 63];
    out += t[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += t[v >> 18 & 63];
    out += t[v >> 12 & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += t[v >> 18 & 63];
    out += t[v >> 12 & 63];
    out += t[v >> 6 & 63];
    out += '=';
  }
  return out;
}

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

// The body with CRLF line ends and leading dots doubled (RFC 5321 4.5.2).
std::string dot_stuffed(const std::string& body) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\r') continue;
    if (line_start && c == '.') out += '.';
    if (c == '\n') {
      out += "\r\n";
      line_start = true;
      continue;
    }
    out += c;
    line_start = false;
  }
  if (!out.empty() && !line_start) out += "\r\n";
  return out;
}

struct Reply {
  int code = 0;
  std::string text;  // every line, joined by "\n"
};

class Session {
 public:
  Session(const SmtpConfig& c) : c_(c), deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(c.timeout_ms)) {}

  std::optional<Error> connect() {
    tcp::resolver resolver(io_);
    boost::system::error_code ec;
    auto eps = resolver.resolve(c_.host, std::to_string(c_.port), ec);
    if (ec) return transient("cannot resolve " + c_.host + ": " + ec.message());
    return run([&](auto done) { asio::async_connect(sock_, eps, [done](auto e, auto) { done(e, 0); }); }, "connect");
  }

  std::optional<Error> starttls() {
    ctx_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx_->set_default_verify_paths();
    ctx_->set_verify_mode(asio::ssl::verify_peer);
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(sock_, *ctx_);
    SSL_set_tlsext_host_name(tls_->native_handle(), c_.host.c_str());
    tls_->set_verify_callback(asio::ssl::host_name_verification(c_.host));
    return run([&](auto done) { tls_->async_handshake(asio::ssl::stream_base::client, [done](auto e) { done(e, 0); }); },
               "TLS handshake");
  }

  Result<Reply> read_reply() {
    Reply r;
    for (;;) {
      std::size_t n = 0;
      auto e = run(
          [&](auto done) {
            if (tls_)
              asio::async_read_until(*tls_, asio::dynamic_buffer(buf_), "\r\n", done);
            else
              asio::async_read_until(sock_, asio::dynamic_buffer(buf_), "\r\n", done);
          },
          "read", &n);
      if (e) return *e;
      std::string line = buf_.substr(0, n - 2);
      buf_.erase(0, n);
      if (line.size() < 3) return transient("malformed SMTP reply: " + line);
      const int code = std::atoi(line.substr(0, 3).c_str());
      if (!r.text.empty()) r.text += "\n";
      r.text += line.size() > 4 ? line.substr(4) : "";
      r.code = code;
      if (line.size() == 3 || line[3] == ' ') return r;
      if (r.text.size() > 65536) return transient("SMTP reply too long");
    }
  }

  std::optional<Error> write(const std::string& data) {
    return run(
        [&](auto done) {
          if (tls_)
            asio::async_write(*tls_, asio::buffer(data), done);
          else
            asio::async_write(sock_, asio::buffer(data), done);
        },
        "write");
  }

  // Sends `line` (CRLF added) and reads the reply; `want` is the leading digit expected.
  Result<Reply> command(const std::string& line, char want, const std::string& what) {
    if (auto e = write(line + "\r\n")) return *e;
    return expect(want, what);
  }
  Result<Reply> expect(char want, const std::string& what) {
    auto r = read_reply();
    if (!r) return r.error();
    if (r->code / 100 != want - '0') {
      const std::string m = what + " refused: " + std::to_string(r->code) + " " + one_line(r->text);
      return r->code >= 500 ? make_error(ErrorCode::bad_field, m) : transient(m);
    }
    return r;
  }

  void close() {
    boost::system::error_code ec;
    sock_.close(ec);
  }

  static Error transient(std::string m) { return make_error(ErrorCode::unavailable, std::move(m)); }

 private:
  // Runs one asynchronous operation to completion within the session's deadline.
  template <class Start>
  std::optional<Error> run(Start start, const std::string& what, std::size_t* bytes = nullptr) {
    bool done = false;
    boost::system::error_code ec;
    std::size_t n = 0;
    start([&](boost::system::error_code e, std::size_t k) {
      ec = e;
      n = k;
      done = true;
    });
    io_.restart();
    while (!done) {
      const auto left = deadline_ - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) {
        boost::system::error_code ignored;
        sock_.cancel(ignored);
        sock_.close(ignored);
        io_.restart();
        io_.run();  // the cancelled handler runs
        return transient("SMTP " + what + " timed out");
      }
      io_.run_one_for(left);
    }
    if (bytes) *bytes = n;
    if (ec) return transient("SMTP " + what + ": " + ec.message());
    return std::nullopt;
  }

  const SmtpConfig& c_;
  std::chrono::steady_clock::time_point deadline_;
  asio::io_context io_;
  tcp::socket sock_{io_};
  std::unique_ptr<asio::ssl::context> ctx_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  std::string buf_;
};

Result<std::string> deliver(const SmtpConfig& c, const Mail& m) {
  if (c.host.empty()) return make_error(ErrorCode::unavailable, "mail is not configured (--smtp-host)");
  if (!valid_email(m.to)) return make_error(ErrorCode::bad_field, "bad recipient address", "to");
  Session s(c);
  if (auto e = s.connect()) return *e;
  if (auto r = s.expect('2', "greeting"); !r) return r.error();
  auto ehlo = s.command("EHLO " + c.helo, '2', "EHLO");
  if (!ehlo) return ehlo.error();
  bool tls = false;
  if (c.starttls) {
    if (ehlo->text.find("STARTTLS") == std::string::npos) {
      return make_error(ErrorCode::bad_field, "the SMTP server does not offer STARTTLS");
    }
    if (auto r = s.command("STARTTLS", '2', "STARTTLS"); !r) return r.error();
    if (auto e = s.starttls()) return *e;
    tls = true;
    ehlo = s.command("EHLO " + c.helo, '2', "EHLO");
    if (!ehlo) return ehlo.error();
  }
  if (!c.user.empty()) {
    if (!tls && !c.allow_plain_auth) {
      return make_error(ErrorCode::bad_field, "refusing AUTH over an unencrypted connection (set --smtp-starttls)");
    }
    const std::string token = base64(std::string(1, '\0') + c.user + std::string(1, '\0') + c.password);
    if (auto r = s.command("AUTH PLAIN " + token, '2', "AUTH"); !r) return r.error();
  }
  if (auto r = s.command("MAIL FROM:<" + c.from + ">", '2', "MAIL FROM"); !r) return r.error();
  if (auto r = s.command("RCPT TO:<" + m.to + ">", '2', "RCPT TO"); !r) return r.error();
  if (auto r = s.command("DATA", '3', "DATA"); !r) return r.error();
  std::string data;
  data += "From: <" + c.from + ">\r\n";
  data += "To: <" + m.to + ">\r\n";
  data += "Subject: " + one_line(m.subject) + "\r\n";
  data += "MIME-Version: 1.0\r\n";
  data += "Content-Type: text/plain; charset=utf-8\r\n";
  data += "Content-Transfer-Encoding: 8bit\r\n";
  data += "\r\n";
  data += dot_stuffed(m.body);
  data += ".\r\n";
  if (auto e = s.write(data)) return *e;
  auto done = s.expect('2', "message");
  if (!done) return done.error();
  (void)s.command("QUIT", '2', "QUIT");
  s.close();
  return std::to_string(done->code) + " " + one_line(done->text);
}

}  // namespace

Result<std::string> SmtpMailer::send(const Mail& mail) {
  try {
    return deliver(config_, mail);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::unavailable, std::string("SMTP: ") + e.what());
  }
}

}  // namespace parley::relay
