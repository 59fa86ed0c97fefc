// Who hears of a change (fanout.hpp).
#include "app/live/fanout.hpp"

#include <algorithm>

namespace parley::relay {

ListMark list_mark(const Conversation& c) {
  ListMark m;
  m.listed = true;
  m.status = c.status;
  m.priority = c.priority;
  m.assignee_id = c.assignee_id;
  m.topic = c.topic;
  m.handed_off_at = c.handed_off_at;
  return m;
}

void ListTrail::add(const ListMark& m) {
  if (any && !(m == last)) varied = true;
  last = m;
  any = true;
  if (m.queued()) queue = true;
  const std::string& u = m.mine_of();
  if (!u.empty() && std::find(mine.begin(), mine.end(), u) == mine.end()) mine.push_back(u);
}

ListAudience audience_of(const ListMark& before, const ListMark& now, const ListTrail& during) {
  ListAudience a;
  const bool changed = !(before == now);
  a.queue_viewers = before.queued() || now.queued();
  a.fresh_queue_viewers = !a.queue_viewers && during.queue;
  auto add_user = [](std::vector<std::string>& v, const std::string& u) {
    if (!u.empty() && std::find(v.begin(), v.end(), u) == v.end()) v.push_back(u);
  };
  if (changed) {
    add_user(a.mine_users, before.mine_of());
    add_user(a.mine_users, now.mine_of());
  }
  // A fresh socket's page may hold any state of the trail: when they differ, tell its users.
  if (during.varied) {
    for (const std::string& u : during.mine) {
      if (std::find(a.mine_users.begin(), a.mine_users.end(), u) == a.mine_users.end()) add_user(a.fresh_mine_users, u);
    }
  }
  a.joined = changed;
  return a;
}

}  // namespace parley::relay
