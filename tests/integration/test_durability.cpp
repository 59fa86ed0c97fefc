// Durability: what was acknowledged survives kill -9 (docs/protocol.md "Persist, then acknowledge").
#include <doctest/doctest.h>

#include <map>

#include "harness.hpp"

using namespace parley::it;

TEST_CASE("durability: 200 acknowledged messages survive kill -9, in order, once") {
  constexpr int kN = 200;
  // Pipelined sends: lift the per-connection rate limit for this test.
  Relay relay(RelayOptions::with_args({"--rate", "100000", "--burst", "100000", "--synchronous", "full"}));
  relay.start();
  Customer cust = Customer::connect(relay);
  const std::string cid = cust.start({{"name", "Dora"}});

  std::vector<std::string> ids;
  for (int i = 0; i < kN; ++i) {
    ids.push_back(cust->send_command(cmd("chat.send_message", {{"conversation_id", cid},
                                                               {"client_msg_id", "d-" + std::to_string(i)},
                                                               {"text", "durable " + std::to_string(i)}})));
  }
  std::vector<std::int64_t> acked;
  for (const auto& id : ids) {
    auto r = cust->wait_reply(id);
    INFO("reply: " << r.frame.dump());
    REQUIRE(r.ok());
    acked.push_back(r.data().value("seq", 0));
  }
  for (std::size_t i = 1; i < acked.size(); ++i) CHECK(acked[i] > acked[i - 1]);

  cust->drop();
  relay.kill9();
  relay.start();  // same data directory

  Customer back = Customer::connect(relay, cust.token);
  CHECK_FALSE(back.hello_ack.value("new_visitor", true));
  auto resume = back->request(cmd("chat.resume", {{"conversation_id", cid}, {"after_seq", 0}}));
  REQUIRE(resume.ok());
  CHECK(resume.data().value("head_seq", 0) >= acked.back());

  std::vector<std::string> texts;
  std::map<std::string, int> seen;
  std::int64_t last = 0;
  for (const auto& f : events_of(resume.before, cid)) {
    CHECK(f.value("seq", 0) > last);
    last = f.value("seq", 0);
    const Json& m = message_of(f);
    const std::string cmid = m.is_object() ? m.value("client_msg_id", "") : "";
    if (cmid.rfind("d-", 0) == 0) {
      texts.push_back(m.value("text", ""));
      CHECK(m.value("seq", f.value("seq", 0)) == f.value("seq", 0));
      ++seen[cmid];
    }
  }
  REQUIRE(texts.size() == static_cast<std::size_t>(kN));
  for (int i = 0; i < kN; ++i) CHECK(texts[static_cast<std::size_t>(i)] == "durable " + std::to_string(i));
  for (const auto& [cmid, n] : seen) CHECK_MESSAGE(n == 1, cmid);

  // And the acknowledged seqs are the stored ones.
  auto stored = stored_messages(relay, cid);
  std::map<std::string, std::int64_t> seq_of;
  for (const auto& m : stored) seq_of[m.client_msg_id] = m.seq;
  for (int i = 0; i < kN; ++i) CHECK(seq_of["d-" + std::to_string(i)] == acked[static_cast<std::size_t>(i)]);
}
