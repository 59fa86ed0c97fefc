// parley/hours.hpp: a tenant's business hours and holidays (issue 9), as pure rules.
//
// Hours are local times in the tenant's time zone. shared/ reads no clock and no zoneinfo, so the
// caller passes `offset_at`: the zone's offset from UTC in seconds at a UTC instant (the relay
// gives TimeZone::offset_at, tests a fixed rule). Each weekday has ranges [start, end) of minutes
// since local midnight (0 <= start < end <= 1440; a night shift is two ranges on two days). A
// holiday (a local date "YYYY-MM-DD") is closed all day. Hours that are not `enabled` are always
// open (the default: a tenant that set no hours is never "closed").
//
// DST: is_open() takes the wall clock at the instant, so an hour that is skipped (spring forward)
// never happens and an hour that repeats (fall back) is open twice. next_opening() gives the
// first instant at or after `at` that is open; an opening time that falls into a skipped hour
// opens at the first existing instant after it (the end of the gap).
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley {

struct TimeRange {
  int start_min = 0;  // minutes since local midnight
  int end_min = 0;    // exclusive; 1440 = midnight at the end of the day
  bool operator==(const TimeRange&) const = default;
};

struct BusinessHours {
  bool enabled = false;
  std::array<std::vector<TimeRange>, 7> week;  // 0 = Monday ... 6 = Sunday
  std::vector<std::string> holidays;           // local dates "YYYY-MM-DD"
  bool operator==(const BusinessHours&) const = default;
};

using OffsetAt = std::function<int(Millis utc_ms)>;

// The local civil date "YYYY-MM-DD" and weekday (0 = Monday) of a local-day number (days since
// 1970-01-01 in local time).
std::string local_date(std::int64_t local_day);
int weekday_of(std::int64_t local_day);

bool is_open(const BusinessHours& h, Millis at, const OffsetAt& offset_at);
// `at` when open at `at`; else the next instant it opens; nullopt when it never opens within
// 400 days (no ranges, or every day a holiday).
std::optional<Millis> next_opening(const BusinessHours& h, Millis at, const OffsetAt& offset_at);

// JSON form (tenant settings "business_hours"):
//   {"enabled": true,
//    "week": {"mon": ["09:00-17:00"], "tue": ["09:00-12:00", "13:00-17:00"], ..., "sun": []},
//    "holidays": ["2026-12-25"]}
// Missing days are closed; "HH:MM" from 00:00 to 24:00, start before end, ranges of a day in
// order without overlap; at most 8 ranges a day and 366 holidays. Errors: bad_field naming the
// member ("business_hours.week.mon", ...).
Result<BusinessHours> business_hours_from_json(const Json& j);
Json to_json(const BusinessHours& h);

}  // namespace parley
