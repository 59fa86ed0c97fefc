// Unit tests of the REST API's pure helpers (relay/src/app/http/rest_io.hpp).
#include "app/http/rest_io.hpp"

#include <doctest/doctest.h>

using namespace parley;
using namespace parley::relay;
using namespace parley::relay::http;

namespace {
Json J(const char* s) { return Json::parse(s); }
template <class T>
const ApiError& err(const ApiResult<T>& r) {
  return std::get<ApiError>(r);
}
}  // namespace

TEST_CASE("parse_json_body: size, UTF-8, surrogates, JSON, object") {
  CHECK(ok(parse_json_body("{\"a\":1}")));
  CHECK(err(parse_json_body(std::string(kMaxBodyBytes + 1, ' '))).status == 413);
  CHECK(err(parse_json_body("{\"a\":\"\xff\"}")).code == "bad_unicode");
  CHECK(err(parse_json_body("{\"a\":\"\\ud800\"}")).code == "bad_unicode");
  CHECK(ok(parse_json_body("{\"a\":\"\\ud83d\\ude00\"}")));
  CHECK(err(parse_json_body("{\"a\":")).code == "bad_json");
  CHECK(err(parse_json_body("[1]")).code == "bad_json");
  CHECK(ok(parse_json_body("[1]", false)));
  CHECK(err(parse_json_body("")).status == 400);
}

TEST_CASE("status_for maps protocol codes") {
  CHECK(status_for(ErrorCode::missing_field) == 400);
  CHECK(status_for(ErrorCode::unauthorized) == 401);
  CHECK(status_for(ErrorCode::forbidden) == 403);
  CHECK(status_for(ErrorCode::not_found) == 404);
  CHECK(status_for(ErrorCode::already_assigned) == 409);
  CHECK(status_for(ErrorCode::rate_limited) == 429);
  CHECK(status_for(ErrorCode::unavailable) == 503);
  CHECK(status_for(ErrorCode::busy) == 503);  // was 500: a busy database read as a server fault
  parley::relay::HttpResponse r = error_response(api_error(ErrorCode::bad_field, "x", "text"));
  CHECK(r.status == 400);
  CHECK(Json::parse(r.body)["error"]["field"] == "text");
}

TEST_CASE("parse_query") {
  auto q = parse_query("status=pending&q=hello+world%21&limit=5&flag");
  REQUIRE(ok(q));
  auto& m = std::get<0>(q);
  CHECK(m["status"] == "pending");
  CHECK(m["q"] == "hello world!");
  CHECK(m["flag"] == "");
  CHECK(err(parse_query("a=%zz")).code == "bad_field");
  CHECK(err(parse_query("a=%2")).code == "bad_field");
  CHECK(err(parse_query("a=%ff")).code == "bad_unicode");
  CHECK(parse_uint("12", 100) == 12u);
  CHECK(!parse_uint("101", 100));
  CHECK(!parse_uint("-1", 100));
  CHECK(!parse_uint("", 100));
  CHECK(split_path("/api//v1/conversations/c_1/") ==
        std::vector<std::string>{"api", "v1", "conversations", "c_1"});
}

TEST_CASE("decode_send_message") {
  auto r = decode_send_message(J(R"({"text":"  hi  ","client_msg_id":"m1","kind":"note"})"));
  REQUIRE(ok(r));
  CHECK(std::get<0>(r).text == "hi");
  CHECK(std::get<0>(r).kind == MessageKind::note);
  CHECK(err(decode_send_message(J(R"({})"))).code == "missing_field");
  CHECK(err(decode_send_message(J(R"({"text":"   "})"))).code == "missing_field");
  CHECK(err(decode_send_message(J(R"({"text":5})"))).code == "bad_field");
  CHECK(err(decode_send_message(J(R"({"text":"a","kind":"system"})"))).field == "kind");
  CHECK(err(decode_send_message(J(R"({"text":"a","client_msg_id":""})"))).field == "client_msg_id");
  Json big{{"text", std::string(4001, 'a')}};
  CHECK(err(decode_send_message(big)).code == "text_too_long");
  Json fits{{"text", std::string(4000, 'a')}};
  CHECK(ok(decode_send_message(fits)));
  std::string emoji;
  for (int i = 0; i < 4000; ++i) emoji += "\xF0\x9F\x98\x80";
  CHECK(ok(decode_send_message(Json{{"text", emoji}})));  // code points, not bytes
  CHECK(ok(decode_send_message(J(R"({"text":"a","client_msg_id":null})"))));
}

