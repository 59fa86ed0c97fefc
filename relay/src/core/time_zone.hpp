// relay/src/core/time_zone.hpp: timestamps and time zones (pure; the zone lookup reads
// /usr/share/zoneinfo once per zone and caches it, thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "parley/model.hpp"

namespace parley::relay {

// ------------------------------------------------------------------------------------------

// "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM:SS[.fff]" with optional "Z" or "+hh:mm"/"-hh:mm"/"+hhmm"
// (no zone = UTC). Returns unix milliseconds, or nullopt when malformed or out of range
// (years 1970..9999).
std::optional<Millis> parse_timestamp(std::string_view s);

// Days since 1970-01-01 for a civil date (proleptic Gregorian), and back.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// A time zone: "UTC", "Z", a fixed offset ("+02:00", "+0200", "-0530", "UTC+2", "GMT-03"), or an IANA
// name read from the system's zoneinfo (TZif, cached). Past the last transition in the file (2037)
// the last offset stays. nullopt when unknown.
class TimeZone {
 public:
  static std::optional<TimeZone> find(std::string_view name);
  // Offset from UTC in seconds at the UTC instant `utc_ms`.
  int offset_at(Millis utc_ms) const;
  // The UTC instant of the most recent local midnight at or before `utc_ms`.
  Millis start_of_day(Millis utc_ms) const;

 private:
  int fixed_ = 0;
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int> offsets_;               // offset in effect from transitions_[i]
  int initial_ = 0;                        // offset before the first transition
};

}  // namespace parley::relay
