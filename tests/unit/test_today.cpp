// parley/today.hpp: what a conversation contributes to "resolved today", the wait mean and the
// first-response mean, and a TodayCounts that adds and removes contributions exactly.
#include <doctest/doctest.h>

#include "parley/today.hpp"

using namespace parley;

namespace {

constexpr Millis kDayStart = 1'763'683'200'000;  // some midnight
constexpr Millis kMin = 60'000;

Conversation handed_off(Millis at) {
  Conversation c;
  c.id = "c_1";
  c.status = Status::pending;
  c.handed_off_at = at;
  return c;
}

}  // namespace

TEST_CASE("today: a conversation handed off, accepted and answered today counts once in each") {
  Conversation c = handed_off(kDayStart + 10 * kMin);
  c.status = Status::active;
  c.assigned_at = kDayStart + 12 * kMin;
  c.first_agent_response_at = kDayStart + 15 * kMin;
  const TodayContribution t = today_contribution(c, kDayStart);
  CHECK_FALSE(t.resolved);
  CHECK(t.waited);
  CHECK(t.wait_ms == 2 * kMin);
  CHECK(t.first_response);
  CHECK(t.first_response_ms == 5 * kMin);

  c.status = Status::resolved;
  c.resolved_at = kDayStart + 20 * kMin;
  CHECK(today_contribution(c, kDayStart).resolved);
  c.resolved_at = kDayStart - 1;  // yesterday
  CHECK_FALSE(today_contribution(c, kDayStart).resolved);
  c.resolved_at = kDayStart;  // the first millisecond of today is today
  CHECK(today_contribution(c, kDayStart).resolved);
  c.status = Status::bot;  // reopened: resolved_at stays, but it is not resolved any more
  CHECK_FALSE(today_contribution(c, kDayStart).resolved);
}

TEST_CASE("today: never handed off, or assigned before the day started, contributes no wait") {
  Conversation bot;
  bot.status = Status::bot;
  TodayContribution t = today_contribution(bot, kDayStart);
  CHECK_FALSE(t.resolved);
  CHECK_FALSE(t.waited);
  CHECK_FALSE(t.first_response);

  // Not handed off, yet with times (e.g. a mirrored conversation a person answered): nothing.
  Conversation odd;
  odd.assigned_at = kDayStart + kMin;
  odd.first_agent_response_at = kDayStart + 2 * kMin;
  t = today_contribution(odd, kDayStart);
  CHECK_FALSE(t.waited);
  CHECK_FALSE(t.first_response);

  // Handed off and accepted yesterday, first answered today: the first response counts.
  Conversation c = handed_off(kDayStart - 30 * kMin);
  c.status = Status::active;
  c.assigned_at = kDayStart - 20 * kMin;
  c.first_agent_response_at = kDayStart + 5 * kMin;
  t = today_contribution(c, kDayStart);
  CHECK_FALSE(t.waited);
  CHECK(t.first_response);
  CHECK(t.first_response_ms == 35 * kMin);

  // Still waiting: no assignment yet, even with a day start of 0.
  t = today_contribution(handed_off(kDayStart + kMin), 0);
  CHECK_FALSE(t.waited);
  CHECK_FALSE(t.first_response);
}

TEST_CASE("today: a negative interval (requeued after the assignment) counts nothing") {
  Conversation c = handed_off(kDayStart + 30 * kMin);  // back in the queue at 00:30
  c.assigned_at = kDayStart + 10 * kMin;                // the earlier assignment
  c.first_agent_response_at = kDayStart + 11 * kMin;
  const TodayContribution t = today_contribution(c, kDayStart);
  CHECK_FALSE(t.waited);
  CHECK_FALSE(t.first_response);
  // Zero is not negative: accepted the moment it was handed off.
  c.assigned_at = c.handed_off_at;
  CHECK(today_contribution(c, kDayStart).waited);
  CHECK(today_contribution(c, kDayStart).wait_ms == 0);
}

TEST_CASE("today: TodayCounts adds and removes exactly, and averages in whole seconds") {
  TodayCounts n;
  CHECK(n.avg_wait_s() == 0);
  CHECK(n.avg_first_response_s() == 0);

  Conversation a = handed_off(kDayStart + kMin);
  a.status = Status::active;
  a.assigned_at = a.handed_off_at + 30'500;  // 30.5 s
  Conversation b = handed_off(kDayStart + 2 * kMin);
  b.status = Status::active;
  b.assigned_at = b.handed_off_at + 60'000;
  b.first_agent_response_at = b.assigned_at + 10'000;
  n.add(a, kDayStart);
  n.add(b, kDayStart);
  CHECK(n.wait_n == 2);
  CHECK(n.wait_sum_ms == 90'500);
  CHECK(n.avg_wait_s() == 45);  // 45.25 s
  CHECK(n.first_response_n == 1);
  CHECK(n.avg_first_response_s() == 70);

  // A change: remove the committed state, add the next one.
  n.remove(b, kDayStart);
  Conversation b2 = b;
  b2.status = Status::resolved;
  b2.resolved_at = b.first_agent_response_at + kMin;
  n.add(b2, kDayStart);
  CHECK(n.resolved_today == 1);
  CHECK(n.wait_n == 2);
  CHECK(n.wait_sum_ms == 90'500);

  n.remove(a, kDayStart);
  n.remove(b2, kDayStart);
  CHECK(n.resolved_today == 0);
  CHECK(n.wait_n == 0);
  CHECK(n.wait_sum_ms == 0);
  CHECK(n.first_response_n == 0);
  CHECK(n.first_response_sum_ms == 0);
}
