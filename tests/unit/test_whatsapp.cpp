// parley/whatsapp.hpp: webhook parsing (every message type, statuses, batches, malformed bodies),
// status ordering both ways, the 24-hour window's edges, send classification, token buckets,
// the Graph request bodies and the verification handshake.
#include <doctest/doctest.h>

#include <string>

#include "parley/whatsapp.hpp"
#include "test_support.hpp"

using namespace parley;
using namespace parley::wa;
using parley::test::value_of;

namespace {

// A webhook body holding `messages_json` (a JSON array text) for one change of number "PN1".
std::string envelope(const std::string& messages_json, const std::string& key = "messages",
                     const std::string& phone = "PN1") {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{)"
         R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001","phone_number_id":")" +
         phone + R"("},"contacts":[{"profile":{"name":"Ada"},"wa_id":"4915112345"}],")" + key + "\":" +
         messages_json + "}}]}]}";
}

InboundMessage one(const std::string& message_json) {
  WebhookBatch b = value_of(parse_webhook(envelope("[" + message_json + "]")));
  REQUIRE(b.messages.size() == 1);
  CHECK(b.problems.empty());
  return b.messages.size() == 1 ? b.messages[0] : InboundMessage{};
}

const char* kHead = R"("from":"4915112345","id":"wamid.A","timestamp":"1700000000",)";

}  // namespace

TEST_CASE("whatsapp: a text message with its sender, profile, time and number") {
  const InboundMessage m = one(std::string("{") + kHead + R"("type":"text","text":{"body":"Hallo"}})");
  CHECK(m.wamid == "wamid.A");
  CHECK(m.from == "4915112345");
  CHECK(m.sender() == "4915112345");
  CHECK(m.profile_name == "Ada");
  CHECK(m.phone_number_id == "PN1");
  CHECK(m.at == 1700000000000LL);
  CHECK(m.type == MessageType::text);
  CHECK(display_text(m) == "Hallo");
  CHECK_FALSE(is_system_line(m));
}

