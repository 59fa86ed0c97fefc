// Business hours (parley/hours.hpp).
#include "parley/hours.hpp"

#include <algorithm>
#include <cstdio>

namespace parley {

namespace {

constexpr Millis kDay = 86'400'000;
constexpr const char* kDays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's civil-from-days.
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

bool holiday(const BusinessHours& h, std::int64_t local_day) {
  if (h.holidays.empty()) return false;
  const std::string d = local_date(local_day);
  return std::find(h.holidays.begin(), h.holidays.end(), d) != h.holidays.end();
}

// The UTC instant whose local wall time is `local_ms`; in a skipped hour, the end of the gap.
Millis utc_of_local(Millis local_ms, const OffsetAt& off) {
  const Millis guess = local_ms - Millis{off(local_ms)} * 1000;
  const Millis a = local_ms - Millis{off(guess)} * 1000;
  if (a + Millis{off(a)} * 1000 == local_ms) return a;
  const Millis b = local_ms - Millis{off(a)} * 1000;  // try the other side's offset
  if (b + Millis{off(b)} * 1000 == local_ms) return std::min(a, b);
  // A gap: local_ms does not exist. The instant the clock jumps over it is between a and b.
  Millis lo = std::min(a, b), hi = std::max(a, b);
  const int before = off(lo);
  while (hi - lo > 1000) {
    const Millis mid = lo + (hi - lo) / 2;
    if (off(mid) == before) lo = mid;
    else hi = mid;
  }
  return hi;
}

std::optional<int> parse_hhmm(const std::string& s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int hh = (s[0] - '0') * 10 + (s[1] - '0'), mm = (s[3] - '0') * 10 + (s[4] - '0');
  if (mm > 59 || hh > 24 || (hh == 24 && mm != 0)) return std::nullopt;
  return hh * 60 + mm;
}

std::string hhmm(int minutes) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d:%02d", minutes / 60, minutes % 60);
  return b;
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

}  // namespace

std::string local_date(std::int64_t local_day) {
  int y;
  unsigned m, d;
  civil_from_days(local_day, y, m, d);
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02u-%02u", y, m, d);
  return b;
}

int weekday_of(std::int64_t local_day) { return static_cast<int>(((local_day % 7) + 7 + 3) % 7); }

bool is_open(const BusinessHours& h, Millis at, const OffsetAt& offset_at) {
  if (!h.enabled) return true;
  const Millis local = at + Millis{offset_at(at)} * 1000;
  const std::int64_t day = floor_div(local, kDay);
  if (holiday(h, day)) return false;
  const int minute = static_cast<int>((local - day * kDay) / 60000);
  for (const TimeRange& r : h.week[weekday_of(day)]) {
    if (minute >= r.start_min && minute < r.end_min) return true;
  }
  return false;
}

std::optional<Millis> next_opening(const BusinessHours& h, Millis at, const OffsetAt& offset_at) {
  if (is_open(h, at, offset_at)) return at;
  const Millis local = at + Millis{offset_at(at)} * 1000;
  const std::int64_t first = floor_div(local, kDay);
  for (std::int64_t day = first; day < first + 400; ++day) {
    if (holiday(h, day)) continue;
    for (const TimeRange& r : h.week[weekday_of(day)]) {
      const Millis opens = utc_of_local(day * kDay + Millis{r.start_min} * 60000, offset_at);
      if (opens > at && is_open(h, opens, offset_at)) return opens;
    }
  }
  return std::nullopt;
}

Result<BusinessHours> business_hours_from_json(const Json& j) {
  const std::string base = "business_hours";
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "business_hours must be an object", base);
  BusinessHours h;
  for (const auto& [k, v] : j.items()) {
    if (k == "enabled") {
      if (!v.is_boolean()) return make_error(ErrorCode::bad_field, "enabled must be true or false", base + ".enabled");
      h.enabled = v.get<bool>();
    } else if (k == "week") {
      if (!v.is_object()) return make_error(ErrorCode::bad_field, "week must be an object", base + ".week");
      for (const auto& entry : v.items()) {
        const std::string day = entry.key();
        const Json& ranges = entry.value();
        const auto* it = std::find_if(std::begin(kDays), std::end(kDays), [&](const char* d) { return day == d; });
        const std::string f = base + ".week." + day;
        if (it == std::end(kDays)) return make_error(ErrorCode::bad_field, "unknown day (mon..sun)", f);
        if (!ranges.is_array() || ranges.size() > 8) {
          return make_error(ErrorCode::bad_field, "a day is a list of at most 8 \"HH:MM-HH:MM\" ranges", f);
        }
        auto& out = h.week[static_cast<std::size_t>(it - std::begin(kDays))];
        for (const Json& r : ranges) {
          if (!r.is_string()) return make_error(ErrorCode::bad_field, "a range is \"HH:MM-HH:MM\"", f);
          const std::string s = r.get<std::string>();
          if (s.size() != 11 || s[5] != '-') return make_error(ErrorCode::bad_field, "a range is \"HH:MM-HH:MM\"", f);
          auto a = parse_hhmm(s.substr(0, 5)), b = parse_hhmm(s.substr(6));
          if (!a || !b || *a >= *b) return make_error(ErrorCode::bad_field, "a range starts before it ends: " + s, f);
          if (!out.empty() && out.back().end_min > *a) {
            return make_error(ErrorCode::bad_field, "ranges must be in order without overlap", f);
          }
          out.push_back(TimeRange{*a, *b});
        }
      }
    } else if (k == "holidays") {
      if (!v.is_array() || v.size() > 366) {
        return make_error(ErrorCode::bad_field, "holidays is a list of at most 366 dates", base + ".holidays");
      }
      for (const Json& d : v) {
        if (!d.is_string() || !valid_date(d.get<std::string>())) {
          return make_error(ErrorCode::bad_field, "a holiday is a date \"YYYY-MM-DD\"", base + ".holidays");
        }
        h.holidays.push_back(d.get<std::string>());
      }
    } else {
      return make_error(ErrorCode::bad_field, "unknown member " + k, base + "." + k);
    }
  }
  return h;
}

Json to_json(const BusinessHours& h) {
  Json week = Json::object();
  for (std::size_t i = 0; i < 7; ++i) {
    Json day = Json::array();
    for (const TimeRange& r : h.week[i]) day.push_back(hhmm(r.start_min) + "-" + hhmm(r.end_min));
    week[kDays[i]] = day;
  }
  return Json{{"enabled", h.enabled}, {"week", week}, {"holidays", h.holidays}};
}

}  // namespace parley
