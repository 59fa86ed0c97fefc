// The "today" counting rule (parley/today.hpp).
#include "parley/today.hpp"

namespace parley {

TodayContribution today_contribution(const Conversation& c, Millis day_start) {
  TodayContribution t;
  t.resolved = c.status == Status::resolved && c.resolved_at >= day_start;
  const bool handed_off = c.handed_off_at > 0;
  if (handed_off && c.assigned_at > 0 && c.assigned_at >= day_start && c.assigned_at >= c.handed_off_at) {
    t.waited = true;
    t.wait_ms = c.assigned_at - c.handed_off_at;
  }
  if (handed_off && c.first_agent_response_at > 0 && c.first_agent_response_at >= day_start &&
      c.first_agent_response_at >= c.handed_off_at) {
    t.first_response = true;
    t.first_response_ms = c.first_agent_response_at - c.handed_off_at;
  }
  return t;
}

void TodayCounts::apply(const TodayContribution& t, int sign) {
  if (t.resolved) resolved_today += sign;
  if (t.waited) {
    wait_sum_ms += sign * t.wait_ms;
    wait_n += sign;
  }
  if (t.first_response) {
    first_response_sum_ms += sign * t.first_response_ms;
    first_response_n += sign;
  }
}

int TodayCounts::avg_wait_s() const {
  return wait_n > 0 ? static_cast<int>(wait_sum_ms / wait_n / 1000) : 0;
}

int TodayCounts::avg_first_response_s() const {
  return first_response_n > 0 ? static_cast<int>(first_response_sum_ms / first_response_n / 1000) : 0;
}

}  // namespace parley
