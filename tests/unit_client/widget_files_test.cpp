// The widget's files (issue 9): a file message reads as its name (a link that opens it) with type
// and size; the visitor's uploads show in the transcript while they run and, when refused, with
// the reason and Retry/Delete (the same Idempotency-Key on retry).
#include <doctest/doctest.h>

#include "fake_relay.hpp"
#include "widget/widget_model.hpp"

namespace parley::test {
namespace {
using widget::DisplayItem;
using widget::WidgetModel;
constexpr Millis kAt = 1763726400000;

struct FileStorage : widget::Storage {
  std::map<std::string, std::string> v;
  std::string get(const std::string& k) override { return v.count(k) ? v[k] : ""; }
  void set(const std::string& k, const std::string& value) override { v[k] = value; }
};

std::string file_event(const std::string& conv, Seq seq, Role role, const AttachmentRef& a) {
  Message m;
  m.conversation_id = conv;
  m.seq = seq;
  m.sender_role = role;
  m.sender_id = role == Role::customer ? "k_1" : "u_1";
  m.sender_name = role == Role::customer ? "" : "Sam";
  m.kind = MessageKind::file;
  m.text = a.name;
  m.at = kAt;
  m.attachment = a;
  Event e;
  e.conversation_id = conv;
  e.seq = seq;
  e.type = std::string(ev::new_message);
  e.at = kAt;
  e.actor = Actor{role, m.sender_id, m.sender_name};
  e.data = Json{{"message", to_json(m)}};
  return encode_event(e);
}

struct Open {
  FakeTransport t;
  FileStorage storage;
  int ids = 0;
  WidgetModel model{t, storage, [this] { return "id" + std::to_string(++ids); }, "acme"};
  Open() {
    model.set_link(widget::LinkState::online, 0);
    model.connected(kAt);
    model.received(ack(t.last("hello").value("id", ""),
                       Json{{"visitor_token", "tok"}, {"new_visitor", true}, {"tenant", {{"slug", "acme"}}},
                            {"conversations", Json::array()}}),
                   kAt);
  }
  void start() {
    model.set_draft("Hello?", kAt);
    REQUIRE(model.send_draft(kAt));
    const Json start = t.last("chat.start");
    model.received(ack(start.value("id", ""), Json{{"conversation_id", "c_1"}, {"head_seq", 2}}), kAt);
    model.received(new_session("c_1", 1, kAt), kAt);
    model.received(message_event("c_1", 2, Role::customer, "", "Hello?", kAt, "id1"), kAt);
  }
  const DisplayItem* last() {
    const auto& items = model.items(kAt);
    return items.empty() ? nullptr : &items.back();
  }
};
}  // namespace

TEST_CASE("widget files: nothing to attach to before the conversation starts") {
  Open o;
  CHECK_FALSE(o.model.can_attach());
  CHECK(o.model.attach(4, "a.png", 10) == 0);
  CHECK(o.model.take_released_files() == std::vector<int>{4});  // the page's file is let go
  o.start();
  CHECK(o.model.can_attach());
  CHECK(o.model.visitor_token() == "tok");
}

TEST_CASE("widget files: a file message is a link named after the file, with type and size") {
  Open o;
  o.start();
  const AttachmentRef a{"att_1", "shot.png", "image/png", 2048};
  o.model.received(file_event("c_1", 3, Role::agent, a), kAt);
  const DisplayItem* item = o.last();
  REQUIRE(item != nullptr);
  CHECK(item->text == "shot.png\nPNG image \u00b7 2.0 KB");
  REQUIRE(item->links.size() == 1);
  CHECK(item->links[0].url == "parley-file:att_1");
  REQUIRE(item->attachment.has_value());
  CHECK(*item->attachment == a);
  CHECK(o.model.find_attachment("att_1") != nullptr);
  CHECK(o.model.find_attachment("att_2") == nullptr);
  CHECK(o.model.snapshot(kAt)["messages"][1]["attachment"]["id"] == "att_1");
}

TEST_CASE("widget files: an upload shows while it runs, then a refusal in words with Retry and Delete") {
  Open o;
  o.start();
  const int id = o.model.attach(9, "big.png", 3 * 1024 * 1024);
  REQUIRE(id > 0);
  const client::files::Upload* u = o.model.uploads().start_next();
  REQUIRE(u != nullptr);
  CHECK(u->conversation_id == "c_1");
  const std::string key = u->idempotency_key;
  CHECK_FALSE(key.empty());
  const DisplayItem* item = o.last();
  REQUIRE(item != nullptr);
  CHECK(item->upload);
  CHECK(item->own);
  CHECK(item->delivery == Delivery::sending);
  CHECK(item->text == "big.png (3.0 MB)\nUploading\u2026");
  o.model.uploads().finished(id, 413, R"({"error":{"code":"file_too_large","message":"the file is larger than the limit of 1048576 bytes"}})");
  item = o.last();
  CHECK(item->delivery == Delivery::failed);
  CHECK(item->show_delivery);
  CHECK(item->text == "big.png (3.0 MB)\nNot sent: the file is too large (the limit is 1.0 MB).");
  const auto said = o.model.take_announcements();
  REQUIRE(said.size() == 2);
  CHECK(said[1] == "big.png was not sent: the file is too large (the limit is 1.0 MB).");
  CHECK(o.model.snapshot(kAt)["uploads"][0]["state"] == "failed");
  // Retry: queued again with the same key.
  o.model.retry(item->client_msg_id);
  const client::files::Upload* again = o.model.uploads().start_next();
  REQUIRE(again != nullptr);
  CHECK(again->idempotency_key == key);
  o.model.uploads().finished(id, 503, "");
  // Delete: gone, and the page's file released.
  o.model.discard(o.last()->client_msg_id);
  CHECK(o.model.uploads().all().empty());
  CHECK(o.model.take_released_files() == std::vector<int>{9});
  CHECK_FALSE(o.last()->upload);
}

}  // namespace parley::test