TEST_CASE("whatsapp: every listed message type reads") {
  SUBCASE("button (template quick reply)") {
    const auto m = one(std::string("{") + kHead + R"("type":"button","button":{"payload":"P1","text":"Agent"}})");
    CHECK(m.type == MessageType::button);
    CHECK(display_text(m) == "Agent");
    CHECK(m.payload == "P1");
  }
  SUBCASE("interactive button_reply") {
    const auto m = one(std::string("{") + kHead +
                       R"("type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"b1","title":"Yes"}}})");
    CHECK(m.type == MessageType::interactive);
    CHECK(display_text(m) == "Yes");
    CHECK(m.payload == "b1");
  }
  SUBCASE("interactive list_reply with description") {
    const auto m = one(std::string("{") + kHead +
                       R"("type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"l1","title":"Billing","description":"Invoices"}}})");
    CHECK(display_text(m) == "Billing (Invoices)");
    CHECK(m.payload == "l1");
  }
  SUBCASE("image with caption") {
    const auto m = one(std::string("{") + kHead +
                       R"("type":"image","image":{"id":"MID","mime_type":"image/jpeg","sha256":"abc","caption":"my receipt"}})");
    CHECK(m.type == MessageType::image);
    REQUIRE(m.media);
    CHECK(m.media->id == "MID");
    CHECK(m.media->mime_type == "image/jpeg");
    CHECK(m.media->sha256 == "abc");
    CHECK(display_text(m) == "[image] my receipt");
  }
  SUBCASE("document with file name") {
    const auto m = one(std::string("{") + kHead +
                       R"("type":"document","document":{"id":"D1","filename":"inv.pdf","mime_type":"application/pdf","sha256":"x"}})");
    REQUIRE(m.media);
    CHECK(m.media->filename == "inv.pdf");
    CHECK(display_text(m) == "[document: inv.pdf]");
  }
  SUBCASE("audio and voice note") {
    const auto a = one(std::string("{") + kHead + R"("type":"audio","audio":{"id":"A1","mime_type":"audio/mpeg"}})");
    CHECK(display_text(a) == "[audio]");
    CHECK_FALSE(a.media->voice);
    const auto v = one(std::string("{") + kHead +
                       R"("type":"audio","audio":{"id":"A2","mime_type":"audio/ogg; codecs=opus","voice":true}})");
    REQUIRE(v.media);
    CHECK(v.media->voice);
    CHECK(display_text(v) == "[voice message]");
  }
  SUBCASE("video and sticker") {
    CHECK(display_text(one(std::string("{") + kHead + R"("type":"video","video":{"id":"V"}})")) == "[video]");
    CHECK(display_text(one(std::string("{") + kHead + R"("type":"sticker","sticker":{"id":"S"}})")) == "[sticker]");
  }
  SUBCASE("location") {
    const auto m = one(std::string("{") + kHead +
                       R"("type":"location","location":{"latitude":52.5,"longitude":13.4,"name":"Office","address":"Main St 1"}})");
    CHECK(m.type == MessageType::location);
    CHECK(m.latitude == doctest::Approx(52.5));
    CHECK(display_text(m) == "[location] Office, Main St 1 (52.500000, 13.400000)");
  }
  SUBCASE("reaction and its removal") {
    const auto m = one(std::string("{") + kHead +
                       R"("type":"reaction","reaction":{"message_id":"wamid.OUT","emoji":"\ud83d\udc4d"}})");
    CHECK(m.reaction_to == "wamid.OUT");
    CHECK(display_text(m) == "[reaction] \xF0\x9F\x91\x8D");
    const auto r = one(std::string("{") + kHead + R"("type":"reaction","reaction":{"message_id":"wamid.OUT"}})");
    CHECK(display_text(r) == "[reaction removed]");
  }
  SUBCASE("unsupported with errors becomes a system line") {
    const auto m = one(std::string("{") + kHead +
                       R"("type":"unsupported","errors":[{"code":131051,"title":"Message type unknown","error_data":{"details":"poll"}}]})");
    CHECK(m.type == MessageType::unsupported);
    CHECK(is_system_line(m));
    CHECK(system_line(m) == "A WhatsApp message of type \"unsupported\" could not be shown here: Message type unknown: poll");
  }
  SUBCASE("a type this build does not know is unsupported, its name kept") {
    const auto m = one(std::string("{") + kHead + R"("type":"poll","poll":{}})");
    CHECK(m.type == MessageType::unsupported);
    CHECK(m.type_name == "poll");
    CHECK(is_system_line(m));
  }
  SUBCASE("system (number changed)") {
    const auto m = one(std::string("{") + kHead + R"("type":"system","system":{"body":"User changed number"}})");
    CHECK(is_system_line(m));
    CHECK(m.error == "User changed number");
  }
  SUBCASE("contacts and order are system lines") {
    CHECK(is_system_line(one(std::string("{") + kHead + R"("type":"contacts","contacts":[]})")));
    CHECK(is_system_line(one(std::string("{") + kHead + R"("type":"order","order":{}})")));
  }
  SUBCASE("a reply carries the quoted business message") {
    const auto m = one(std::string("{") + kHead +
                       R"("context":{"from":"15550001","id":"wamid.OUT"},"type":"text","text":{"body":"yes"}})");
    CHECK(m.context_id == "wamid.OUT");
  }
  SUBCASE("a text without a body is a system line, not an empty message") {
    const auto m = one(std::string("{") + kHead + R"("type":"text","text":{}})");
    CHECK(is_system_line(m));
  }
}

TEST_CASE("whatsapp: business-scoped user ids without from") {
  const auto m = one(R"({"user_id":"US.1","id":"wamid.B","timestamp":"1700000000","type":"text","text":{"body":"hi"}})");
  CHECK(m.user_id == "US.1");
  CHECK(m.sender() == "4915112345");  // the one contact's wa_id fills it in
}

