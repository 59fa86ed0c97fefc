// The widget when staff blocked the visitor (issue 9): the relay refuses chat.start and
// chat.send_message with the error code blocked; the banner says so (a status node in the
// accessibility mirror) and the message shows as failed; an accepted message clears it.
#include <doctest/doctest.h>

#include "fake_relay.hpp"
#include "widget/widget_model.hpp"

namespace parley::test {
namespace {
using widget::WidgetModel;
constexpr Millis kAt = 1763726400000;

struct BlockStorage : widget::Storage {
  std::map<std::string, std::string> v;
  std::string get(const std::string& k) override { return v.count(k) ? v[k] : ""; }
  void set(const std::string& k, const std::string& value) override { v[k] = value; }
};
}  // namespace

TEST_CASE("widget: a blocked visitor is told so; other refusals do not say blocked") {
  FakeTransport t;
  BlockStorage storage;
  int ids = 0;
  WidgetModel model{t, storage, [&] { return "m" + std::to_string(++ids); }, "acme"};
  model.set_link(widget::LinkState::online, 0);
  model.connected(kAt);
  model.received(ack(t.last("hello").value("id", ""),
                     Json{{"visitor_token", "tok"}, {"new_visitor", true}, {"tenant", {{"slug", "acme"}}},
                          {"conversations", Json::array()}}),
                 kAt);
  CHECK(model.banner(kAt).kind == widget::Banner::Kind::none);

  // Another refusal (not a block) changes nothing of the banner.
  model.set_draft("first", kAt);
  CHECK(model.send_draft(kAt));
  model.received(error(t.last("chat.start").value("id", ""), ErrorCode::rate_limited, "slow down"), kAt);
  CHECK_FALSE(model.blocked());
  // A plain refusal is not a block, whatever its field says (the relay sends the code blocked).
  model.set_draft("second", kAt);
  CHECK(model.send_draft(kAt));
  model.received(encode_error(t.last("chat.start").value("id", ""), make_error(ErrorCode::forbidden, "no", "blocked")),
                 kAt);
  CHECK_FALSE(model.blocked());

  model.set_draft("Hello?", kAt);
  CHECK(model.send_draft(kAt));
  model.received(encode_error(t.last("chat.start").value("id", ""),
                              make_error(ErrorCode::blocked, "you can no longer send messages here")),
                 kAt);
  CHECK(model.blocked());
  const widget::Banner b = model.banner(kAt);
  CHECK(b.kind == widget::Banner::Kind::blocked);
  CHECK(b.text == "You can no longer send messages here.");
  CHECK(model.snapshot(kAt)["blocked"] == true);
  CHECK(model.snapshot(kAt)["banner"] == "You can no longer send messages here.");

  // Lifted: the next chat.start is accepted and the banner goes.
  model.set_draft("Sorry", kAt);
  CHECK(model.send_draft(kAt));
  model.received(ack(t.last("chat.start").value("id", ""), Json{{"conversation_id", "c_1"}, {"head_seq", 2}}), kAt);
  CHECK_FALSE(model.blocked());
  CHECK(model.banner(kAt).kind == widget::Banner::Kind::none);
}

}  // namespace parley::test
