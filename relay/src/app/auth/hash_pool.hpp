// relay/src/app/auth/hash_pool.hpp: a small dedicated thread pool for password hashing (argon2id
// verifications and hashes). It is separate from the REST worker pool so that a login storm cannot
// delay REST reads: at most `threads` hashes run at once and at most `max_queue` wait; beyond that
// submit() refuses at once and the caller answers 503 "busy, retry".
//
// Threads: submit() and the counters may be called from any thread. Jobs run on the pool's own
// threads, one at a time per thread, in submission order; a job must not block on the caller's
// thread (post its result back, e.g. to the hub's loop). A job that throws is caught and counted
// in failed(); the thread keeps serving.
// Ownership: the pool owns queued jobs. stop() (also run by the destructor) refuses new jobs, lets
// the jobs already running finish, destroys the jobs still queued without running them (counted
// in dropped()), and joins the threads. Call it before destroying whatever the jobs point into.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace parley::relay::auth {

struct HashPoolOptions {
  std::size_t threads = 1;     // at least 1
  std::size_t max_queue = 16;  // jobs waiting (not counting those running); 0 = none may wait
};

class HashPool {
 public:
  explicit HashPool(HashPoolOptions options = {});
  ~HashPool();
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // Queues `job`. False (and `job` is destroyed without running) when the queue is full or the
  // pool is stopped.
  bool submit(std::function<void()> job);

  void stop();

  // Counters (any thread).
  std::size_t queued() const;      // waiting now
  std::size_t running() const;     // running now
  std::uint64_t accepted() const;  // submit() returned true
  std::uint64_t rejected() const;  // submit() returned false
  std::uint64_t ran() const;       // finished running (including those that threw)
  std::uint64_t failed() const;    // threw
  std::uint64_t dropped() const;   // queued at stop(), never run
  const HashPoolOptions& options() const { return options_; }

 private:
  void serve();

  HashPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
  std::size_t running_ = 0;
  std::uint64_t accepted_ = 0, rejected_ = 0, ran_ = 0, failed_ = 0, dropped_ = 0;
};

}  // namespace parley::relay::auth