TEST_CASE("whatsapp: several entries and changes, messages and statuses together") {
  const std::string body =
      R"({"object":"whatsapp_business_account","entry":[)"
      R"({"id":"W1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"PN1"},)"
      R"("messages":[{"from":"1","id":"m1","timestamp":"1","type":"text","text":{"body":"a"}},)"
      R"({"from":"2","id":"m2","timestamp":"2","type":"text","text":{"body":"b"}}]}},)"
      R"({"field":"messages","value":{"metadata":{"phone_number_id":"PN2"},)"
      R"("statuses":[{"id":"out1","status":"delivered","timestamp":"3","recipient_id":"1",)"
      R"("pricing":{"billable":true,"category":"service","pricing_model":"PMP","type":"regular"}}]}}]},)"
      R"({"id":"W2","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"PN1"},)"
      R"("statuses":[{"id":"out2","status":"failed","timestamp":"4","recipient_id":"2",)"
      R"("errors":[{"code":131026,"title":"Message undeliverable","error_data":{"details":"not on WhatsApp"}}]}]}}]}]})";
  const WebhookBatch b = value_of(parse_webhook(body));
  REQUIRE(b.messages.size() == 2);
  CHECK(b.messages[1].wamid == "m2");
  REQUIRE(b.statuses.size() == 2);
  CHECK(b.statuses[0].phone_number_id == "PN2");
  CHECK(b.statuses[0].state == DeliveryState::delivered);
  CHECK(b.statuses[0].pricing.value("category", "") == "service");
  CHECK(b.statuses[0].key() == "out1|delivered");
  CHECK(b.statuses[1].state == DeliveryState::failed);
  CHECK(b.statuses[1].error_code == 131026);
  CHECK(b.statuses[1].error_title == "Message undeliverable");
  CHECK(b.statuses[1].error_detail == "not on WhatsApp");
  CHECK(b.phone_number_ids == std::vector<std::string>{"PN1", "PN2"});
  CHECK(b.problems.empty());
}

TEST_CASE("whatsapp: malformed bodies are errors, never crashes") {
  CHECK(parse_webhook("").error().code == ErrorCode::bad_json);
  CHECK(parse_webhook("not json").error().code == ErrorCode::bad_json);
  CHECK(parse_webhook("[1,2]").error().code == ErrorCode::bad_json);
  CHECK(parse_webhook(R"({"object":"page","entry":[]})").error().field == "object");
  CHECK(parse_webhook(R"({"object":"whatsapp_business_account"})").error().field == "entry");
  CHECK(parse_webhook(R"({"object":"whatsapp_business_account","entry":{}})").error().field == "entry");
  CHECK(parse_webhook("{\"object\":\"whatsapp_business_account\",\"entry\":[\"\xff\"]}").ok() == false);
}

TEST_CASE("whatsapp: bad items inside a good envelope are skipped and named") {
  SUBCASE("entries and changes of the wrong shape") {
    const WebhookBatch b = value_of(parse_webhook(
        R"({"object":"whatsapp_business_account","entry":[1,{"changes":5},{"changes":[7,{"value":3},)"
        R"({"field":"account_update","value":{}},{"field":"messages","value":{"metadata":{}}}]}]})"));
    CHECK(b.messages.empty());
    CHECK(b.problems.size() == 6);
  }
  SUBCASE("messages without id or sender, statuses of unknown kinds") {
    const WebhookBatch b = value_of(parse_webhook(envelope(
        R"([3,{"from":"1","type":"text"},{"id":"x","type":"text"},{"from":"1","id":"ok","type":"text","text":{"body":"k"}}])")));
    // "x" has no from, but the envelope's one contact gives it a sender: only two are unusable.
    CHECK(b.messages.size() == 2);
    CHECK(b.problems.size() == 2);
    const WebhookBatch s = value_of(parse_webhook(envelope(
        R"([{"id":"a","status":"deleted"},{"status":"read"},{"id":"b","status":"pending"},{"id":"c","status":"read","timestamp":5}])",
        "statuses")));
    REQUIRE(s.statuses.size() == 1);
    CHECK(s.statuses[0].at == 5000);
    CHECK(s.problems.size() == 3);
  }
  SUBCASE("wrong JSON types inside a message read as empty, never throw") {
    const WebhookBatch b = value_of(parse_webhook(envelope(
        R"([{"from":1,"id":"w","timestamp":{},"type":"text","text":{"body":[1]},"context":"x"}])")));
    REQUIRE(b.messages.size() == 1);
    CHECK(b.messages[0].at == 0);
    CHECK(b.messages[0].text.empty());
    CHECK(is_system_line(b.messages[0]));
  }
  SUBCASE("an errors change is named") {
    const WebhookBatch b = value_of(parse_webhook(envelope(R"([{"code":131000,"title":"Something went wrong"}])", "errors")));
    REQUIRE(b.problems.size() == 1);
    CHECK(b.problems[0].find("Something went wrong") != std::string::npos);
  }
}

