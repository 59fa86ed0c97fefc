// The inbox's files (issue 9): only the assignee attaches; uploads sit in the timeline as own
// outbox bubbles (refused ones with the reason, Retry and Discard); file messages read as their
// name (a link) with type and size.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "fake_relay.hpp"
#include "inbox/inbox_model.hpp"

namespace parley::test {
namespace {

using inbox::InboxModel;
using inbox::TimelineItem;

struct FilesStorage : inbox::Storage {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key) override { return values.count(key) ? values[key] : ""; }
  void set(const std::string& key, const std::string& value) override { values[key] = value; }
};

constexpr Millis kNow = 1763712000000;

struct FilesFixture {
  FakeTransport transport;
  FilesStorage storage;
  int ids = 0;
  InboxModel model{transport, storage, [this] { return "k" + std::to_string(++ids); }};

  explicit FilesFixture(bool mine) {
    model.me_answered({200, R"({"user":{"id":"u_me","name":"Sam Smith","username":"sam","role":"agent"}})", 0});
    model.connected(kNow);
    model.received(ack(transport.last("hello")["id"].get<std::string>(), Json::object()), kNow);
    Conversation c = conversation("c_1", mine ? Status::active : Status::pending, 1);
    if (mine) {
      c.assignee_id = "u_me";
      c.assignee_name = "Sam Smith";
    }
    Json it = to_json(c, true);
    it["contact"] = Json{{"id", "k_1"}, {"name", "Ada"}, {"email", ""}};
    it["preview"] = "hi";
    model.received(encode_notice("inbox.snapshot",
                                 Json{{"user", {{"id", "u_me"}, {"name", "Sam Smith"}, {"role", "agent"}, {"tenant_id", "t"}}},
                                      {"queue", mine ? Json::array() : Json::array({it})},
                                      {"mine", mine ? Json::array({it}) : Json::array()},
                                      {"counts", {{"active", 1}, {"waiting", 0}, {"resolved_today", 0}, {"avg_wait_s", 0}}},
                                      {"server_time", kNow}}),
                   kNow);
    model.open("c_1", kNow);
    Json join;
    for (const Json& f : transport.frames("chat.join"))
      if (f["conversation_id"] == "c_1") join = f;
    REQUIRE(join.is_object());
    model.received(message_event("c_1", 1, Role::customer, "Ada", "hi", kNow), kNow);
    model.received(ack(join["id"].get<std::string>(),
                       Json{{"conversation_id", "c_1"}, {"head_seq", 1}, {"conversation", to_json(c, true)}}),
                   kNow);
  }
};

}  // namespace

TEST_CASE("inbox files: someone else's (or nobody's) conversation cannot be attached to") {
  FilesFixture f(false);
  CHECK_FALSE(f.model.can_attach());
  CHECK(f.model.attach(3, "a.png", 10) == 0);
  CHECK(f.model.take_released_files() == std::vector<int>{3});
  CHECK(f.model.uploads().all().empty());
}

TEST_CASE("inbox files: the assignee's upload shows, is refused in words, retried with its key, discarded") {
  FilesFixture f(true);
  REQUIRE(f.model.can_attach());
  const int id = f.model.attach(5, "report.pdf", 5000);
  REQUIRE(id > 0);
  const client::files::Upload* u = f.model.uploads().start_next();
  REQUIRE(u != nullptr);
  CHECK(u->conversation_id == "c_1");
  const std::string key = u->idempotency_key;
  const TimelineItem& up = f.model.timeline().back();
  CHECK(up.kind == TimelineItem::Kind::outbox);
  CHECK(up.upload);
  CHECK_FALSE(up.failed);
  CHECK(up.text == "report.pdf (4.9 KB)\nUploading\u2026");
  f.model.uploads().finished(id, 503, "");
  CHECK(f.model.timeline().back().failed);
  CHECK(f.model.timeline().back().text ==
        "report.pdf (4.9 KB)\nNot sent: the server could not store it right now. Try again in a moment.");
  bool announced = false;
  for (const inbox::Alert& a : f.model.take_alerts())
    announced = announced || a.text == "report.pdf was not sent: the server could not store it right now. Try again in a moment.";
  CHECK(announced);
  f.model.retry(f.model.timeline().back().client_msg_id);
  const client::files::Upload* again = f.model.uploads().start_next();
  REQUIRE(again != nullptr);
  CHECK(again->idempotency_key == key);
  f.model.uploads().finished(id, 0, "");
  f.model.discard(f.model.timeline().back().client_msg_id);
  CHECK(f.model.uploads().all().empty());
  CHECK(f.model.take_released_files() == std::vector<int>{5});
  CHECK_FALSE(f.model.timeline().back().upload);
}

TEST_CASE("inbox files: a file message is its name as a link with type and size") {
  FilesFixture f(true);
  Message m;
  m.conversation_id = "c_1";
  m.seq = 2;
  m.sender_role = Role::customer;
  m.sender_id = "k_1";
  m.sender_name = "Ada";
  m.kind = MessageKind::file;
  m.text = "shot.jpg";
  m.at = kNow;
  m.attachment = AttachmentRef{"att_9", "shot.jpg", "image/jpeg", 3 * 1024 * 1024};
  Event e;
  e.conversation_id = "c_1";
  e.seq = 2;
  e.type = std::string(ev::new_message);
  e.at = kNow;
  e.actor = Actor{Role::customer, "k_1", "Ada"};
  e.data = Json{{"message", to_json(m)}};
  f.model.received(encode_event(e), kNow);
  const TimelineItem& t = f.model.timeline().back();
  CHECK(t.text == "shot.jpg\nJPEG image \u00b7 3.0 MB");
  REQUIRE(t.links.size() == 1);
  CHECK(t.links[0].url == "parley-file:att_9");
  REQUIRE(f.model.find_attachment("att_9") != nullptr);
  CHECK(f.model.find_attachment("att_9")->size == 3u * 1024 * 1024);
  CHECK(f.model.snapshot(kNow)["selected"]["messages"].back()["attachment"]["id"] == "att_9");
}

}  // namespace parley::test
