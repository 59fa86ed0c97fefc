// One tenant's inbox lists and counts (inbox_index.hpp).
#include "app/live/inbox_index.hpp"

#include <algorithm>
#include <iterator>

namespace parley::relay {

void TenantInbox::set_base(const InboxBase& base, Millis day_start, Millis day_end) {
  base_ = base;
  day_start_ = day_start;
  day_end_ = day_end;
}

void TenantInbox::count(const Conversation& c, int sign) {
  base_.by_status[static_cast<int>(c.status)] += sign;
  if (sign > 0) {
    base_.today.add(c, day_start_);
  } else {
    base_.today.remove(c, day_start_);
  }
}

void TenantInbox::attach(const ConvState& cs) {
  const Conversation& c = cs.committed;
  if (c.head_seq == 0) return;
  if (c.status == Status::pending) queue_.insert(&cs);
  if (c.status == Status::active && !c.assignee_id.empty()) mine_[c.assignee_id].insert(&cs);
}

void TenantInbox::detach(const ConvState& cs) {
  const Conversation& c = cs.committed;
  if (c.head_seq == 0) return;
  if (c.status == Status::pending) queue_.erase(&cs);
  if (c.status == Status::active && !c.assignee_id.empty()) {
    if (auto m = mine_.find(c.assignee_id); m != mine_.end()) {
      m->second.erase(&cs);
      if (m->second.empty()) mine_.erase(m);
    }
  }
}

void TenantInbox::update(ConvState& cs, const Conversation& next, bool counted) {
  detach(cs);
  if (counted && cs.committed.head_seq > 0) count(cs.committed, -1);
  cs.committed = next;
  if (next.head_seq > 0) count(next, +1);
  attach(cs);
}

namespace {

template <class Set>
TenantInbox::Page page_of(const Set& set, const InboxList& request) {
  TenantInbox::Page out;
  auto it = set.begin();
  if (request.after) {
    Conversation probe;
    probe.id = request.after->id;
    probe.priority = request.after->priority;
    probe.handed_off_at = request.after->handed_off_at;
    probe.updated_at = request.after->updated_at;
    it = set.upper_bound(probe);
    out.offset = static_cast<std::size_t>(std::distance(set.begin(), it));
  } else {
    out.offset = std::min(request.offset, set.size());
    std::advance(it, static_cast<std::ptrdiff_t>(out.offset));
  }
  for (std::size_t n = 0; it != set.end() && n < request.limit; ++it, ++n) out.items.push_back(*it);
  out.total = set.size();
  return out;
}

}  // namespace

const TenantInbox::RecentSet& TenantInbox::mine(const std::string& agent_id) const {
  static const RecentSet kNone;
  auto m = mine_.find(agent_id);
  return m == mine_.end() ? kNone : m->second;
}

TenantInbox::Page TenantInbox::page(const InboxList& request, const std::string& agent_id) const {
  switch (request.list) {
    case InboxListName::queue:
      return page_of(queue_, request);
    case InboxListName::mine:
      return page_of(mine(agent_id), request);
    case InboxListName::recent:
      break;
  }
  return Page{};
}

}  // namespace parley::relay