TEST_CASE("decode_resolve, handoff, priority, apikey") {
  std::vector<std::string> types{"billing", "other"};
  CHECK(ok(decode_resolve(J(R"({"resolution":"done","issue_type":"billing"})"), types)));
  CHECK(err(decode_resolve(J(R"({"issue_type":"nope"})"), types)).field == "issue_type");
  CHECK(ok(decode_resolve(J(R"({})"), types)));
  CHECK(err(decode_handoff(J(R"({"reason":"x"})"), true)).field == "user_id");
  CHECK(ok(decode_handoff(J(R"({"reason":"x"})"), false)));
  CHECK(std::get<0>(decode_priority(J(R"({"priority":"urgent"})"))) == Priority::urgent);
  CHECK(err(decode_priority(J(R"({"priority":"meh"})"))).code == "bad_field");
  CHECK(err(decode_priority(J(R"({})"))).code == "missing_field");
  CHECK(err(decode_apikey_name(J(R"({"name":""})"))).code == "missing_field");
}

TEST_CASE("decode_new_user and password change") {
  auto u = decode_new_user(J(R"({"username":"sam","role":"agent","password":"0123456789"})"));
  REQUIRE(ok(u));
  CHECK(std::get<0>(u).display_name == "sam");
  CHECK(err(decode_new_user(J(R"({"username":"sam","role":"agent","password":"short"})"))).field ==
        "password");
  CHECK(err(decode_new_user(J(R"({"username":"s m","role":"agent","password":"0123456789"})"))).field ==
        "username");
  CHECK(err(decode_new_user(J(R"({"username":"sam","role":"boss","password":"0123456789"})"))).field ==
        "role");
  CHECK(err(decode_password_change(J(R"({"current_password":"x","new_password":"short"})"))).field ==
        "new_password");
}

TEST_CASE("decode_kb") {
  auto r = decode_kb(J(R"([{"id":"a","title":"T","body":"B","keywords":["Refund"," X "]}])"));
  REQUIRE(ok(r));
  CHECK(std::get<0>(r)[0].keywords == std::vector<std::string>{"refund", "x"});
  CHECK(ok(decode_kb(J(R"({"articles":[]})"))));
  CHECK(err(decode_kb(J(R"([{"id":"a","title":"T","body":"B"},{"id":"a","title":"T","body":"B"}])"))).field ==
        "articles[1].id");
  CHECK(err(decode_kb(J(R"([{"id":"a","title":"T"}])"))).field == "articles[0].body");
  CHECK(err(decode_kb(J(R"([{"id":"a","title":"T","body":"B","keywords":[1]}])"))).field ==
        "articles[0].keywords");
  CHECK(err(decode_kb(J(R"([3])"))).code == "bad_field");
  CHECK(err(decode_kb(J(R"("x")"))).code == "bad_json");
}

