// parley/metrics.hpp: today's dashboard figures folded from the state machine's own events.
#include <doctest/doctest.h>

#include "parley/conversation.hpp"
#include "parley/csat.hpp"
#include "parley/metrics.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::value_of;

namespace {
const Actor kCustomer{Role::customer, "k_1", "Ada"};
const Actor kAgent{Role::agent, "u_1", "Sam"};
const Actor kBot{Role::bot, "bot", "Assistant"};
constexpr Millis kSec = 1000;
constexpr Millis kDayStart = 1'000'000'000;
constexpr Millis kDayEnd = kDayStart + 24 * 3600 * kSec;

// Folds every event of `t` into `d`, then returns the next state.
Conversation fold(DayFigures& d, const Transition& t) {
  for (const Event& e : t.events) observe(d, e);
  return t.next;
}

Message text(std::string body) {
  Message m;
  m.text = std::move(body);
  return m;
}

// One chat from start to resolution: starts at t0, handed off at t0+10s, accepted at +40s,
// first answer at +50s, resolved at +130s.
Conversation one_chat(DayFigures& d, const std::string& id, Millis t0) {
  Conversation c;
  c.id = id;
  c.tenant_id = "t_1";
  c.contact_id = "k_1";
  const ConversationPolicy p{true, 0};
  c = fold(d, start_conversation(c, kCustomer, t0, p));
  c = fold(d, value_of(hand_off(c, kBot, "customer_asked", "", t0 + 10 * kSec)));
  c = fold(d, value_of(accept(c, kAgent, t0 + 40 * kSec)));
  c = fold(d, value_of(post_message(c, kAgent, text("hi"), t0 + 50 * kSec, p)));
  c = fold(d, value_of(post_message(c, kAgent, text("second answer does not count"), t0 + 60 * kSec, p)));
  c = fold(d, value_of(resolve(c, kAgent, false, "done", "billing", t0 + 130 * kSec)));
  return c;
}
}  // namespace

TEST_CASE("metrics: waits, first response, resolution, hand-offs and per-agent figures from one chat") {
  DayFigures d = new_day(kDayStart, kDayEnd);
  one_chat(d, "c_1", kDayStart + 100 * kSec);
  CHECK(d.resolved == 1);
  CHECK(d.wait_n == 1);
  CHECK(d.wait_sum_ms == 30 * kSec);
  CHECK(d.wait_max_ms == 30 * kSec);
  CHECK(d.first_response_n == 1);
  CHECK(d.first_response_sum_ms == 40 * kSec);
  CHECK(d.resolution_n == 1);
  CHECK(d.resolution_sum_ms == 130 * kSec);
  CHECK(d.handoffs_from_assistant == 1);
  REQUIRE(d.agents.count("u_1") == 1);
  CHECK(d.agents["u_1"].resolved == 1);
  CHECK(d.agents["u_1"].handle_sum_ms == 90 * kSec);
  CHECK(d.agents["u_1"].name == "Sam");
  const Dashboard b = dashboard_of(d);
  CHECK(b.avg_wait_s == 30);
  CHECK(b.longest_wait_today_s == 30);
  CHECK(b.avg_first_response_s == 40);
  CHECK(b.avg_resolution_s == 130);
  REQUIRE(b.agents.size() == 1);
  CHECK(b.agents[0].avg_handle_s == 90);
}

TEST_CASE("metrics: averages over several chats; CSAT average and count; a re-rating today replaces") {
  DayFigures d = new_day(kDayStart, kDayEnd);
  Conversation a = one_chat(d, "c_1", kDayStart + 100 * kSec);
  Conversation b = one_chat(d, "c_2", kDayStart + 1000 * kSec);
  a = fold(d, value_of(rate(a, kCustomer, 5, "", kDayStart + 2000 * kSec)));
  b = fold(d, value_of(rate(b, kCustomer, 2, "", kDayStart + 2001 * kSec)));
  CHECK(d.csat_n == 2);
  CHECK(d.csat_sum == 7);
  CHECK(dashboard_of(d).csat_average == doctest::Approx(3.5));
  b = fold(d, value_of(request_csat(b, kAgent, "again?", kDayStart + 2100 * kSec)));
  b = fold(d, value_of(rate(b, kCustomer, 4, "", kDayStart + 2200 * kSec)));
  CHECK(d.csat_n == 2);
  CHECK(d.csat_sum == 9);
  CHECK(dashboard_of(d).csat_count == 2);
  CHECK(dashboard_of(d).csat_average == doctest::Approx(4.5));
  CHECK(d.resolved == 2);
  CHECK(d.agents["u_1"].resolved == 2);
}

TEST_CASE("metrics: events outside the day, ephemeral ones and starts without an assistant count for nothing") {
  DayFigures d = new_day(kDayStart, kDayEnd);
  one_chat(d, "c_0", kDayStart - 500 * kSec);  // yesterday, all of it
  CHECK(d.resolved == 0);
  CHECK(d.wait_n == 0);
  CHECK(d.events_counted == 0);
  Event typing;
  typing.type = std::string(ev::typing);
  typing.seq = 0;
  typing.at = kDayStart + 10;
  CHECK_FALSE(observe(d, typing));
  Conversation c;
  c.id = "c_9";
  c.contact_id = "k_1";
  fold(d, start_conversation(c, kCustomer, kDayStart + 5, ConversationPolicy{false, 0}));
  CHECK(d.handoffs_from_assistant == 0);
}

TEST_CASE("metrics: an abandoned chat counts as an ending, not in the resolution time") {
  DayFigures d = new_day(kDayStart, kDayEnd);
  Conversation c;
  c.id = "c_1";
  c.contact_id = "k_1";
  c = fold(d, start_conversation(c, kCustomer, kDayStart + 1, ConversationPolicy{false, 0}));
  c = fold(d, value_of(abandon(c, kDayStart + 60 * kSec)));
  CHECK(d.resolved == 1);
  CHECK(d.abandoned == 1);
  CHECK(d.resolution_n == 0);
}

TEST_CASE("metrics: the dashboard JSON round-trips") {
  DayFigures d = new_day(kDayStart, kDayEnd);
  one_chat(d, "c_1", kDayStart + 100 * kSec);
  Dashboard b = dashboard_of(d);
  b.waiting = 3;
  b.active = 2;
  b.longest_wait_s = 77;
  b.agents[0].status = "online";
  b.agents[0].active = 2;
  b.csat_average = 4.25;
  b.csat_count = 4;
  const Dashboard back = value_of(decode_dashboard(to_json(b)));
  CHECK(back == b);
  CHECK_FALSE(decode_dashboard(Json::array()).ok());
}
