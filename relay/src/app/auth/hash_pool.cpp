// relay/src/app/auth/hash_pool.cpp: see hash_pool.hpp.
#include "app/auth/hash_pool.hpp"

#include <utility>

namespace parley::relay::auth {

HashPool::HashPool(HashPoolOptions options) : options_(options) {
  if (options_.threads == 0) options_.threads = 1;
  threads_.reserve(options_.threads);
  for (std::size_t i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { serve(); });
}

HashPool::~HashPool() { stop(); }

bool HashPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && job && queue_.size() < options_.max_queue) {
      queue_.push_back(std::move(job));
      ++accepted_;
      cv_.notify_one();
      return true;
    }
    ++rejected_;
  }
  // `job` is destroyed here, outside the lock (its captures may do work when destroyed).
  return false;
}

void HashPool::stop() {
  std::deque<std::function<void()>> left;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    dropped_ += queue_.size();
    left.swap(queue_);
    cv_.notify_all();
  }
  left.clear();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  threads_.clear();
}

void HashPool::serve() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    bool threw = false;
    try {
      job();
    } catch (...) {
      threw = true;
    }
    job = nullptr;  // destroy captures on this thread, before counting the job as done
    std::lock_guard lock(mu_);
    --running_;
    ++ran_;
    if (threw) ++failed_;
  }
}

std::size_t HashPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}
std::size_t HashPool::running() const {
  std::lock_guard lock(mu_);
  return running_;
}
std::uint64_t HashPool::accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}
std::uint64_t HashPool::rejected() const {
  std::lock_guard lock(mu_);
  return rejected_;
}
std::uint64_t HashPool::ran() const {
  std::lock_guard lock(mu_);
  return ran_;
}
std::uint64_t HashPool::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}
std::uint64_t HashPool::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace parley::relay::auth
