// Staff lists are paged: the inbox.snapshot sent on connect holds the first page of the queue and
// the totals, and inbox.list hands out the rest one acknowledged page at a time, so a long queue
// never becomes one frame larger than a socket's send-queue cap (docs/protocol.md "inbox.list").
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "harness.hpp"

using namespace parley::it;

TEST_CASE("a long queue reaches staff as a first page in the snapshot plus inbox.list pages") {
  constexpr std::size_t kPending = 450;
  // A small send-queue cap: the whole queue (about 400 bytes an item) would not fit in one frame.
  Relay relay(RelayOptions::with_args(
      {"--send-queue-cap", "131072", "--rate", "100000", "--burst", "100000", "--synchronous", "normal"}));
  auto r = relay.ctl({"tenant", "set", "assistant_enabled", "false"});
  REQUIRE(r.exit_code == 0);
  relay.start();

  // Started one at a time, so the customer's own socket never queues more than a few frames.
  Customer cust = Customer::connect(relay);
  std::set<std::string> started;
  for (std::size_t i = 0; i < kPending; ++i) {
    started.insert(
        cust.start({{"name", "Waiting customer " + std::to_string(i)}, {"topic", "A topic long enough to weigh"}}));
  }
  REQUIRE(started.size() == kPending);

  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  REQUIRE(admin.snapshot["queue"].is_array());
  CHECK(admin.snapshot["queue_total"] == kPending);
  CHECK(admin.snapshot["queue"].size() == 200);  // the first page only

  std::set<std::string> seen;
  for (const Json& item : admin.snapshot["queue"]) seen.insert(item["id"].get<std::string>());
  // The rest by offset, one acknowledged page at a time.
  std::size_t offset = admin.snapshot["queue"].size();
  while (offset < kPending) {
    auto page = admin->request(cmd("inbox.list", {{"list", "queue"}, {"offset", offset}, {"limit", 100}}));
    REQUIRE(page.ok());
    CHECK(page.data()["total"] == kPending);
    const Json& items = page.data()["items"];
    REQUIRE(items.is_array());
    REQUIRE(!items.empty());
    for (const Json& item : items) {
      CHECK(item["status"] == "pending");
      seen.insert(item["id"].get<std::string>());
    }
    offset += items.size();
  }
  CHECK(seen == started);  // every waiting conversation, each once
  CHECK_FALSE(admin->closed());

  // Beyond the limit is a content error; the connection stays usable.
  auto too_big = admin->request(cmd("inbox.list", {{"list", "queue"}, {"limit", 501}}));
  CHECK(too_big.code() == "bad_field");
  // Lists are for staff only.
  auto refused = cust->request(cmd("inbox.list", {{"list", "queue"}}));
  CHECK(refused.code() == "forbidden");
  flush(*admin.ws);
}
