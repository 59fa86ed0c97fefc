// parley/metrics.hpp: the live dashboard's figures for today, folded from events.
//
// The figures are kept up to date from each committed event as it happens (observe), never by
// scanning history: the events of the state machine carry what the figures need, measured when
// the transition happened (parley/conversation.hpp, parley/csat.hpp):
//   chat.session_assigned  data.waited_ms          queue wait of this assignment
//   chat.new_message       data.first_response_ms  the first agent answer of a round, since hand-off
//   chat.resolved/ended    data.open_ms, data.agent_id, data.handle_ms, data.ending
//   chat.handed_off        data.reason             a hand-off from the assistant unless "no_assistant"
//   chat.rated             data.rating, data.previous_rating, data.previous_at
// A relay that restarts folds the day's stored events again (the same function), so the figures
// are the same before and after a restart.
//
// Pure: no clock; the caller gives the day's bounds in the tenant's time zone and rolls over to a
// new day (new_day) when an event falls after it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley {

struct AgentDay {
  std::string name;  // from the agent's latest assignment or ending ("" until known)
  int resolved = 0;  // conversations that ended in this agent's hands today
  std::int64_t handle_sum_ms = 0, handle_n = 0;
};

struct DayFigures {
  Millis day_start = 0, day_end = 0;  // [start, end)
  int resolved = 0;                   // endings today: resolved by staff, ended by the customer, abandoned
  int abandoned = 0;
  std::int64_t wait_sum_ms = 0, wait_n = 0, wait_max_ms = 0;  // hand-off -> accept
  std::int64_t first_response_sum_ms = 0, first_response_n = 0;
  std::int64_t resolution_sum_ms = 0, resolution_n = 0;  // start -> ending, abandoned ones excepted
  std::int64_t csat_sum = 0, csat_n = 0;                 // a re-rating today replaces the earlier one
  int handoffs_from_assistant = 0;
  std::map<std::string, AgentDay> agents;  // by user id
  std::uint64_t events_counted = 0;        // events that changed a figure (benchmarks, tests)
};

DayFigures new_day(Millis day_start, Millis day_end);

// Adds one committed event (seq > 0). Returns true when a figure changed; false (nothing changes)
// for an event outside [day_start, day_end), an ephemeral one, or one that counts for nothing.
bool observe(DayFigures& day, const Event& e);

// Event types observe() counts (the store's day replay reads only these, plus chat.new_message
// events that carry first_response_ms).
const std::vector<std::string_view>& counted_event_types();

// ---- the dashboard as the relay serves it (GET /api/live-chat/dashboard, dashboard.figures) ----

// One row per agent: live status ("online" | "away" | "offline") and active chats from the hub,
// the rest from DayFigures.
struct AgentRow {
  std::string id, name, status = "offline";
  int active = 0;
  int resolved = 0;
  int avg_handle_s = 0;
  bool operator==(const AgentRow&) const = default;
};
struct Dashboard {
  Millis day_start = 0;
  int bot = 0, waiting = 0, active = 0;  // now
  int longest_wait_s = 0;                // the longest current wait in the queue
  int resolved = 0, abandoned = 0;       // today
  int avg_wait_s = 0, longest_wait_today_s = 0, avg_first_response_s = 0, avg_resolution_s = 0;
  double csat_average = 0;  // 0 when csat_count is 0; two decimals
  int csat_count = 0;
  int handoffs_from_assistant = 0;
  std::vector<AgentRow> agents;  // by name, then id
  bool operator==(const Dashboard&) const = default;
};
// Mean of sum/n milliseconds in whole seconds, rounded; 0 when n is 0.
int mean_seconds(std::int64_t sum_ms, std::int64_t n);
// The day's part of the dashboard (live counts and agent status are the caller's).
Dashboard dashboard_of(const DayFigures& day);
// The agent's figures in `day` onto `row` (resolved, avg_handle_s; name when the row has none).
void fill_agent_row(const DayFigures& day, AgentRow& row);

// {"day_start","bot","waiting","active","longest_wait_s","resolved","abandoned","avg_wait_s",
//  "longest_wait_today_s","avg_first_response_s","avg_resolution_s","csat":{"average","count"},
//  "handoffs_from_assistant","agents":[{"id","name","status","active","resolved","avg_handle_s"}]}
Json to_json(const Dashboard&);
// Every member optional (absent = 0 / empty).
Result<Dashboard> decode_dashboard(const Json&);

}  // namespace parley
