// The dashboard's figures for today, folded from events (parley/metrics.hpp).
#include "parley/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "json_io.hpp"

namespace parley {
namespace {

using json_io::Need;
using json_io::ObjectReader;

// A non-negative integer member of an event's data, or -1 when absent or not one.
std::int64_t figure(const Json& data, const char* key) {
  if (!data.is_object()) return -1;
  auto it = data.find(key);
  if (it == data.end() || !it->is_number_integer()) return -1;
  const std::int64_t v = it->get<std::int64_t>();
  return v < 0 ? -1 : v;
}

std::string text_of(const Json& data, const char* key) {
  if (!data.is_object()) return {};
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool count_ending(DayFigures& d, const Event& e) {
  const std::string ending = text_of(e.data, "ending");
  ++d.resolved;
  if (ending == to_string(Ending::abandoned)) {
    ++d.abandoned;
    return true;
  }
  if (const std::int64_t open = figure(e.data, "open_ms"); open >= 0) {
    d.resolution_sum_ms += open;
    ++d.resolution_n;
  }
  const std::string agent = text_of(e.data, "agent_id");
  if (!agent.empty()) {
    AgentDay& a = d.agents[agent];
    ++a.resolved;
    if (e.actor.id == agent && !e.actor.name.empty()) a.name = e.actor.name;
    if (const std::int64_t handle = figure(e.data, "handle_ms"); handle >= 0) {
      a.handle_sum_ms += handle;
      ++a.handle_n;
    }
  }
  return true;
}

}  // namespace

DayFigures new_day(Millis day_start, Millis day_end) {
  DayFigures d;
  d.day_start = day_start;
  d.day_end = day_end;
  return d;
}

const std::vector<std::string_view>& counted_event_types() {
  static const std::vector<std::string_view> types = {ev::assigned, ev::resolved, ev::ended, ev::handed_off,
                                                      ev::rated};
  return types;
}

bool observe(DayFigures& d, const Event& e) {
  if (e.seq == 0 || e.at < d.day_start || e.at >= d.day_end) return false;
  bool changed = false;
  if (e.type == ev::assigned) {
    if (const std::int64_t w = figure(e.data, "waited_ms"); w >= 0) {
      d.wait_sum_ms += w;
      ++d.wait_n;
      d.wait_max_ms = std::max(d.wait_max_ms, w);
      changed = true;
    }
    if (!e.actor.id.empty() && !e.actor.name.empty()) d.agents[e.actor.id].name = e.actor.name;
  } else if (e.type == ev::new_message) {
    if (const std::int64_t f = figure(e.data, "first_response_ms"); f >= 0) {
      d.first_response_sum_ms += f;
      ++d.first_response_n;
      changed = true;
    }
  } else if (e.type == ev::resolved || e.type == ev::ended) {
    changed = count_ending(d, e);
  } else if (e.type == ev::handed_off) {
    if (text_of(e.data, "reason") != "no_assistant") {
      ++d.handoffs_from_assistant;
      changed = true;
    }
  } else if (e.type == ev::rated) {
    const std::int64_t rating = figure(e.data, "rating");
    if (rating >= 1 && rating <= 5) {
      const std::int64_t previous = figure(e.data, "previous_rating");
      const std::int64_t previous_at = figure(e.data, "previous_at");
      if (previous >= 1 && previous_at >= d.day_start && previous_at < d.day_end && d.csat_n > 0) {
        d.csat_sum += rating - previous;  // the earlier rating of today is replaced
      } else {
        d.csat_sum += rating;
        ++d.csat_n;
      }
      changed = true;
    }
  }
  if (changed) ++d.events_counted;
  return changed;
}

int mean_seconds(std::int64_t sum_ms, std::int64_t n) {
  if (n <= 0 || sum_ms <= 0) return 0;
  return static_cast<int>((sum_ms / n + 500) / 1000);
}

void fill_agent_row(const DayFigures& day, AgentRow& row) {
  auto it = day.agents.find(row.id);
  if (it == day.agents.end()) return;
  row.resolved = it->second.resolved;
  row.avg_handle_s = mean_seconds(it->second.handle_sum_ms, it->second.handle_n);
  if (row.name.empty()) row.name = it->second.name;
}

Dashboard dashboard_of(const DayFigures& d) {
  Dashboard b;
  b.day_start = d.day_start;
  b.resolved = d.resolved;
  b.abandoned = d.abandoned;
  b.avg_wait_s = mean_seconds(d.wait_sum_ms, d.wait_n);
  b.longest_wait_today_s = static_cast<int>((d.wait_max_ms + 500) / 1000);
  b.avg_first_response_s = mean_seconds(d.first_response_sum_ms, d.first_response_n);
  b.avg_resolution_s = mean_seconds(d.resolution_sum_ms, d.resolution_n);
  b.csat_count = static_cast<int>(d.csat_n);
  b.csat_average = d.csat_n > 0 ? std::round(100.0 * static_cast<double>(d.csat_sum) / static_cast<double>(d.csat_n)) / 100.0 : 0.0;
  b.handoffs_from_assistant = d.handoffs_from_assistant;
  for (const auto& [id, a] : d.agents) {
    AgentRow row;
    row.id = id;
    fill_agent_row(d, row);
    b.agents.push_back(std::move(row));
  }
  return b;
}

Json to_json(const Dashboard& b) {
  Json agents = Json::array();
  for (const AgentRow& a : b.agents) {
    agents.push_back(Json{{"id", a.id},
                          {"name", a.name},
                          {"status", a.status},
                          {"active", a.active},
                          {"resolved", a.resolved},
                          {"avg_handle_s", a.avg_handle_s}});
  }
  return Json{{"day_start", b.day_start},
              {"bot", b.bot},
              {"waiting", b.waiting},
              {"active", b.active},
              {"longest_wait_s", b.longest_wait_s},
              {"resolved", b.resolved},
              {"abandoned", b.abandoned},
              {"avg_wait_s", b.avg_wait_s},
              {"longest_wait_today_s", b.longest_wait_today_s},
              {"avg_first_response_s", b.avg_first_response_s},
              {"avg_resolution_s", b.avg_resolution_s},
              {"csat", {{"average", b.csat_average}, {"count", b.csat_count}}},
              {"handoffs_from_assistant", b.handoffs_from_assistant},
              {"agents", std::move(agents)}};
}

namespace {
int count_of(ObjectReader& r, const char* key) { return static_cast<int>(std::min<Seq>(r.seq(key, Need::optional), 1u << 30)); }
}  // namespace

Result<Dashboard> decode_dashboard(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "the dashboard must be a JSON object");
  ObjectReader r(j);
  Dashboard b;
  b.day_start = r.millis("day_start", Need::optional);
  b.bot = count_of(r, "bot");
  b.waiting = count_of(r, "waiting");
  b.active = count_of(r, "active");
  b.longest_wait_s = count_of(r, "longest_wait_s");
  b.resolved = count_of(r, "resolved");
  b.abandoned = count_of(r, "abandoned");
  b.avg_wait_s = count_of(r, "avg_wait_s");
  b.longest_wait_today_s = count_of(r, "longest_wait_today_s");
  b.avg_first_response_s = count_of(r, "avg_first_response_s");
  b.avg_resolution_s = count_of(r, "avg_resolution_s");
  b.handoffs_from_assistant = count_of(r, "handoffs_from_assistant");
  if (const Json* csat = r.object("csat", Need::optional)) {
    ObjectReader c = r.nested(*csat, "csat");
    b.csat_count = count_of(c, "count");
    r.adopt(c);
    auto avg = csat->find("average");
    if (avg != csat->end() && avg->is_number()) b.csat_average = avg->get<double>();
  }
  if (const Json* agents = r.array("agents", Need::optional)) {
    for (const Json& a : *agents) {
      if (!a.is_object()) return make_error(ErrorCode::bad_field, "an agent row must be an object", "agents");
      ObjectReader q = r.nested(a, "agents");
      AgentRow row;
      row.id = q.text("id", Need::optional);
      row.name = q.text("name", Need::optional);
      row.status = q.text("status", Need::optional);
      row.active = count_of(q, "active");
      row.resolved = count_of(q, "resolved");
      row.avg_handle_s = count_of(q, "avg_handle_s");
      r.adopt(q);
      b.agents.push_back(std::move(row));
    }
  }
  if (r.error()) return *r.error();
  return b;
}

}  // namespace parley
