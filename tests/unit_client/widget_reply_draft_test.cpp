// The widget's streamed assistant reply (issue 10, chat.draft): the rules of widget/reply_draft.hpp,
// and the widget model fed real frames: the draft shows, grows, and the committed message replaces it.
#include <doctest/doctest.h>

#include "fake_relay.hpp"
#include "widget/reply_draft.hpp"
#include "widget/widget_model.hpp"

namespace parley::test {
namespace {
using widget::ReplyDraft;
using widget::WidgetModel;
constexpr Millis kAt = 1763726400000;

struct DraftStorage : widget::Storage {
  std::map<std::string, std::string> v;
  std::string get(const std::string& k) override { return v.count(k) ? v[k] : ""; }
  void set(const std::string& k, const std::string& value) override { v[k] = value; }
};
}  // namespace

TEST_CASE("reply draft: latest text of its id; discarded ends it; a bot message ends it; bad data ignored") {
  ReplyDraft d;
  CHECK_FALSE(d.active());
  CHECK(d.on_draft(Json{{"draft_id", "d1"}, {"text", "Hel"}}));
  CHECK(d.text() == "Hel");
  CHECK(d.on_draft(Json{{"draft_id", "d1"}, {"text", "Hello"}}));
  CHECK(d.text() == "Hello");
  CHECK_FALSE(d.on_draft(Json{{"draft_id", "d1"}, {"text", "Hello"}}));  // nothing new
  CHECK_FALSE(d.on_draft(Json{{"text", "no id"}}));
  CHECK_FALSE(d.on_draft(Json{{"draft_id", 5}, {"text", "x"}}));
  CHECK_FALSE(d.on_draft(Json::array()));
  CHECK_FALSE(d.on_draft(Json{{"draft_id", "d0"}, {"text", ""}, {"discarded", true}}));  // another draft
  CHECK(d.active());
  CHECK(d.on_draft(Json{{"draft_id", "d1"}, {"text", ""}, {"discarded", true}}));
  CHECK_FALSE(d.active());

  CHECK(d.on_draft(Json{{"draft_id", "d2"}, {"text", "Our team"}}));
  CHECK_FALSE(d.on_message(Role::customer, Json::object()));
  CHECK(d.active());
  CHECK(d.on_message(Role::bot, Json{{"draft_id", "d2"}}));
  CHECK_FALSE(d.active());
  CHECK(d.on_draft(Json{{"draft_id", "d3"}, {"text", "x"}}));
  CHECK(d.on_message(Role::agent, Json{{"draft_id", "d3"}}));  // names it
  CHECK_FALSE(d.active());
  CHECK(d.on_draft(Json{{"draft_id", "d4"}, {"text", std::string(5000, 'a')}}));
  CHECK(d.text().size() == 4000);
}

TEST_CASE("widget: chat.draft frames show the streamed reply; the committed message replaces it") {
  FakeTransport t;
  DraftStorage storage;
  int ids = 0;
  WidgetModel model{t, storage, [&] { return "m" + std::to_string(++ids); }, "acme"};
  model.set_link(widget::LinkState::online, 0);
  model.connected(kAt);
  model.received(ack(t.last("hello").value("id", ""),
                     Json{{"visitor_token", "tok"}, {"new_visitor", true}, {"tenant", {{"slug", "acme"}}},
                          {"conversations", Json::array()}}),
                 kAt);
  model.set_draft("When are you open?", kAt);
  CHECK(model.send_draft(kAt));
  const Json start = t.last("chat.start");
  model.received(ack(start.value("id", ""), Json{{"conversation_id", "c_1"}, {"head_seq", 2}}), kAt);
  model.received(new_session("c_1", 1, kAt), kAt);
  model.received(message_event("c_1", 2, Role::customer, "", "When are you open?", kAt, "m1"), kAt);
  const Actor bot{Role::bot, "bot", "Assistant"};
  model.received(event("c_1", 0, "chat.draft", Json{{"draft_id", "d_c_1_1"}, {"text", "Monday"}}, kAt, bot), kAt);
  CHECK(model.reply_draft().active());
  CHECK(model.reply_draft().text() == "Monday");
  model.received(event("c_1", 0, "chat.draft", Json{{"draft_id", "d_c_1_1"}, {"text", "Monday to Friday"}}, kAt, bot),
                 kAt);
  CHECK(model.reply_draft().text() == "Monday to Friday");
  // Another conversation's draft is not this one's.
  model.received(event("c_9", 0, "chat.draft", Json{{"draft_id", "x"}, {"text", "other"}}, kAt, bot), kAt);
  CHECK(model.reply_draft().text() == "Monday to Friday");
  model.received(message_event("c_1", 3, Role::bot, "Assistant", "Monday to Friday, 9 to 6.", kAt), kAt);
  CHECK_FALSE(model.reply_draft().active());
}

}  // namespace parley::test
