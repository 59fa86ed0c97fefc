// parley/hours.hpp: business hours and holidays in the tenant's time zone, with DST edges.
#include <doctest/doctest.h>

#include "parley/hours.hpp"

using namespace parley;

namespace {

constexpr Millis kHour = 3'600'000, kMin = 60'000;

// UTC ms of a civil UTC date and time.
Millis utc(int y, int mo, int d, int h = 0, int mi = 0) {
  // days_from_civil (Hinnant)
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = std::int64_t{era} * 146097 + doe - 719468;
  return days * 86'400'000 + h * kHour + mi * kMin;
}

// Europe/Berlin in 2026: CET (+1) until 2026-03-29 01:00 UTC, CEST (+2) until 2026-10-25 01:00 UTC.
const Millis kSpring = utc(2026, 3, 29, 1), kFall = utc(2026, 10, 25, 1);
int berlin(Millis at) { return at >= kSpring && at < kFall ? 7200 : 3600; }
int utc0(Millis) { return 0; }

BusinessHours weekdays_9_to_17() {
  BusinessHours h;
  h.enabled = true;
  for (int d = 0; d < 5; ++d) h.week[d] = {TimeRange{9 * 60, 17 * 60}};
  return h;
}

}  // namespace

TEST_CASE("hours: hours that are not enabled are always open") {
  BusinessHours h;
  CHECK(is_open(h, utc(2026, 1, 4, 3), utc0));  // a Sunday night
  CHECK(next_opening(h, utc(2026, 1, 4, 3), utc0) == utc(2026, 1, 4, 3));
}

TEST_CASE("hours: weekdays, boundaries inclusive at the start and exclusive at the end") {
  const BusinessHours h = weekdays_9_to_17();
  CHECK(weekday_of(0) == 3);                         // 1970-01-01 was a Thursday
  CHECK(is_open(h, utc(2026, 1, 5, 9), utc0));       // Monday 09:00
  CHECK_FALSE(is_open(h, utc(2026, 1, 5, 8, 59), utc0));
  CHECK(is_open(h, utc(2026, 1, 5, 16, 59), utc0));
  CHECK_FALSE(is_open(h, utc(2026, 1, 5, 17), utc0));
  CHECK_FALSE(is_open(h, utc(2026, 1, 3, 12), utc0));  // Saturday
  // Friday evening -> Monday 09:00
  CHECK(next_opening(h, utc(2026, 1, 9, 18), utc0) == utc(2026, 1, 12, 9));
  // before opening on the same day
  CHECK(next_opening(h, utc(2026, 1, 5, 7), utc0) == utc(2026, 1, 5, 9));
}

TEST_CASE("hours: the tenant's zone decides, not UTC") {
  const BusinessHours h = weekdays_9_to_17();
  // Monday 2026-01-05 08:30 UTC is 09:30 in Berlin (CET): open there, closed in UTC.
  CHECK(is_open(h, utc(2026, 1, 5, 8, 30), berlin));
  CHECK_FALSE(is_open(h, utc(2026, 1, 5, 8, 30), utc0));
  CHECK(next_opening(h, utc(2026, 1, 5, 6), berlin) == utc(2026, 1, 5, 8));
}

TEST_CASE("hours: DST spring forward moves the opening by an hour in UTC") {
  const BusinessHours h = weekdays_9_to_17();
  // Friday 2026-03-27 after closing -> Monday 2026-03-30 09:00 CEST = 07:00 UTC (not 08:00).
  CHECK(next_opening(h, utc(2026, 3, 27, 17), berlin) == utc(2026, 3, 30, 7));
  CHECK(is_open(h, utc(2026, 3, 30, 7), berlin));
  CHECK_FALSE(is_open(h, utc(2026, 3, 30, 6, 59), berlin));
}

TEST_CASE("hours: an opening in the skipped hour opens when the clock jumps") {
  BusinessHours h;
  h.enabled = true;
  h.week[6] = {TimeRange{2 * 60 + 30, 5 * 60}};  // Sunday 02:30-05:00
  // 2026-03-29 02:30 local does not exist in Berlin (02:00 -> 03:00 at 01:00 UTC).
  const auto opens = next_opening(h, utc(2026, 3, 28, 12), berlin);
  REQUIRE(opens.has_value());
  CHECK(*opens == kSpring);  // 03:00 CEST, the first instant after the gap
  CHECK(is_open(h, kSpring, berlin));
  CHECK_FALSE(is_open(h, kSpring - kMin, berlin));  // 01:59 CET
}

TEST_CASE("hours: the repeated hour of fall back is open twice") {
  BusinessHours h;
  h.enabled = true;
  h.week[6] = {TimeRange{2 * 60, 3 * 60}};  // Sunday 02:00-03:00
  // 2026-10-25: 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC) both happen.
  CHECK(is_open(h, utc(2026, 10, 25, 0, 30), berlin));
  CHECK(is_open(h, utc(2026, 10, 25, 1, 30), berlin));
  CHECK_FALSE(is_open(h, utc(2026, 10, 25, 2), berlin));  // 03:00 CET
  // Monday 2026-10-26 09:00 CET = 08:00 UTC after the change.
  CHECK(next_opening(weekdays_9_to_17(), utc(2026, 10, 23, 18), berlin) == utc(2026, 10, 26, 8));
}

TEST_CASE("hours: holidays are closed all day, in local dates") {
  BusinessHours h = weekdays_9_to_17();
  h.holidays = {"2026-12-24", "2026-12-25"};
  CHECK_FALSE(is_open(h, utc(2026, 12, 24, 10), berlin));
  CHECK(local_date(utc(2026, 12, 24) / 86'400'000) == "2026-12-24");
  // Wednesday 23rd after closing -> Monday 28th 09:00 CET (Thu+Fri holidays, then the weekend).
  CHECK(next_opening(h, utc(2026, 12, 23, 17), berlin) == utc(2026, 12, 28, 8));
  BusinessHours never;
  never.enabled = true;
  CHECK_FALSE(next_opening(never, utc(2026, 1, 1), utc0).has_value());
}

TEST_CASE("hours: JSON round trip and bad input") {
  auto h = business_hours_from_json(Json::parse(
      R"({"enabled":true,"week":{"mon":["09:00-12:00","13:00-17:00"],"sat":["10:00-24:00"]},"holidays":["2026-12-25"]})"));
  REQUIRE(h.ok());
  CHECK(h->week[0] == std::vector<TimeRange>{{540, 720}, {780, 1020}});
  CHECK(h->week[5] == std::vector<TimeRange>{{600, 1440}});
  auto again = business_hours_from_json(to_json(*h));
  REQUIRE(again.ok());
  CHECK(*again == *h);
  for (const char* bad : {R"([])", R"({"enabled":1})", R"({"week":{"xyz":[]}})",
                          R"({"week":{"mon":["17:00-09:00"]}})", R"({"week":{"mon":["09:00-12:00","11:00-13:00"]}})",
                          R"({"week":{"mon":["9:00-12:00"]}})", R"({"week":{"mon":["24:30-25:00"]}})",
                          R"({"holidays":["2026-13-01"]})", R"({"holidays":"2026-12-25"})", R"({"other":1})"}) {
    CAPTURE(bad);
    auto r = business_hours_from_json(Json::parse(bad));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::bad_field);
    CHECK(r.error().field.rfind("business_hours", 0) == 0);
  }
}
