// parley/offline.hpp: availability, the offline form, the abandon exemption and which events are
// mailed.
#include <doctest/doctest.h>

#include "parley/offline.hpp"

using namespace parley;

TEST_CASE("offline: availability is agents online and open; JSON round trip; old relays mean available") {
  Availability a;
  CHECK(a.available());
  a.agents_online = false;
  CHECK_FALSE(a.available());
  a.agents_online = true;
  a.open = false;
  a.next_open_at = 1'800'000'000'000;
  a.offline_message = "Back at nine.";
  CHECK_FALSE(a.available());
  const Json j = to_json(a);
  CHECK(j["available"] == false);
  auto back = decode_availability(j);
  REQUIRE(back.ok());
  CHECK(*back == a);
  auto old = decode_availability(Json::object());
  REQUIRE(old.ok());
  CHECK(old->available());
  CHECK_FALSE(decode_availability(Json::array()).ok());
  CHECK_FALSE(decode_availability(Json{{"open", "yes"}}).ok());
  CHECK(offline_message_or_default("") == kDefaultOfflineMessage);
  CHECK(offline_message_or_default("x") == "x");
}

TEST_CASE("offline: email addresses that could break SMTP are refused") {
  CHECK(valid_email("ada@example.com"));
  CHECK(valid_email("ada.lovelace+help@mail.example.co.uk"));
  for (const char* bad : {"", "ada", "@example.com", "ada@", "ada@example", "ada@@example.com", "a b@example.com",
                          "ada@example.com\r\nRCPT TO:<x@y.z>", "<ada@example.com>", "ada@example.com,eve@example.com",
                          "ada@.example.com", "ada@example.com.", "ada@example..com", "\"ada\"@example.com"}) {
    CAPTURE(bad);
    CHECK_FALSE(valid_email(bad));
  }
  CHECK_FALSE(valid_email(std::string(250, 'a') + "@example.com"));
}

TEST_CASE("offline: the form needs an address and a message within the limit") {
  CHECK_FALSE(check_offline_form({"ada@example.com", "Where is my parcel?"}).has_value());
  auto e = check_offline_form({"", "hi"});
  REQUIRE(e);
  CHECK(e->code == ErrorCode::missing_field);
  CHECK(e->field == "email");
  e = check_offline_form({"nope", "hi"});
  REQUIRE(e);
  CHECK(e->code == ErrorCode::bad_field);
  e = check_offline_form({"ada@example.com", " \n\t "});
  REQUIRE(e);
  CHECK(e->code == ErrorCode::missing_field);
  CHECK(e->field == "text");
  Limits l;
  l.max_text_chars = 5;
  CHECK_FALSE(check_offline_form({"ada@example.com", "ééééé"}, l).has_value());  // code points, not bytes
  e = check_offline_form({"ada@example.com", "ééééé!"}, l);
  REQUIRE(e);
  CHECK(e->code == ErrorCode::text_too_long);
}

TEST_CASE("offline: the abandon rule spares conversations with an offline request") {
  Conversation c;
  c.status = Status::pending;
  c.channel = Channel::web;
  CHECK(abandon_applies(c, false));
  CHECK_FALSE(abandon_applies(c, true));
  c.channel = Channel::whatsapp;
  CHECK_FALSE(abandon_applies(c, false));
  c.channel = Channel::web;
  c.status = Status::active;
  CHECK_FALSE(abandon_applies(c, false));
}

TEST_CASE("offline: only an agent's customer-visible text is mailed, and only while the customer is away") {
  Event e;
  e.type = std::string(ev::new_message);
  e.audience = Audience::everyone;
  e.actor = Actor{Role::agent, "u_1", "Sam"};
  e.data = Json{{"message", Json{{"kind", "text"}, {"text", "Hello"}}}};
  CHECK(mail_staff_answer(e, true, false));
  CHECK_FALSE(mail_staff_answer(e, false, false));  // no offline request
  CHECK_FALSE(mail_staff_answer(e, true, true));    // the customer is connected: the chat shows it
  Event note = e;
  note.audience = Audience::staff;
  note.data["message"]["kind"] = "note";
  CHECK_FALSE(mail_staff_answer(note, true, false));
  Event bot = e;
  bot.actor.role = Role::bot;
  CHECK_FALSE(mail_staff_answer(bot, true, false));
  Event customer = e;
  customer.actor.role = Role::customer;
  CHECK_FALSE(mail_staff_answer(customer, true, false));
  Event other = e;
  other.type = std::string(ev::assigned);
  CHECK_FALSE(mail_staff_answer(other, true, false));
}
