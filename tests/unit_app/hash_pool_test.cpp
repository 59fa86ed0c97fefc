// Unit tests of the dedicated password-hashing pool (relay/src/app/auth/hash_pool.hpp). Counters
// only, no timing: a job blocks on a promise until the test releases it.
#include "app/auth/hash_pool.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

using namespace parley::relay::auth;

namespace {

// Submits a job that signals when it starts and then waits for `release`.
void submit_blocker(HashPool& pool, std::promise<void>& started, std::shared_future<void> release) {
  REQUIRE(pool.submit([&started, release] {
    started.set_value();
    release.wait();
  }));
}

}  // namespace

TEST_CASE("hash pool: a bounded queue refuses beyond its size, then runs everything it accepted") {
  HashPool pool(HashPoolOptions{1, 16});
  std::promise<void> started, release;
  std::shared_future<void> go = release.get_future().share();
  submit_blocker(pool, started, go);
  started.get_future().wait();  // the only thread is busy now
  CHECK(pool.running() == 1);

  std::atomic<int> done{0};
  int accepted = 0;
  for (int i = 0; i < 200; ++i) {  // a login storm
    if (pool.submit([&done] { ++done; })) ++accepted;
  }
  CHECK(accepted == 16);
  CHECK(pool.queued() == 16);
  CHECK(pool.rejected() == 184);

  release.set_value();
  while (pool.ran() < 17) std::this_thread::yield();
  CHECK(done.load() == 16);
  CHECK(pool.queued() == 0);
  CHECK(pool.accepted() == 17);
  // Room again after the storm.
  CHECK(pool.submit([] {}));
  while (pool.ran() < 18) std::this_thread::yield();
  pool.stop();
  CHECK(pool.dropped() == 0);
}

TEST_CASE("hash pool: a throwing job is counted and the thread keeps serving") {
  HashPool pool;
  CHECK(pool.submit([] { throw std::runtime_error("boom"); }));
  std::promise<void> ok;
  auto f = ok.get_future();
  CHECK(pool.submit([&ok] { ok.set_value(); }));
  f.wait();
  while (pool.ran() < 2) std::this_thread::yield();
  CHECK(pool.failed() == 1);
}

TEST_CASE("hash pool: stop drops queued jobs, refuses new ones and joins") {
  HashPool pool(HashPoolOptions{1, 4});
  std::promise<void> started, release;
  std::shared_future<void> go = release.get_future().share();
  submit_blocker(pool, started, go);
  started.get_future().wait();
  std::atomic<int> ran_after{0};
  for (int i = 0; i < 4; ++i) CHECK(pool.submit([&ran_after] { ++ran_after; }));
  std::thread stopper([&pool] { pool.stop(); });
  release.set_value();
  stopper.join();
  CHECK(pool.dropped() + static_cast<std::uint64_t>(ran_after.load()) == 4);
  CHECK_FALSE(pool.submit([] {}));
  pool.stop();  // idempotent
}
