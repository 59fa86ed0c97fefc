// The live dashboard (dashboard.hpp).
#include "app/live/dashboard.hpp"

#include <algorithm>
#include <map>

#include "app/hub_state.hpp"
#include "core/log.hpp"
#include "parley/replies.hpp"

namespace parley::relay {

std::optional<Error> LiveDashboard::load(StoreReader& reader, const std::vector<std::string>& tenant_ids) {
  for (const std::string& tenant_id : tenant_ids) {
    DayFigures& d = day(tenant_id, hub_.now());
    auto events = reader.day_events(tenant_id, d.day_start, d.day_end);
    if (!events) return events.error();
    for (const Event& e : *events) parley::observe(d, e);
  }
  return std::nullopt;
}

DayFigures& LiveDashboard::day(const std::string& tenant_id, Millis at) {
  auto it = days_.find(tenant_id);
  if (it == days_.end() || at >= it->second.day_end) {
    const auto [start, end] = hub_.day_of(tenant_id, at);
    if (it == days_.end()) {
      it = days_.emplace(tenant_id, new_day(start, end)).first;
    } else {
      it->second = new_day(start, end);
    }
  }
  return it->second;
}

void LiveDashboard::observe(const std::string& tenant_id, const std::vector<Event>& events) {
  for (const Event& e : events) {
    if (e.seq == 0) continue;
    ++counters_.events_observed;
    parley::observe(day(tenant_id, e.at), e);
  }
}

Dashboard LiveDashboard::build(const std::string& tenant_id) {
  ++counters_.builds;
  const Millis now = hub_.now();
  Dashboard b = dashboard_of(day(tenant_id, now));
  const TenantInbox& ix = hub_.inbox(tenant_id);
  b.bot = ix.by_status(Status::bot);
  b.waiting = ix.by_status(Status::pending);
  b.active = ix.by_status(Status::active);
  Millis longest = 0;
  for (const ConvState* cs : ix.queue()) {
    if (cs->committed.handed_off_at > 0) longest = std::max(longest, now - cs->committed.handed_off_at);
  }
  b.longest_wait_s = static_cast<int>(longest / 1000);
  // Agents: everyone with figures today, plus staff online now.
  std::map<std::string, AgentRow> rows;
  for (AgentRow& r : b.agents) rows.emplace(r.id, std::move(r));
  for (std::uint64_t id : hub_.conns.staff_of(tenant_id)) {
    const ConnState* c = hub_.conns.find(id);
    if (!c || !c->who.is_staff()) continue;
    const User& u = c->who.staff.user;
    AgentRow& r = rows[u.id];
    r.id = u.id;
    if (!u.display_name.empty()) r.name = u.display_name;
    if (r.name.empty()) r.name = u.username;
  }
  b.agents.clear();
  for (auto& [id, r] : rows) {
    r.status = hub_.staff_presence.online(id) ? "online" : "offline";
    r.active = static_cast<int>(ix.mine(id).size());
    b.agents.push_back(std::move(r));
  }
  std::sort(b.agents.begin(), b.agents.end(), [](const AgentRow& x, const AgentRow& y) {
    return x.name != y.name ? x.name < y.name : x.id < y.id;
  });
  return b;
}

void LiveDashboard::watch(ConnState& conn, bool on) {
  const std::string& tenant_id = conn.who.tenant_id;
  if (on) {
    watchers_[tenant_id][conn.id] = 0;  // the next tick sends the latest figures
    arm();
    return;
  }
  forget(conn);
}

void LiveDashboard::forget(const ConnState& conn) {
  auto it = watchers_.find(conn.who.tenant_id);
  if (it == watchers_.end()) return;
  it->second.erase(conn.id);
  if (it->second.empty()) {
    watchers_.erase(it);
    sent_.erase(conn.who.tenant_id);
  }
}

void LiveDashboard::arm() {
  if (armed_ || watchers_.empty() || hub_.stopped) return;
  armed_ = true;
  tick_.expires_after(kInterval);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    armed_ = false;
    if (ec) return;
    push();
    arm();
  });
}

void LiveDashboard::push() {
  for (auto& [tenant_id, sockets] : watchers_) {
    Dashboard b = build(tenant_id);
    Latest& latest = sent_[tenant_id];
    if (latest.version == 0 || !(latest.figures == b)) {
      latest.figures = std::move(b);
      ++latest.version;
      latest.frame = std::make_shared<const std::string>(encode_notice(notice::dashboard_figures, to_json(latest.figures)));
      ++counters_.frames_encoded;
    }
    for (auto& [id, version] : sockets) {
      if (version == latest.version) continue;
      ConnState* c = hub_.conns.find(id);
      if (!c || c->closed || c->queued_bytes() > kBackoffBytes) continue;  // a backed-up socket catches up later
      c->send(latest.frame);
      version = latest.version;
      ++counters_.frames;
    }
  }
}

}  // namespace parley::relay
