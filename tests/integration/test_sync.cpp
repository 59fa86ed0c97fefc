// POST /api/chat/sync: messages mirrored from an external assistant (seed contract).
#include <doctest/doctest.h>

#include <algorithm>

#include "harness.hpp"

using namespace parley::it;

TEST_CASE("/api/chat/sync mirrors an external conversation, idempotently, with an API key") {
  Relay relay;
  const std::string key = relay.create_api_key("voice-agent");
  relay.start();
  Staff admin = Staff::connect(relay, kAdminUser, kAdminPassword);
  // The admin views all conversations (the recent list): a chat with the assistant is in no
  // queue or agent's list, so only such a view shows it.
  REQUIRE(admin->request(cmd("inbox.list", {{"list", "recent"}})).ok());
  const Headers auth = {{"Authorization", "Bearer " + key}};

  Json m1 = {{"user_id", "eleven-user-1"},
             {"message", "Hi, I called about my order"},
             {"sender", "user"},
             {"timestamp", "2024-10-21 16:45:00"},
             {"message_id", "el-1"}};
  auto r1 = http_post_json(relay.port(), "/api/chat/sync", m1, auth);
  INFO("response: " << r1.status << " " << r1.body);
  REQUIRE(r1.status == 200);
  auto j1 = r1.json();
  CHECK(j1.value("success", false));
  CHECK(j1.value("saved", false));
  const std::string conv = j1.value("conversation_id", "");
  REQUIRE(!conv.empty());

  // Staff see the mirrored conversation appear.
  admin->wait_for(is_inbox_change(conv), "inbox.changes for the mirrored conversation");

  Json m2 = {{"user_id", "eleven-user-1"},
             {"message", "Your order ships tomorrow."},
             {"sender", "bibiana"},
             {"timestamp", "2024-10-21 16:45:05"},
             {"message_id", "el-2"}};
  auto r2 = http_post_json(relay.port(), "/api/chat/sync", m2, auth);
  REQUIRE(r2.status == 200);
  CHECK(r2.json().value("saved", false));
  CHECK(r2.json().value("conversation_id", "") == conv);

  // A retried message_id is not stored twice.
  auto r3 = http_post_json(relay.port(), "/api/chat/sync", m1, auth);
  REQUIRE(r3.status == 200);
  CHECK(r3.json().value("success", false));
  CHECK_FALSE(r3.json().value("saved", true));
  CHECK(r3.json().value("conversation_id", "") == conv);

  // Wrong or missing key.
  Json m4 = m1;
  m4["message_id"] = "el-4";
  CHECK(http_post_json(relay.port(), "/api/chat/sync", m4, {{"Authorization", "Bearer wrong-key"}}).status ==
        401);
  CHECK(http_post_json(relay.port(), "/api/chat/sync", m4).status == 401);

  // Stored once each, in order, with the mirrored roles.
  auto stored = stored_messages(relay, conv);
  std::vector<std::string> texts;
  for (const auto& m : stored) texts.push_back(m.text);
  INFO("stored: " << Json(texts).dump());
  REQUIRE(stored.size() == 2);
  CHECK(stored[0].text == "Hi, I called about my order");
  CHECK(stored[0].sender_role == "customer");
  CHECK(stored[1].text == "Your order ships tomorrow.");
  CHECK(stored[1].sender_role == "bot");

  // Staff history over the WebSocket shows the same.
  auto join = admin->request(cmd("chat.join", {{"conversation_id", conv}, {"after_seq", 0}}));
  REQUIRE(join.ok());
  std::vector<std::string> seen;
  for (const auto& f : events_of(join.before, conv)) {
    if (f.value("type", "") == "chat.new_message") seen.push_back(message_of(f).value("text", ""));
  }
  CHECK(seen == std::vector<std::string>{"Hi, I called about my order", "Your order ships tomorrow."});
  CHECK(join.data()["conversation"].value("answered_by", "") == "external");
}