TEST_CASE("decode_sync: the seed contract") {
  auto r = decode_sync(
      J(R"({"user_id":"user_123","message":"I need help","sender":"user","timestamp":"2024-10-21 16:45:00"})"),
      "Bibiana");
  REQUIRE(ok(r));
  const SyncRequest& s = std::get<0>(r);
  CHECK(s.sender == Role::customer);
  REQUIRE(s.at);
  CHECK(*s.at == 1729529100000);
  CHECK(s.message_id.empty());

  CHECK(std::get<0>(decode_sync(J(R"({"user_id":"u","message":"m","sender":"bibiana"})"), "")).sender ==
        Role::bot);
  CHECK(std::get<0>(decode_sync(J(R"({"user_id":"u","message":"m","sender":"Nova"})"), "nova")).sender ==
        Role::bot);
  CHECK(std::get<0>(decode_sync(J(R"({"user_id":"u","message":"m","sender":"AI"})"), "")).sender ==
        Role::bot);
  CHECK(std::get<0>(decode_sync(J(R"({"user_id":"u","message":"m","sender":"staff"})"), "")).sender ==
        Role::agent);
  CHECK(err(decode_sync(J(R"({"user_id":"u","message":"m","sender":"martian"})"), "")).field == "sender");
  CHECK(err(decode_sync(J(R"({"message":"m","sender":"user"})"), "")).field == "user_id");
  CHECK(err(decode_sync(J(R"({"user_id":"u","sender":"user"})"), "")).field == "message");
  CHECK(err(decode_sync(J(R"({"user_id":"u","message":"m"})"), "")).field == "sender");
  CHECK(err(decode_sync(J(R"({"user_id":7,"message":"m","sender":"user"})"), "")).code == "bad_field");
  CHECK(err(decode_sync(J(R"({"user_id":"u","message":"m","sender":"user","timestamp":"yesterday"})"), ""))
            .field == "timestamp");
  CHECK(err(decode_sync(Json{{"user_id", "u"}, {"message", std::string(4001, 'x')}, {"sender", "user"}}, ""))
            .code == "text_too_long");
  auto full = decode_sync(
      J(R"({"user_id":"u","message":"m","sender":"user","message_id":"x1","user_name":"Ada","priority":"high","timestamp":1729529100})"),
      "");
  REQUIRE(ok(full));
  CHECK(std::get<0>(full).message_id == "x1");
  CHECK(std::get<0>(full).priority == Priority::high);
  CHECK(*std::get<0>(full).at == 1729529100000);
  CHECK(err(decode_sync(J(R"({"user_id":"u","message":"m","sender":"user","priority":"meh"})"), "")).field ==
        "priority");
}

TEST_CASE("parse_timestamp") {
  CHECK(parse_timestamp("1970-01-01 00:00:00") == 0);
  CHECK(parse_timestamp("2024-10-21T16:45:00Z") == 1729529100000);
  CHECK(parse_timestamp("2024-10-21T18:45:00+02:00") == 1729529100000);
  CHECK(parse_timestamp("2024-10-21T11:45:00-0500") == 1729529100000);
  CHECK(parse_timestamp("2024-10-21T16:45:00.250Z") == 1729529100250);
  CHECK(parse_timestamp("2024-10-21") == 1729468800000);
  CHECK(parse_timestamp("2024-02-29 00:00:00").has_value());
  CHECK(!parse_timestamp("2023-02-29 00:00:00"));
  CHECK(!parse_timestamp("2024-13-01 00:00:00"));
  CHECK(!parse_timestamp("2024-10-21 25:00:00"));
  CHECK(!parse_timestamp("2024-10-21T16:45:00+2"));
  CHECK(!parse_timestamp("2024-10-21 16:45:00 junk"));
  CHECK(!parse_timestamp(""));
}

TEST_CASE("TimeZone") {
  auto utc = TimeZone::find("UTC");
  REQUIRE(utc);
  const Millis t = 1729529100000;  // 2024-10-21 16:45 UTC
  CHECK(utc->start_of_day(t) == 1729468800000);
  auto plus2 = TimeZone::find("+02:00");
  REQUIRE(plus2);
  CHECK(plus2->offset_at(t) == 7200);
  CHECK(plus2->start_of_day(t) == 1729468800000 - 7200000);
  auto utc5 = TimeZone::find("UTC-5");
  REQUIRE(utc5);
  CHECK(utc5->offset_at(t) == -18000);
  // 2024-10-21 02:00 UTC is still the 20th at -05:00.
  CHECK(utc5->start_of_day(1729476000000) == 1729400400000);
  CHECK(!TimeZone::find("Mars/Olympus"));
  CHECK(!TimeZone::find("../etc/passwd"));
  CHECK(!TimeZone::find("+25:00"));
  if (auto berlin = TimeZone::find("Europe/Berlin")) {  // needs tzdata
    CHECK(berlin->offset_at(t) == 7200);                // CEST
    CHECK(berlin->offset_at(1735689600000) == 3600);    // 2025-01-01: CET
    CHECK(berlin->start_of_day(t) == 1729468800000 - 7200000);
    // 2024-03-31 (spring forward at 01:00 UTC): the day started at 23:00 UTC the day before (CET).
    CHECK(berlin->start_of_day(1711890000000 /* 2024-03-31 13:00 UTC */) == 1711839600000);
  }
}