TEST_CASE("whatsapp: status ordering, both ways") {
  using S = DeliveryState;
  CHECK(furthest(S::pending, S::sent) == S::sent);
  CHECK(furthest(S::sent, S::delivered) == S::delivered);
  CHECK(furthest(S::delivered, S::sent) == S::delivered);  // out of order: stays forward
  CHECK(furthest(S::read, S::delivered) == S::read);
  CHECK(furthest(S::sent, S::read) == S::read);            // delivered skipped
  CHECK(furthest(S::sent, S::failed) == S::failed);
  CHECK(furthest(S::failed, S::sent) == S::failed);        // a late sent does not hide the failure
  CHECK(furthest(S::failed, S::delivered) == S::delivered); // multi-device: delivered overrides failed
  CHECK(furthest(S::delivered, S::failed) == S::delivered); // ... in either order
  CHECK(furthest(S::failed, S::read) == S::read);
  CHECK(furthest(S::read, S::failed) == S::read);
  CHECK(furthest(S::read, S::played) == S::played);
  CHECK(furthest(S::unknown, S::sent) == S::sent);          // a status clears the unknown outcome
  CHECK(furthest(S::pending, S::unknown) == S::unknown);
  for (auto s : {S::pending, S::unknown, S::sent, S::failed, S::delivered, S::read, S::played}) {
    CHECK(parse_delivery_state(to_string(s)) == s);
    CHECK(furthest(s, s) == s);
  }
}

TEST_CASE("whatsapp: the 24-hour window's edges") {
  const Millis t = 1'700'000'000'000;
  CHECK_FALSE(window_open(0, t));  // the customer never wrote
  CHECK(window_open(t, t));
  CHECK(window_open(t, t + kWindowMs - 1));
  CHECK_FALSE(window_open(t, t + kWindowMs));  // exactly 24 h later: closed
  CHECK_FALSE(window_open(t, t + kWindowMs + 1));
  CHECK(window_closes_at(t) == t + kWindowMs);
  CHECK(window_closes_at(0) == 0);
}

