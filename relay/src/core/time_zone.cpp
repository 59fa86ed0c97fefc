// Timestamps and time zones (time_zone.hpp).
#include "core/time_zone.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <unordered_map>

#include "parley/text.hpp"

namespace parley::relay {

// ---- time ------------------------------------------------------------------------------------------

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {

struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool eof() const { return i >= s.size(); }
  char peek() const { return eof() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  std::optional<int> digits(std::size_t n) {
    if (i + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    i += n;
    return v;
  }
};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// "+hh:mm", "+hhmm", "+hh" at the cursor (with `short_hours` also "+h"); seconds east of UTC.
std::optional<int> parse_offset(Cursor& c, bool short_hours = false) {
  int sign = 1;
  if (c.eat('-')) {
    sign = -1;
  } else if (!c.eat('+')) {
    return std::nullopt;
  }
  auto hh = c.digits(2);
  if (!hh && short_hours) hh = c.digits(1);
  if (!hh || *hh > 23) return std::nullopt;
  int mm = 0;
  if (!c.eof()) {
    c.eat(':');
    const auto m = c.digits(2);
    if (!m || *m > 59) return std::nullopt;
    mm = *m;
  }
  return sign * (*hh * 3600 + mm * 60);
}

}  // namespace

std::optional<Millis> parse_timestamp(std::string_view s) {
  s = trim(s);
  Cursor c{s};
  const auto y = c.digits(4);
  if (!y || !c.eat('-')) return std::nullopt;
  const auto mo = c.digits(2);
  if (!mo || !c.eat('-')) return std::nullopt;
  const auto d = c.digits(2);
  if (!d || *y < 1970 || *mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo)) return std::nullopt;
  int hh = 0, mi = 0, ss = 0, ms = 0;
  if (!c.eof()) {
    if (!c.eat('T') && !c.eat(' ') && !c.eat('t')) return std::nullopt;
    const auto h = c.digits(2);
    if (!h || !c.eat(':')) return std::nullopt;
    const auto m = c.digits(2);
    if (!m) return std::nullopt;
    hh = *h;
    mi = *m;
    if (c.eat(':')) {
      const auto sec = c.digits(2);
      if (!sec) return std::nullopt;
      ss = *sec;
      if (c.eat('.') || c.eat(',')) {
        // Fraction: keep milliseconds, ignore further digits.
        int n = 0;
        while (!c.eof() && c.peek() >= '0' && c.peek() <= '9') {
          if (n < 3) ms = ms * 10 + (c.peek() - '0');
          ++n;
          ++c.i;
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n) ms *= 10;
      }
    }
    if (hh > 23 || mi > 59 || ss > 60) return std::nullopt;
    if (ss == 60) ss = 59;  // leap second: clamp
  }
  int offset = 0;
  if (!c.eof()) {
    if (c.eat('Z') || c.eat('z')) {
      // UTC
    } else {
      c.eat(' ');
      const auto off = parse_offset(c);
      if (!off) return std::nullopt;
      offset = *off;
    }
  }
  if (!c.eof()) return std::nullopt;
  const std::int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  const std::int64_t secs = days * 86400 + hh * 3600 + mi * 60 + ss - offset;
  if (secs < 0) return std::nullopt;
  return secs * 1000 + ms;
}

namespace {

std::int64_t be(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int k = 0; k < n; ++k) v = (v << 8) | p[k];
  if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

// Reads a TZif file (RFC 8536), preferring its 64-bit body. Transitions past the last one in the
// file (2037 in Debian's "fat" files) keep the last offset; the footer's POSIX rule is not read.
bool load_tzif(const std::string& bytes, std::vector<std::int64_t>& times, std::vector<int>& offsets,
               int& initial) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  auto parse_block = [&](std::size_t at, int tsize, std::size_t* end) -> bool {
    if (at + 44 > n || bytes.compare(at, 4, "TZif") != 0) return false;
    const auto cnt = [&](int k) { return static_cast<std::size_t>(be(p + at + 20 + 4 * k, 4)); };
    const std::size_t isut = cnt(0), isstd = cnt(1), leapcnt = cnt(2), timecnt = cnt(3), typecnt = cnt(4),
                      charcnt = cnt(5);
    const std::size_t body = at + 44;
    const std::size_t size = timecnt * static_cast<std::size_t>(tsize) + timecnt + typecnt * 6 + charcnt +
                             leapcnt * static_cast<std::size_t>(tsize + 4) + isstd + isut;
    if (typecnt == 0 || body + size > n) return false;
    *end = body + size;
    std::vector<int> type_off(typecnt);
    const std::size_t types_at = body + timecnt * static_cast<std::size_t>(tsize) + timecnt;
    for (std::size_t k = 0; k < typecnt; ++k) type_off[k] = static_cast<int>(be(p + types_at + 6 * k, 4));
    times.clear();
    offsets.clear();
    for (std::size_t k = 0; k < timecnt; ++k) {
      const std::size_t idx = p[body + timecnt * static_cast<std::size_t>(tsize) + k];
      if (idx >= typecnt) return false;
      times.push_back(be(p + body + k * static_cast<std::size_t>(tsize), tsize));
      offsets.push_back(type_off[idx]);
    }
    initial = type_off[0];
    return true;
  };
  std::size_t end = 0;
  if (!parse_block(0, 4, &end)) return false;
  if (p[4] >= '2') {
    std::size_t end2 = 0;
    std::vector<std::int64_t> t2;
    std::vector<int> o2;
    int i2 = 0;
    std::swap(times, t2);
    std::swap(offsets, o2);
    std::swap(initial, i2);
    if (!parse_block(end, 8, &end2)) {  // fall back to the 32-bit body
      std::swap(times, t2);
      std::swap(offsets, o2);
      std::swap(initial, i2);
    }
  }
  return true;
}

bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

}  // namespace

