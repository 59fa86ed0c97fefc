// The mail worker (mail_queue.hpp).
#include "app/mail/mail_queue.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace parley::relay {

namespace {
std::string domain_of(const std::string& to) {
  const auto at = to.find('@');
  return at == std::string::npos ? std::string() : to.substr(at + 1);
}
}  // namespace

MailQueue::MailQueue(std::unique_ptr<Mailer> mailer, int max_attempts, int backoff_ms)
    : mailer_(std::move(mailer)), max_attempts_(std::max(1, max_attempts)), backoff_ms_(std::max(1, backoff_ms)) {
  if (mailer_) worker_ = std::thread([this] { run(); });
}

MailQueue::~MailQueue() { stop(); }

void MailQueue::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (!jobs_.empty()) log::warn("mail not sent before stopping", {{"count", jobs_.size()}});
}

bool MailQueue::enqueue(Mail mail) {
  if (!mailer_) return false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    jobs_.push_back(Job{std::move(mail), 0, {}});
    ++counters_.queued;
  }
  cv_.notify_one();
  return true;
}

MailCounters MailQueue::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void MailQueue::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (jobs_.empty()) {
      cv_.wait(lock);
      continue;
    }
    // The job due first (retries wait; new mail does not wait behind them).
    auto due = std::min_element(jobs_.begin(), jobs_.end(),
                                [](const Job& a, const Job& b) { return a.not_before < b.not_before; });
    const auto now = std::chrono::steady_clock::now();
    if (due->not_before > now) {
      cv_.wait_until(lock, due->not_before);
      continue;
    }
    Job job = std::move(*due);
    jobs_.erase(due);
    lock.unlock();
    auto r = mailer_->send(job.mail);
    ++job.attempts;
    lock.lock();
    if (r) {
      ++counters_.sent;
      log::info("mail sent", {{"kind", job.mail.kind}, {"tenant", job.mail.tenant_id},
                              {"domain", domain_of(job.mail.to)}, {"reply", r.value()}});
      continue;
    }
    ++counters_.attempts_failed;
    const bool transient = r.error().code == ErrorCode::unavailable;
    if (!transient || job.attempts >= max_attempts_) {
      ++counters_.given_up;
      log::error("mail given up", {{"kind", job.mail.kind}, {"tenant", job.mail.tenant_id},
                                   {"domain", domain_of(job.mail.to)}, {"attempts", job.attempts},
                                   {"error", r.error().message}});
      continue;
    }
    int delay = backoff_ms_;
    for (int i = 1; i < job.attempts; ++i) delay = std::min(delay * 4, 3'600'000);
    log::warn("mail attempt failed; retrying", {{"kind", job.mail.kind}, {"domain", domain_of(job.mail.to)},
                                                {"attempt", job.attempts}, {"retry_in_ms", delay},
                                                {"error", r.error().message}});
    job.not_before = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay);
    jobs_.push_back(std::move(job));
  }
}

}  // namespace parley::relay
