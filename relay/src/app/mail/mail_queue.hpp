// relay/src/app/mail/mail_queue.hpp: sends mail off the loop thread, with retries.
//
// Threads: enqueue() and counters() are thread-safe and never block on the network (the loop
// thread calls enqueue). The queue owns ONE worker thread that calls Mailer::send, one mail at a
// time; a transient failure (ErrorCode::unavailable) is retried after `backoff_ms`, then 4x, 16x
// ... up to `max_attempts` attempts in all; a permanent one (anything else) is not retried. Every
// failed attempt is logged (recipient's domain only, never the body); a mail given up is logged
// as an error. Mail is not durable: mail still queued when the relay stops is logged and lost
// (issue 9 leaves a durable outbox for later; the offline message itself is stored, only its
// reply mail is at risk).
// Ownership: the queue owns its Mailer. stop() (or the destructor) wakes the worker and joins it
// after the attempt in progress (bounded by the Mailer's timeout).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "app/mail/mailer.hpp"

namespace parley::relay {

struct MailCounters {
  std::uint64_t queued = 0, sent = 0, attempts_failed = 0, given_up = 0;
};

class MailQueue {
 public:
  MailQueue(std::unique_ptr<Mailer> mailer, int max_attempts = 4, int backoff_ms = 2000);
  ~MailQueue();
  MailQueue(const MailQueue&) = delete;
  MailQueue& operator=(const MailQueue&) = delete;

  // False (and nothing queued) when there is no mailer or the queue has stopped.
  bool enqueue(Mail mail);
  bool enabled() const { return mailer_ != nullptr; }
  MailCounters counters() const;
  void stop();

 private:
  struct Job {
    Mail mail;
    int attempts = 0;
    std::chrono::steady_clock::time_point not_before{};
  };
  void run();

  std::unique_ptr<Mailer> mailer_;
  int max_attempts_, backoff_ms_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  MailCounters counters_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace parley::relay