std::optional<TimeZone> TimeZone::find(std::string_view name) {
  name = trim(name);
  TimeZone tz;
  if (name.empty() || iequals_ascii(name, "UTC") || iequals_ascii(name, "Z") || iequals_ascii(name, "GMT") ||
      iequals_ascii(name, "Etc/UTC")) {
    return tz;
  }
  std::string_view rest = name;
  if (rest.size() > 3 && (iequals_ascii(rest.substr(0, 3), "UTC") || iequals_ascii(rest.substr(0, 3), "GMT")) &&
      (rest[3] == '+' || rest[3] == '-')) {
    rest.remove_prefix(3);
  }
  if (rest.front() == '+' || rest.front() == '-') {
    Cursor c{rest};
    const auto off = parse_offset(c, /*short_hours=*/true);
    if (!off || !c.eof()) return std::nullopt;
    tz.fixed_ = *off;
    tz.initial_ = *off;
    return tz;
  }
  if (!valid_zone_name(name)) return std::nullopt;

  static std::mutex mu;
  static std::unordered_map<std::string, std::optional<TimeZone>> cache;
  std::lock_guard<std::mutex> lock(mu);
  const std::string key(name);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  std::optional<TimeZone> found;
  std::ifstream in("/usr/share/zoneinfo/" + key, std::ios::binary);
  if (in) {
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 1024 * 1024 && load_tzif(bytes, tz.transitions_, tz.offsets_, tz.initial_)) {
      tz.fixed_ = tz.initial_;
      found = tz;
    }
  }
  if (cache.size() < 1000) cache.emplace(key, found);
  return found;
}

int TimeZone::offset_at(Millis utc_ms) const {
  if (transitions_.empty()) return fixed_;
  const std::int64_t t = utc_ms >= 0 ? utc_ms / 1000 : -((-utc_ms + 999) / 1000);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.begin()) return initial_;
  return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

Millis TimeZone::start_of_day(Millis utc_ms) const {
  const auto floor_div = [](std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  const std::int64_t local = utc_ms + static_cast<std::int64_t>(offset_at(utc_ms)) * 1000;
  const std::int64_t local_midnight = floor_div(local, 86400000) * 86400000;
  // The offset in effect at midnight may differ from the one now (a DST change during the day):
  // take the offset at the first guess of midnight. Where local midnight does not exist (a zone
  // that springs forward at 00:00), this lands on the transition, the day's first instant.
  const Millis guess = local_midnight - static_cast<std::int64_t>(offset_at(utc_ms)) * 1000;
  const Millis settled = local_midnight - static_cast<std::int64_t>(offset_at(guess)) * 1000;
  return std::min(settled, utc_ms);
}

}  // namespace parley::relay
