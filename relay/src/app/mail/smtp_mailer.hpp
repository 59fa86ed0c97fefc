// relay/src/app/mail/smtp_mailer.hpp: Mailer over plain SMTP (RFC 5321) with Boost.Asio.
//
// One connection per mail: greeting, EHLO, optional STARTTLS (OpenSSL; then EHLO again),
// optional AUTH PLAIN (only over TLS unless allow_plain_auth), MAIL FROM, RCPT TO, DATA (dot-stuffed,
// CRLF line ends, UTF-8 body as 8bit with a MIME header), QUIT. Every step is bounded by
// `timeout_ms` (the whole exchange). Threads: as Mailer (one caller at a time; blocks).
// Errors: unavailable for transient failures (connect, timeout, 4xx), bad_field for 5xx.
#pragma once

#include <string>

#include "app/mail/mailer.hpp"

namespace parley::relay {

struct SmtpConfig {
  std::string host;  // "" = mail is off
  int port = 25;
  std::string from = "parley@localhost";
  std::string helo = "parley.local";
  std::string user, password;  // AUTH PLAIN when user is set
  bool starttls = false;       // require STARTTLS
  bool allow_plain_auth = false;  // AUTH over an unencrypted connection (loopback tests)
  int timeout_ms = 15000;
};

class SmtpMailer : public Mailer {
 public:
  explicit SmtpMailer(SmtpConfig config) : config_(std::move(config)) {}
  Result<std::string> send(const Mail& mail) override;

 private:
  SmtpConfig config_;
};

}  // namespace parley::relay
