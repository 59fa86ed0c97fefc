// A staff connection always gets its inbox.snapshot, however long the queue: the snapshot is the
// answer to connecting, not a slow client's backlog (docs/protocol.md "Connecting").
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace parley::it;

TEST_CASE("inbox.snapshot larger than the send-queue cap still reaches a staff socket") {
  constexpr int kPending = 40;
  // The smallest send-queue cap (4 KiB) stands in for the default 1 MiB, which a queue of about
  // 1500 pending conversations exceeds.
  Relay relay(RelayOptions::with_args({"--send-queue-cap", "4096", "--rate", "100000", "--burst", "100000"}));
  auto r = relay.ctl({"tenant", "set", "assistant_enabled", "false"});
  REQUIRE(r.exit_code == 0);
  relay.start();

  // One at a time, so this customer's own socket never queues more than a few frames.
  Customer cust = Customer::connect(relay);
  for (int i = 0; i < kPending; ++i) {
    cust.start(
        {{"name", "Waiting customer " + std::to_string(i)}, {"topic", "A topic long enough to weigh"}});
  }

  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  REQUIRE(admin.snapshot["queue"].is_array());
  CHECK(admin.snapshot["queue"].size() == static_cast<std::size_t>(kPending));
  flush(*admin.ws);
}
