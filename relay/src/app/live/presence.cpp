// Presence and gone-deadlines (presence.hpp).
#include "app/live/presence.hpp"

namespace parley::relay {

void Presence::connected(const std::string& key, Clock::time_point) { ++people_[key].conns; }

void Presence::disconnected(const std::string& key, Clock::time_point now) {
  auto it = people_.find(key);
  if (it == people_.end()) return;
  Person& p = it->second;
  if (--p.conns > 0) return;
  p.conns = 0;
  p.gone_since = now;
  if (p.watching) {
    arm(key, p);
  } else {
    forget_if_unused(key);
  }
}

bool Presence::online(const std::string& key) const {
  auto it = people_.find(key);
  return it != people_.end() && it->second.conns > 0;
}

Presence::Clock::time_point Presence::gone_since(const std::string& key) const {
  auto it = people_.find(key);
  if (it == people_.end()) return started_;
  return it->second.gone_since;
}

void Presence::watch(const std::string& key, Clock::duration after) {
  auto [it, fresh] = people_.try_emplace(key);
  Person& p = it->second;
  if (fresh) p.gone_since = started_;
  if (p.watching && p.watch_after <= after) return;  // an earlier deadline is already armed
  p.watching = true;
  p.watch_after = after;
  if (p.conns == 0) arm(key, p);
}

void Presence::arm(const std::string& key, Person& p) {
  deadlines_.emplace(p.gone_since + p.watch_after, key);
}

void Presence::forget_if_unused(const std::string& key) {
  auto it = people_.find(key);
  if (it == people_.end() || it->second.conns != 0 || it->second.watching) return;
  idle_.push_back(key);
  // Past the cap, forget the longest idle (skipping keys that came back or are watched now).
  while (idle_.size() > idle_cap_) {
    const std::string old = std::move(idle_.front());
    idle_.pop_front();
    auto o = people_.find(old);
    if (o != people_.end() && o->second.conns == 0 && !o->second.watching) people_.erase(o);
  }
}

std::vector<std::string> Presence::due(Clock::time_point now) {
  std::vector<std::string> out;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    std::string key = std::move(deadlines_.begin()->second);
    deadlines_.erase(deadlines_.begin());
    auto it = people_.find(key);
    if (it == people_.end() || !it->second.watching) continue;
    Person& p = it->second;
    if (p.conns > 0) continue;                        // came back: disconnected() re-arms
    if (p.gone_since + p.watch_after > now) continue;  // a stale deadline of an earlier absence
    p.watching = false;
    out.push_back(key);
    forget_if_unused(key);
  }
  return out;
}

}  // namespace parley::relay
