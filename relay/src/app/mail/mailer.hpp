// relay/src/app/mail/mailer.hpp: outgoing email behind one small interface (DESIGN.md rule 4).
//
// What goes out: the reply to an offline message, a transcript on request, staff mail (password
// resets, invitations). The app never talks SMTP itself: it builds a Mail and hands it to the
// MailQueue (mail_queue.hpp), which calls Mailer::send on ITS OWN worker thread, never on the
// loop thread, with retries and backoff.
//
// Contract of Mailer::send:
//  - Threads: called from one thread at a time (the queue's worker); it may block (network) but
//    must give up within the implementation's configured timeout.
//  - Result: the server's final reply line on success; on failure an Error whose code tells the
//    queue what to do: ErrorCode::unavailable = transient (connection refused, timeout, 4xx reply:
//    retry later), ErrorCode::bad_field = permanent (a 5xx reply to the recipient or the content,
//    a malformed address: do not retry).
//  - Ownership: the Mail is the caller's; send() keeps nothing of it after returning.
//  - No exceptions leave send().
#pragma once

#include <string>

#include "parley/offline.hpp"
#include "parley/result.hpp"

namespace parley::relay {

struct Mail {
  std::string to;       // one address, already validated (valid_email)
  std::string subject;  // one line (CR/LF are replaced by spaces when sent)
  std::string body;     // plain text, UTF-8
  std::string tenant_id;  // for logs
  std::string kind;       // "offline_reply", "transcript", "password_reset": for logs and counters
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual Result<std::string> send(const Mail& mail) = 0;
};

// Addresses are checked with parley::valid_email (parley/offline.hpp) before they are queued.
using parley::valid_email;

}  // namespace parley::relay
