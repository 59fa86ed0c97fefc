// The widget's read receipt (issue 9): "Seen" under the customer's last message once staff sent
// chat.seen up to it; a customer's own chat.seen (another tab) does not count.
#include <doctest/doctest.h>

#include "fake_relay.hpp"
#include "widget/widget_model.hpp"

namespace parley::test {
namespace {
using widget::DisplayItem;
using widget::WidgetModel;
constexpr Millis kAt = 1763726400000;

struct SeenStorage : widget::Storage {
  std::map<std::string, std::string> v;
  std::string get(const std::string& k) override { return v.count(k) ? v[k] : ""; }
  void set(const std::string& k, const std::string& value) override { v[k] = value; }
};

const DisplayItem* last_own(WidgetModel& m, Millis now) {
  const DisplayItem* out = nullptr;
  for (const DisplayItem& i : m.items(now))
    if (i.kind == DisplayItem::Kind::message && i.own) out = &i;
  return out;
}
}  // namespace

TEST_CASE("widget: \"Seen\" under the customer's last message once staff saw it") {
  FakeTransport t;
  SeenStorage storage;
  int ids = 0;
  WidgetModel model{t, storage, [&] { return "m" + std::to_string(++ids); }, "acme"};
  model.set_link(widget::LinkState::online, 0);
  model.connected(kAt);
  model.received(ack(t.last("hello").value("id", ""),
                     Json{{"visitor_token", "tok"}, {"new_visitor", true}, {"tenant", {{"slug", "acme"}}},
                          {"conversations", Json::array()}}),
                 kAt);
  model.set_draft("Hello?", kAt);
  CHECK(model.send_draft(kAt));
  const Json start = t.last("chat.start");
  model.received(ack(start.value("id", ""), Json{{"conversation_id", "c_1"}, {"head_seq", 2}}), kAt);
  model.received(new_session("c_1", 1, kAt), kAt);
  model.received(message_event("c_1", 2, Role::customer, "", "Hello?", kAt, "m1"), kAt);
  const DisplayItem* own = last_own(model, kAt);
  if (!own) {
    FAIL_CHECK("no own message");
    return;
  }
  CHECK_FALSE(own->seen);
  // The customer's own seen (another tab) is no receipt.
  model.received(event("c_1", 0, ev::seen, Json{{"seq", 2}}, kAt, Actor{Role::customer, "k_1", ""}), kAt);
  CHECK_FALSE(last_own(model, kAt)->seen);
  // Staff saw up to seq 1 only: not yet.
  model.received(event("c_1", 0, ev::seen, Json{{"seq", 1}}, kAt, Actor{Role::agent, "u_1", "Sam"}), kAt);
  CHECK_FALSE(last_own(model, kAt)->seen);
  model.received(event("c_1", 0, ev::seen, Json{{"seq", 2}}, kAt, Actor{Role::agent, "u_1", "Sam"}), kAt);
  CHECK(last_own(model, kAt)->seen);
  CHECK(model.snapshot(kAt)["messages"][0]["seen"] == true);
  // A newer message of the customer is not seen yet.
  model.set_draft("Anyone?", kAt);
  CHECK(model.send_draft(kAt));
  model.received(message_event("c_1", 3, Role::customer, "", "Anyone?", kAt, "m2"), kAt);
  CHECK_FALSE(last_own(model, kAt)->seen);
}

}  // namespace parley::test
