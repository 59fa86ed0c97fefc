// The durable outbox's worker (outbox.hpp).
#include "app/channels/outbox.hpp"

#include <algorithm>
#include <chrono>
#include <future>

#include "core/log.hpp"

namespace parley::relay {

Outbox::Outbox(DataStore& store, Clock now, std::function<void(const OutboxJob&)> on_update)
    : store_(store), now_(std::move(now)), on_update_(std::move(on_update)) {}

Outbox::~Outbox() { stop(); }

void Outbox::add_sender(std::unique_ptr<ChannelSender> sender) { senders_.push_back(std::move(sender)); }

ChannelSender* Outbox::sender_of(const std::string& channel) {
  for (auto& s : senders_) {
    if (s->channel() == channel) return s.get();
  }
  return nullptr;
}

std::optional<Error> Outbox::start() {
  auto reader = store_.open_reader();
  if (!reader) return reader.error();
  auto jobs = (*reader)->open_outbox_jobs();
  if (!jobs) return jobs.error();
  reader->reset();
  const Millis now = now_();
  std::vector<OutboxJob> settled;
  {
    std::lock_guard lock(mu_);
    for (OutboxJob& j : *jobs) {
      if (j.state == OutboxState::sending) {
        ChannelSender* s = sender_of(j.channel);
        if (s && s->idempotent()) {
          j.state = OutboxState::pending;
        } else {
          j.state = OutboxState::unknown;
          j.delivery = "unknown";
          j.last_error = "the relay stopped while this message was being sent: it may or may not have arrived";
          j.updated_at = now;
          settled.push_back(j);
          continue;
        }
      }
      lanes_[j.lane].push_back(std::move(j));
      ++counters_.queued;
    }
    started_ = true;
  }
  for (const OutboxJob& j : settled) {
    if (persist(j)) {
      ++counters_.unknown;
      log::warn("outbox: a send was interrupted by a restart; marked unknown",
                {{"job", j.id}, {"channel", j.channel}, {"conversation", j.conversation_id}});
      if (on_update_) on_update_(j);
    }
  }
  worker_ = std::thread([this] { run(); });
  return std::nullopt;
}

void Outbox::enqueue(OutboxJob job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    lanes_[job.lane].push_back(std::move(job));
    ++counters_.queued;
  }
  cv_.notify_all();
}

void Outbox::poke() { cv_.notify_all(); }

void Outbox::signal(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !started_) return;
    if (signals_.size() >= kMaxSignals) {
      ++counters_.signals_dropped;
      return;
    }
    signals_.push_back(std::move(task));
  }
  cv_.notify_all();
}

OutboxCounters Outbox::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

std::size_t Outbox::backlog() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [lane, q] : lanes_) n += q.size();
  return n;
}

void Outbox::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

bool Outbox::persist(const OutboxJob& job, bool insert) {
  std::promise<std::optional<Error>> done;
  auto f = done.get_future();
  Mutation m = insert ? Mutation(InsertOutboxJob{job}) : Mutation(UpdateOutboxJob{job});
  store_.write(std::move(m), [&done](const std::optional<Error>& e) { done.set_value(e); });
  const std::optional<Error> e = f.get();
  if (e) {
    std::lock_guard lock(mu_);
    ++counters_.store_errors;
    log::error("outbox: could not store a job's state", {{"job", job.id}, {"error", e->message}});
    return false;
  }
  return true;
}

void Outbox::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (!signals_.empty()) {
      std::function<void()> task = std::move(signals_.front());
      signals_.pop_front();
      ++counters_.signals;
      lock.unlock();
      task();
      lock.lock();
      continue;
    }
    const Millis now = now_();
    // The head of every lane: due now, or the soonest it will be.
    std::string lane_to_send;
    Millis wait = 60'000;
    for (auto it = lanes_.begin(); it != lanes_.end();) {
      if (it->second.empty()) {
        it = lanes_.erase(it);
        continue;
      }
      OutboxJob& head = it->second.front();
      ChannelSender* s = sender_of(head.channel);
      if (!s) {  // no sender for this channel in this build: it stays pending in the table
        ++it;
        continue;
      }
      Millis w = head.next_attempt_at > now ? head.next_attempt_at - now : 0;
      if (w == 0) {
        lock.unlock();
        w = s->ready_in(head, now);
        lock.lock();
        if (stopping_) return;
      }
      if (w == 0) {
        lane_to_send = it->first;
        break;
      }
      wait = std::min(wait, w);
      ++it;
    }
    if (lane_to_send.empty()) {
      cv_.wait_for(lock, std::chrono::milliseconds(std::max<Millis>(1, wait)));
      continue;
    }
    auto lane_it = lanes_.find(lane_to_send);
    if (lane_it == lanes_.end() || lane_it->second.empty()) continue;
    OutboxJob job = lane_it->second.front();
    ChannelSender* sender = sender_of(job.channel);
    lock.unlock();

    // `sending` is committed before the request goes out (a restart then knows it may have left).
    job.state = OutboxState::sending;
    job.attempts += 1;
    job.updated_at = now_();
    if (!persist(job)) {
      lock.lock();
      if (auto l = lanes_.find(lane_to_send); l != lanes_.end() && !l->second.empty()) {
        l->second.front().next_attempt_at = now_() + 1000;
      }
      continue;
    }
    const ChannelSender::Result r = sender->send(job);
    job.updated_at = now_();
    job.error_code = r.code;
    job.error_class = r.error_class;
    job.last_error = r.error;
    bool settled = true;
    switch (r.state) {
      case OutboxState::sent:
        job.state = OutboxState::sent;
        job.provider_id = r.provider_id;
        if (job.delivery == "pending" || job.delivery == "unknown") job.delivery = "sent";
        job.last_error.clear();
        break;
      case OutboxState::failed:
        job.state = OutboxState::failed;
        job.delivery = "failed";
        break;
      case OutboxState::unknown:
      case OutboxState::sending:
        job.state = OutboxState::unknown;
        job.delivery = "unknown";
        break;
      case OutboxState::pending:
        job.state = OutboxState::pending;
        job.next_attempt_at = job.updated_at + std::max<Millis>(1, r.retry_in_ms);
        settled = false;
        break;
    }
    persist(job);
    if (on_update_ && (settled || job.attempts == 1)) on_update_(job);
    lock.lock();
    ++counters_.attempts;
    if (settled) {
      if (job.state == OutboxState::sent) ++counters_.sent;
      if (job.state == OutboxState::failed) ++counters_.failed;
      if (job.state == OutboxState::unknown) ++counters_.unknown;
    } else {
      ++counters_.retries;
    }
    auto l = lanes_.find(lane_to_send);
    if (l == lanes_.end() || l->second.empty()) continue;
    if (settled) {
      l->second.pop_front();
    } else {
      l->second.front() = job;
    }
  }
}

}  // namespace parley::relay
