// Unit tests of the per-address token buckets (relay/src/app/live/address_limits.hpp): the limit
// on rows anonymous input creates and on REST work, bounded in memory. Times are passed in.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "app/live/address_limits.hpp"

using namespace parley::relay;
using namespace std::chrono_literals;

namespace {
const SteadyClock::time_point kT0 = SteadyClock::time_point{} + 100h;
}

TEST_CASE("address limits: a burst, then the sustained rate") {
  AddressLimits lim(/*rate=*/2, /*burst=*/5, /*capacity=*/100);
  int taken = 0;
  for (int i = 0; i < 20; ++i) taken += lim.take("10.0.0.1", kT0) ? 1 : 0;
  CHECK(taken == 5);
  CHECK(lim.refused() == 15);
  // One second later: two more tokens (rate 2/s), not more.
  taken = 0;
  for (int i = 0; i < 10; ++i) taken += lim.take("10.0.0.1", kT0 + 1s) ? 1 : 0;
  CHECK(taken == 2);
  // A long pause refills up to the burst only.
  taken = 0;
  for (int i = 0; i < 20; ++i) taken += lim.take("10.0.0.1", kT0 + 1h) ? 1 : 0;
  CHECK(taken == 5);
}

TEST_CASE("address limits: each address has its own bucket") {
  AddressLimits lim(1, 2, 100);
  CHECK(lim.take("a", kT0));
  CHECK(lim.take("a", kT0));
  CHECK_FALSE(lim.take("a", kT0));
  CHECK(lim.take("b", kT0));  // another address is not affected
  CHECK(lim.take("b", kT0));
  CHECK_FALSE(lim.take("b", kT0));
  CHECK(lim.size() == 2);
}

TEST_CASE("address limits: at most `capacity` addresses; the least recently used is forgotten") {
  AddressLimits lim(1, 1, 3);
  CHECK(lim.take("a", kT0));
  CHECK(lim.take("b", kT0));
  CHECK(lim.take("c", kT0));
  CHECK_FALSE(lim.take("a", kT0));  // "a" used again: most recent now, and empty
  CHECK(lim.size() == 3);
  CHECK(lim.take("d", kT0));  // evicts "b" (least recently used), not "a"
  CHECK(lim.size() == 3);
  CHECK_FALSE(lim.take("a", kT0));  // "a" was kept: still empty
  CHECK(lim.take("b", kT0));        // "b" was forgotten: starts again with a full bucket
  CHECK(lim.size() == 3);
  // Flooding with new addresses never grows the map.
  for (int i = 0; i < 10'000; ++i) lim.take("flood" + std::to_string(i), kT0);
  CHECK(lim.size() == 3);
}
