// The inbox model's supervision (issue 9, sup2: client/inbox/sup2_model.cpp): a lead listens in
// on another agent's chat (read-only), reassigns it over REST, sees long waits against the
// tenant's threshold, and opens a search result at its message.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "fake_relay.hpp"
#include "inbox/inbox_model.hpp"

namespace parley::test {
namespace {

using inbox::InboxModel;

struct StorageS2 : inbox::Storage {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key) override { return values.count(key) ? values[key] : ""; }
  void set(const std::string& key, const std::string& value) override { values[key] = value; }
};

constexpr Millis kNow = 1763712000000;

Json item_of(const Conversation& c, const std::string& name) {
  Json it = to_json(c, true);
  it["contact"] = Json{{"id", "k_" + c.id}, {"name", name}, {"email", ""}};
  it["preview"] = "hello";
  return it;
}

struct Lead {
  FakeTransport transport;
  StorageS2 storage;
  int ids = 0;
  InboxModel model{transport, storage, [this] { return "m" + std::to_string(++ids); }};

  explicit Lead(const char* role = "supervisor", std::int64_t threshold_s = 60) {
    model.me_answered({200, std::string(R"({"user":{"id":"u_lead","name":"Lee","username":"lee","role":")") + role +
                                R"("}})",
                       0});
    model.connected(kNow);
    model.received(ack(transport.last("hello")["id"].get<std::string>(), Json::object()), kNow);
    Conversation active = conversation("c_a", Status::active, 5);
    active.assignee_id = "u_a";
    active.assignee_name = "Ann";
    Conversation fresh = conversation("c_new", Status::pending, 2);
    fresh.handed_off_at = kNow - 30 * 1000;
    Conversation old = conversation("c_old", Status::pending, 2);
    old.handed_off_at = kNow - 120 * 1000;
    Json snap{{"user", {{"id", "u_lead"}, {"name", "Lee"}, {"role", role}, {"tenant_id", "t"}}},
              {"queue", Json::array({item_of(old, "Old"), item_of(fresh, "New")})},
              {"mine", Json::array()},
              {"counts", {{"active", 1}, {"waiting", 2}, {"resolved_today", 0}, {"avg_wait_s", 0}}},
              {"server_time", kNow}};
    if (threshold_s > 0) snap["wait_threshold_s"] = threshold_s;
    model.received(encode_notice("inbox.snapshot", snap), kNow);
    active_ = active;
  }
  Conversation active_;
  // Opens the other agent's active chat (as a search result would) and answers its chat.join.
  void open_active(Seq at_match = 0) {
    if (at_match > 0)
      model.open_at("c_a", at_match, kNow);
    else
      model.open("c_a", kNow);
    Json join;
    for (const Json& fr : transport.frames("chat.join")) {
      if (fr["conversation_id"] == "c_a") join = fr;
    }
    REQUIRE(join.is_object());
    model.received(ack(join["id"].get<std::string>(),
                       Json{{"conversation_id", "c_a"}, {"head_seq", 5}, {"conversation", to_json(active_, false)}}),
                   kNow);
  }
};

}  // namespace

TEST_CASE("sup2: the tenant's waiting threshold marks the chats that waited longer") {
  Lead f;
  CHECK(f.model.wait_threshold_ms() == 60 * 1000);
  const auto& q = f.model.queue_rows();
  REQUIRE(q.size() == 2);
  int over = 0;
  for (const inbox::Row& r : q) {
    if (f.model.over_threshold(r, kNow)) {
      ++over;
      CHECK(r.id == "c_old");
    }
  }
  CHECK(over == 1);
  // The fresh one crosses it later.
  for (const inbox::Row& r : q) CHECK(f.model.over_threshold(r, kNow + 31 * 1000));
  // Without a threshold in the snapshot the default (5 minutes) holds.
  Lead g("supervisor", 0);
  CHECK(g.model.wait_threshold_ms() == 5 * 60 * 1000);
  for (const inbox::Row& r : g.model.queue_rows()) CHECK_FALSE(g.model.over_threshold(r, kNow));
}

TEST_CASE("sup2: a supervisor listens in on another agent's chat, read-only, and reassigns it over REST") {
  Lead f;
  f.open_active();
  REQUIRE(f.model.open_conversation());
  CHECK(f.model.open_view_mode() == ViewMode::listen_in);
  CHECK(f.model.listening_in());
  CHECK_FALSE(f.model.can_reply());
  CHECK(f.model.can_reassign());
  f.model.open_reassign();
  CHECK(f.model.reassigning());
  CHECK(f.model.take_agents_request());
  f.model.agents_answered({200, R"({"agents":[
    {"id":"u_lead","name":"Lee","role":"supervisor","online":true},
    {"id":"u_a","name":"Ann","role":"agent","online":true},
    {"id":"u_b","name":"Bo","role":"agent","online":true}]})", 0});
  // Oneself included (taking it over), the current assignee not.
  REQUIRE(f.model.transfer_agents().size() == 2);
  CHECK(f.model.transfer_agents()[0].id == "u_lead");
  f.model.move_transfer_choice(1);
  const std::size_t frames = f.transport.sent.size();
  CHECK(f.model.submit_transfer());  // Enter in the dialog: the reassignment, not chat.transfer
  CHECK(f.transport.sent.size() == frames);
  auto call = f.model.take_assign_call();
  REQUIRE(call);
  CHECK(call->method == "POST");
  CHECK(call->url == "/api/live-chat/c_a/assign");
  CHECK(Json::parse(call->body)["agent_id"] == "u_b");
  CHECK_FALSE(f.model.take_assign_call());
  CHECK_FALSE(f.model.transfer_open());
  f.model.assign_answered({200, "{}", 0});
  CHECK(f.model.flash() == "Reassigned to Bo.");
  f.model.assign_answered({404, R"({"error":{"code":"not_found","message":"no such agent in this tenant"}})", 0});
  CHECK(f.model.flash() == "Could not reassign the chat: no such agent in this tenant");
}

TEST_CASE("sup2: agents read other chats but neither listen in nor reassign; a transfer never lists oneself") {
  Lead f("agent");
  f.open_active();
  REQUIRE(f.model.open_conversation());
  CHECK(f.model.open_view_mode() == ViewMode::read_only);
  CHECK_FALSE(f.model.listening_in());
  CHECK_FALSE(f.model.can_reassign());
  f.model.open_reassign();
  CHECK_FALSE(f.model.transfer_open());
  CHECK_FALSE(f.model.take_assign_call());
}

TEST_CASE("sup2: a search result opens its conversation at the matching message; another conversation drops it") {
  Lead f;
  f.open_active(4);
  CHECK(f.model.open_id() == "c_a");
  CHECK(f.model.match_seq() == 4);
  CHECK(f.model.snapshot(kNow)["selected"]["match_seq"] == 4);
  f.model.open("c_a", kNow);  // the same one again: still at the match
  CHECK(f.model.match_seq() == 4);
  f.model.open("c_new", kNow);
  CHECK(f.model.match_seq() == 0);
  f.model.open("c_a", kNow);
  CHECK(f.model.match_seq() == 0);
}

}  // namespace parley::test
