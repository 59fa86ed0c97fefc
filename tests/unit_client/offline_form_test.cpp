// The widget's offline form (client/widget/offline_model.hpp) and its hooks in WidgetModel:
// shown when hello says nobody is available, validated like the relay validates it, sent as
// chat.leave_message, confirmed on the ack, errors back to the form; the transcript by email.
#include <doctest/doctest.h>

#include <algorithm>

#include "fake_relay.hpp"

namespace parley::test {
namespace {

using widget::LinkState;
using widget::OfflineForm;
using widget::WidgetModel;

constexpr Millis kNow = 1'800'000'000'000;

struct Fixture {
  FakeTransport t;
  MapStorage storage;
  int ids = 0;
  WidgetModel model{t, storage, [this] { return "m" + std::to_string(++ids); }, "acme"};

  void connect(bool available, bool prechat = false, Json conversations = Json::array()) {
    t.sent.clear();
    model.set_link(LinkState::online, 0);
    model.connected(kNow);
    const Json hello = t.last("hello");
    model.received(ack(hello.value("id", ""),
                       Json{{"visitor_token", "tok"},
                            {"new_visitor", true},
                            {"tenant", {{"slug", "acme"}, {"prechat_form", prechat}, {"assistant_enabled", false}}},
                            {"conversations", conversations},
                            {"availability",
                             {{"available", available},
                              {"agents_online", available},
                              {"open", true},
                              {"next_open_at", nullptr},
                              {"offline_message", "Nobody here right now."}}}}),
                   kNow);
  }
};

}  // namespace

TEST_CASE("offline form: shown only when nobody is available, and instead of the pre-chat form") {
  Fixture on;
  on.connect(true, true);
  CHECK_FALSE(on.model.show_offline());
  CHECK(on.model.show_prechat());

  Fixture off;
  off.connect(false, true);
  CHECK(off.model.show_offline());
  CHECK_FALSE(off.model.show_prechat());
  CHECK(off.model.offline().availability().offline_message == "Nobody here right now.");
  CHECK(off.model.snapshot(kNow)["offline"]["shown"] == true);
  // An older relay (no availability in hello): available, no form.
  Fixture old;
  old.model.set_link(LinkState::online, 0);
  old.model.connected(kNow);
  old.model.received(ack(old.t.last("hello").value("id", ""), Json{{"visitor_token", "tok"}, {"conversations", Json::array()}}),
                     kNow);
  CHECK_FALSE(old.model.show_offline());
}

TEST_CASE("offline form: bad input stays in the form with a sentence; nothing is sent") {
  Fixture f;
  f.connect(false);
  CHECK_FALSE(f.model.submit_offline("", "Hello"));
  CHECK(f.model.offline().error() == "Please enter your email address.");
  CHECK_FALSE(f.model.submit_offline("ada@", "Hello"));
  CHECK(f.model.offline().error() == "Please enter a valid email address.");
  CHECK_FALSE(f.model.submit_offline("ada@example.com", "   "));
  CHECK(f.model.offline().error() == "Please write a message.");
  CHECK(f.t.frames("chat.leave_message").empty());
  CHECK(f.model.offline().state() == OfflineForm::State::editing);
}

TEST_CASE("offline form: sent as chat.leave_message, confirmed on the ack, the conversation resumed") {
  Fixture f;
  f.connect(false);
  REQUIRE(f.model.submit_offline(" ada@example.com ", " My parcel never came "));
  const Json sent = f.t.last("chat.leave_message");
  CHECK(sent["email"] == "ada@example.com");
  CHECK(sent["text"] == "My parcel never came");
  CHECK_FALSE(sent.contains("conversation_id"));  // no conversation yet: the relay starts one
  CHECK(sent.value("client_msg_id", "") == "m1");
  CHECK(f.model.offline().state() == OfflineForm::State::sending);
  // A second press while sending sends nothing more.
  CHECK_FALSE(f.model.submit_offline("ada@example.com", "again"));
  CHECK(f.t.frames("chat.leave_message").size() == 1);

  f.model.received(ack(sent.value("id", ""), Json{{"conversation_id", "c_9"}, {"head_seq", 3}, {"status", "pending"},
                                                   {"offline", true}}),
                   kNow + 10);
  CHECK(f.model.offline().state() == OfflineForm::State::sent);
  CHECK(f.model.offline().confirmation() == "Thanks! We will answer at ada@example.com.");
  CHECK(f.model.show_offline());  // stays, as the confirmation
  CHECK(f.model.conversation_id() == "c_9");
  CHECK(f.t.last("chat.join").value("conversation_id", "") == "c_9");
  const auto said = f.model.take_announcements();
  CHECK(std::find(said.begin(), said.end(), "Thanks! We will answer at ada@example.com.") != said.end());
}

TEST_CASE("offline form: a refusal from the relay goes back to the form") {
  Fixture f;
  f.connect(false);
  REQUIRE(f.model.submit_offline("ada@example.com", "Hello"));
  const Json sent = f.t.last("chat.leave_message");
  f.model.received(error(sent.value("id", ""), ErrorCode::busy, "retry"), kNow + 5);
  CHECK(f.model.offline().state() == OfflineForm::State::editing);
  CHECK(f.model.offline().error() == "We could not send your message. Please try again.");
  CHECK(f.model.submit_offline("ada@example.com", "Hello"));  // may try again
}

TEST_CASE("offline form: the visitor may talk to the assistant instead") {
  Fixture f;
  f.connect(false);
  f.model.dismiss_offline();
  CHECK_FALSE(f.model.show_offline());
}

TEST_CASE("transcript by email: validated, sent once, acknowledged") {
  Fixture f;
  f.connect(true, false, Json::array({to_json(conversation("c_1", Status::resolved, 4), false)}));
  REQUIRE(f.model.conversation_id() == "c_1");
  CHECK_FALSE(f.model.email_transcript("nope"));
  CHECK(f.model.offline().transcript_error_text() == "Please enter a valid email address.");
  REQUIRE(f.model.email_transcript("ada@example.com"));
  const Json sent = f.t.last("chat.email_transcript");
  CHECK(sent["conversation_id"] == "c_1");
  CHECK(sent["email"] == "ada@example.com");
  CHECK_FALSE(f.model.email_transcript("ada@example.com"));  // already sending
  f.model.received(ack(sent.value("id", ""), Json{{"conversation_id", "c_1"}, {"queued", true}}), kNow + 3);
  CHECK(f.model.offline().transcript_state() == OfflineForm::Transcript::sent);
  CHECK(f.model.snapshot(kNow)["offline"]["transcript"] == "sent");
}

}  // namespace parley::test
