// parley/today.hpp: what one conversation contributes to a tenant's "today" counters (the
// inbox counts' resolved_today and avg_wait_s, and the stats' sums), given when today started.
//
// The rule, for a conversation `c` and the start of the day `day_start` (unix ms, the tenant's
// midnight; the caller computes it in the tenant's time zone):
//  - resolved today: c is resolved and resolved_at >= day_start;
//  - queue wait: c was assigned today (assigned_at > 0 and >= day_start) after being handed off
//    (handed_off_at > 0, assigned_at >= handed_off_at): assigned_at - handed_off_at;
//  - first response: the first agent response is from today (first_agent_response_at > 0 and
//    >= day_start) and not before the hand-off: first_agent_response_at - handed_off_at.
// A conversation never handed off contributes no wait and no first response. handed_off_at is the
// LAST entry into the queue, so a conversation requeued (or reopened and queued again) after its
// assignment has a negative interval: it contributes nothing until it is assigned again.
//
// The function is pure: the same conversation and day always give the same contribution, so a
// TodayCounts that add()s a conversation's committed state and later remove()s that same state
// (before adding the next one) stays exact. When the day changes, start a new TodayCounts and
// add every conversation again.
#pragma once

#include <cstdint>

#include "parley/model.hpp"

namespace parley {

struct TodayContribution {
  bool resolved = false;             // counts in resolved_today
  bool waited = false;               // counts in the wait mean
  Millis wait_ms = 0;                // handed_off -> assigned (when waited)
  bool first_response = false;       // counts in the first-response mean
  Millis first_response_ms = 0;      // handed_off -> first agent response (when first_response)
};

TodayContribution today_contribution(const Conversation& c, Millis day_start);

// Sums of the contributions of a tenant's conversations. Not thread-safe (plain data).
struct TodayCounts {
  int resolved_today = 0;
  std::int64_t wait_sum_ms = 0, wait_n = 0;
  std::int64_t first_response_sum_ms = 0, first_response_n = 0;

  void add(const TodayContribution& t) { apply(t, +1); }
  void remove(const TodayContribution& t) { apply(t, -1); }
  void add(const Conversation& c, Millis day_start) { add(today_contribution(c, day_start)); }
  void remove(const Conversation& c, Millis day_start) { remove(today_contribution(c, day_start)); }

  // Means in whole seconds (0 when nothing counts), as inbox counts show them.
  int avg_wait_s() const;
  int avg_first_response_s() const;

 private:
  void apply(const TodayContribution& t, int sign);
};

}  // namespace parley