TEST_CASE("whatsapp: send classification") {
  auto err = [](int code, const char* msg = "m") {
    return std::string(R"({"error":{"message":")") + msg + R"(","type":"OAuthException","code":)" +
           std::to_string(code) + R"(,"error_data":{"details":"d"},"fbtrace_id":"x"}})";
  };
  SUBCASE("accepted") {
    const auto v = classify_send(Transport::answered, 200, R"({"messages":[{"id":"wamid.OK"}],"contacts":[]})", 1);
    CHECK(v.cls == SendClass::ok);
    CHECK(v.provider_id == "wamid.OK");
    CHECK(classify_send(Transport::answered, 200, "{}", 1).cls == SendClass::unknown_outcome);
  }
  SUBCASE("throughput limit backs off exponentially, capped, honouring Retry-After") {
    const auto a = classify_send(Transport::answered, 400, err(130429), 1);
    CHECK(a.cls == SendClass::retry);
    CHECK(a.code == 130429);
    CHECK(a.delay_ms == 2000);
    CHECK(classify_send(Transport::answered, 400, err(130429), 3).delay_ms == 8000);
    CHECK(classify_send(Transport::answered, 400, err(130429), 40).delay_ms == 5 * 60 * 1000);
    CHECK(classify_send(Transport::answered, 400, err(130429), 1, 9).delay_ms == 9000);
  }
  SUBCASE("per-user rate") {
    const auto v = classify_send(Transport::answered, 400, err(131056), 2);
    CHECK(v.cls == SendClass::retry_user);
    CHECK(v.delay_ms == 12000);
  }
  SUBCASE("maintenance, temporary errors, 5xx, timeouts before sending") {
    CHECK(classify_send(Transport::answered, 400, err(131057), 1).delay_ms == 30000);
    CHECK(classify_send(Transport::answered, 500, err(131000), 1).cls == SendClass::retry);
    CHECK(classify_send(Transport::answered, 503, "<html>", 1).cls == SendClass::retry);
    CHECK(classify_send(Transport::answered, 429, "", 1).cls == SendClass::retry);
    CHECK(classify_send(Transport::not_sent, 0, "", 1).cls == SendClass::retry);
  }
  SUBCASE("permanent ones stop") {
    CHECK(classify_send(Transport::answered, 400, err(131026), 1).cls == SendClass::permanent);
    CHECK(classify_send(Transport::answered, 400, err(132000), 1).cls == SendClass::permanent);
    CHECK(classify_send(Transport::answered, 400, err(132012), 1).cls == SendClass::permanent);
    CHECK(classify_send(Transport::answered, 400, err(100), 1).cls == SendClass::permanent);
    CHECK(classify_send(Transport::answered, 404, "", 1).cls == SendClass::permanent);
  }
  SUBCASE("outside the window: a template is needed") {
    const auto v = classify_send(Transport::answered, 400, err(131047, "Re-engagement message"), 1);
    CHECK(v.cls == SendClass::template_needed);
    CHECK(v.reason.find("template") != std::string::npos);
  }
  SUBCASE("auth errors stop the number") {
    CHECK(classify_send(Transport::answered, 401, err(190), 1).cls == SendClass::auth_stop);
    CHECK(classify_send(Transport::answered, 400, err(0), 1).cls == SendClass::permanent);
    CHECK(classify_send(Transport::answered, 401, err(0), 1).cls == SendClass::auth_stop);
    CHECK(classify_send(Transport::answered, 403, err(10), 1).cls == SendClass::auth_stop);
    CHECK(classify_send(Transport::answered, 401, "", 1).cls == SendClass::auth_stop);
    CHECK(classify_send(Transport::refused, 0, "", 1).cls == SendClass::auth_stop);
  }
  SUBCASE("an unknown outcome is never a retry") {
    CHECK(classify_send(Transport::unknown, 0, "", 1).cls == SendClass::unknown_outcome);
    CHECK(classify_send(Transport::too_large, 200, "", 1).cls == SendClass::unknown_outcome);
  }
  SUBCASE("retries end after kMaxAttempts") {
    CHECK(classify_send(Transport::not_sent, 0, "", kMaxAttempts).cls == SendClass::permanent);
  }
}

TEST_CASE("whatsapp: token buckets") {
  TokenBucket b{2, 3};
  CHECK(b.take(1000));
  CHECK(b.take(1000));
  CHECK(b.take(1000));
  CHECK_FALSE(b.take(1000));  // burst spent
  CHECK(b.wait_ms(1000) == 500);
  CHECK_FALSE(b.take(1400));
  CHECK(b.take(1500));
  CHECK_FALSE(b.take(1500));
  CHECK(b.take(10'000));  // refills, capped at the burst
  CHECK(b.take(10'000));
  CHECK(b.take(10'000));
  CHECK_FALSE(b.take(10'000));
  TokenBucket user{kUserRate, 1};
  CHECK(user.take(0));
  CHECK_FALSE(user.take(5999));
  CHECK(user.wait_ms(5999) >= 1);
  CHECK(user.wait_ms(5999) <= 2);
  CHECK(user.take(6000));
}

TEST_CASE("whatsapp: Graph request bodies and template checks") {
  const Json t = text_body("49151", "hi", "wamid.Q");
  CHECK(t["messaging_product"] == "whatsapp");
  CHECK(t["to"] == "49151");
  CHECK(t["type"] == "text");
  CHECK(t["text"]["body"] == "hi");
  CHECK(t["context"]["message_id"] == "wamid.Q");
  CHECK_FALSE(text_body("1", "x").contains("context"));
  const Json tp = template_body("49151", TemplateSend{"order_update", "en_US", {"Ada", "42"}});
  CHECK(tp["template"]["name"] == "order_update");
  CHECK(tp["template"]["language"]["code"] == "en_US");
  CHECK(tp["template"]["components"][0]["parameters"][1]["text"] == "42");
  CHECK_FALSE(template_body("1", TemplateSend{"hello_world", "en", {}})["template"].contains("components"));
  const Json rr = read_receipt_body("wamid.R", true);
  CHECK(rr["status"] == "read");
  CHECK(rr["typing_indicator"]["type"] == "text");
  CHECK_FALSE(check_template(TemplateSend{"hello_world", "en", {}}));
  CHECK(check_template(TemplateSend{"", "en", {}})->field == "template.name");
  CHECK(check_template(TemplateSend{"Hello World", "en", {}})->field == "template.name");
  CHECK(check_template(TemplateSend{"a", "english", {}})->field == "template.language");
  CHECK(check_template(TemplateSend{"a", "en", {""}})->field == "template.parameters");
  CHECK(check_template(TemplateSend{"a", "en", std::vector<std::string>(21, "x")})->field == "template.parameters");
}

TEST_CASE("whatsapp: verification handshake") {
  CHECK(verify_challenge("subscribe", "tok", "12345", "tok") == std::optional<std::string>("12345"));
  CHECK_FALSE(verify_challenge("subscribe", "bad", "12345", "tok"));
  CHECK_FALSE(verify_challenge("unsubscribe", "tok", "12345", "tok"));
  CHECK_FALSE(verify_challenge("subscribe", "", "12345", ""));  // no verify token configured
  CHECK_FALSE(verify_challenge("subscribe", "tok", "", "tok"));
}

#include "parley/delivery.hpp"

TEST_CASE("delivery: the staff-only chat.delivery event") {
  Conversation c;
  c.id = "c_1";
  c.tenant_id = "t";
  c.head_seq = 4;
  c.status = Status::active;
  const Transition t = value_of(delivery_changed(c, DeliveryNote{3, "whatsapp", "failed", "undeliverable", 131026, false}, 99));
  REQUIRE(t.events.size() == 1);
  CHECK(t.events[0].seq == 5);
  CHECK(t.events[0].type == "chat.delivery");
  CHECK(t.events[0].audience == Audience::staff);
  CHECK(t.events[0].data["seq"] == 3);
  CHECK(t.events[0].data["state"] == "failed");
  CHECK(t.events[0].data["code"] == 131026);
  CHECK_FALSE(t.events[0].data.contains("template_needed"));
  CHECK(t.next.head_seq == 5);
  CHECK(t.next.status == Status::active);
  CHECK(delivery_changed(c, DeliveryNote{0, "whatsapp", "sent"}, 1).error().field == "seq");
  CHECK(delivery_changed(c, DeliveryNote{5, "whatsapp", "sent"}, 1).error().field == "seq");
  CHECK(delivery_changed(c, DeliveryNote{2, "whatsapp", "lost"}, 1).error().field == "state");
  CHECK(value_of(delivery_changed(c, DeliveryNote{2, "whatsapp", "failed", "x", 131047, true}, 1))
            .events[0].data["template_needed"] == true);
}
