// parley/supervision.hpp: the waiting threshold, listen-in and reassignment rules (issue 9).
#include <doctest/doctest.h>

#include "parley/replies.hpp"
#include "parley/supervision.hpp"

using namespace parley;

namespace {
Conversation conv(Status s, const std::string& assignee = "") {
  Conversation c;
  c.id = "c_1";
  c.status = s;
  c.assignee_id = assignee;
  return c;
}
}  // namespace

TEST_CASE("supervision: over the waiting threshold only strictly after it") {
  CHECK_FALSE(over_wait_threshold(1000, 1000 + 60000, 60000));  // exactly at the threshold
  CHECK(over_wait_threshold(1000, 1000 + 60001, 60000));
  CHECK_FALSE(over_wait_threshold(1000, 500, 60000));  // clock behind the hand-off
  CHECK_FALSE(over_wait_threshold(0, 10'000'000, 60000));  // never handed off
  CHECK_FALSE(over_wait_threshold(1000, 10'000'000, 0));   // no threshold
}

TEST_CASE("supervision: the assignee owns an active chat, leads listen in, others read") {
  CHECK(view_mode("agent", conv(Status::active, "u_a"), "u_a") == ViewMode::own);
  CHECK(view_mode("supervisor", conv(Status::active, "u_s"), "u_s") == ViewMode::own);
  CHECK(view_mode("supervisor", conv(Status::active, "u_a"), "u_s") == ViewMode::listen_in);
  CHECK(view_mode("admin", conv(Status::active, "u_a"), "u_s") == ViewMode::listen_in);
  CHECK(view_mode("admin", conv(Status::pending), "u_s") == ViewMode::listen_in);
  CHECK(view_mode("admin", conv(Status::bot), "u_s") == ViewMode::listen_in);
  CHECK(view_mode("agent", conv(Status::active, "u_b"), "u_a") == ViewMode::read_only);
  CHECK(view_mode("agent", conv(Status::pending), "u_a") == ViewMode::read_only);
  // Resolved: nobody listens in, not even the former assignee owns it.
  CHECK(view_mode("admin", conv(Status::resolved, "u_a"), "u_s") == ViewMode::read_only);
  CHECK(view_mode("agent", conv(Status::resolved, "u_a"), "u_a") == ViewMode::read_only);
  // No user id never owns a chat without an assignee.
  CHECK(view_mode("agent", conv(Status::active, ""), "") == ViewMode::read_only);
  CHECK(to_string(ViewMode::listen_in) == "listen_in");
}

TEST_CASE("supervision: only leads reassign, and only waiting or active chats") {
  CHECK(can_reassign("supervisor", conv(Status::active, "u_a")));
  CHECK(can_reassign("admin", conv(Status::pending)));
  CHECK_FALSE(can_reassign("agent", conv(Status::active, "u_a")));
  CHECK_FALSE(can_reassign("supervisor", conv(Status::resolved, "u_a")));
  CHECK_FALSE(can_reassign("supervisor", conv(Status::bot)));
  CHECK_FALSE(can_reassign("", conv(Status::active, "u_a")));
}

TEST_CASE("supervision: inbox.snapshot carries the waiting threshold (absent when unknown)") {
  InboxSnapshot s;
  s.user = StaffUser{"u_1", "sam", "Sam", StaffRole::agent, "t"};
  const std::string frame = encode_inbox_snapshot(s, {}, {});
  const std::string with = with_wait_threshold(frame, 90);
  const Json j = Json::parse(with);
  CHECK(j["type"] == "inbox.snapshot");
  CHECK(j["data"]["wait_threshold_s"] == 90);
  CHECK(snapshot_wait_threshold_s(j["data"]) == 90);
  auto back = decode_inbox_snapshot(j["data"]);  // the rest decodes as before
  REQUIRE(back);
  CHECK(back->user.id == "u_1");
  CHECK(with_wait_threshold(frame, 0) == frame);  // unknown: nothing added
  CHECK(snapshot_wait_threshold_s(Json::parse(frame)["data"]) == 0);
  CHECK(with_wait_threshold("{\"type\":\"x\"}", 5) == "{\"type\":\"x\"}");
  CHECK(Json::parse(with_wait_threshold("{\"data\":{}}", 5))["data"]["wait_threshold_s"] == 5);
  CHECK(snapshot_wait_threshold_s(Json{{"wait_threshold_s", "90"}}) == 0);
  CHECK(snapshot_wait_threshold_s(Json{{"wait_threshold_s", -3}}) == 0);
  CHECK(snapshot_wait_threshold_s(Json::array()) == 0);
}
