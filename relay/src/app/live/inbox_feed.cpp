// inbox.changes fan-out (inbox_feed.hpp).
#include "app/live/inbox_feed.hpp"

#include <unordered_map>

#include "app/hub_state.hpp"

namespace parley::relay {

void InboxFeed::notify(ConvState& cs) {
  if (cs.inbox_dirty) return;
  cs.inbox_dirty = true;
  dirty_.push_back(cs.committed.id);
}

void InboxFeed::batch_done() {
  if (dirty_.empty() || pace_armed_ || hub_.stopped) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_flush_ >= kMinInterval) return flush();
  pace_armed_ = true;
  pace_.expires_at(last_flush_ + kMinInterval);
  pace_.async_wait([this](const boost::system::error_code& ec) {
    pace_armed_ = false;
    if (!ec) flush();
  });
}

void InboxFeed::flush() {
  if (dirty_.empty()) return;
  last_flush_ = std::chrono::steady_clock::now();
  ++flushes_;
  std::vector<std::string> ids;
  ids.swap(dirty_);
  struct Changes {
    std::vector<const std::string*> ids;
    std::vector<ConversationItem> items;
  };
  std::unordered_map<std::string, Changes> by_tenant;
  for (const std::string& id : ids) {
    ConvState* cs = hub_.convs.find(id);
    if (!cs) continue;
    cs->inbox_dirty = false;
    const std::string& tenant_id = cs->committed.tenant_id;
    if (hub_.conns.staff_of(tenant_id).empty()) continue;
    Changes& ch = by_tenant[tenant_id];
    ch.ids.push_back(&id);
    ch.items.push_back(hub_.list_item(*cs));
  }
  bool backlog = false;
  for (auto& [tenant_id, ch] : by_tenant) {
    std::shared_ptr<const std::string> frame;  // encoded once, shared by every socket
    for (std::uint64_t cid : hub_.conns.staff_of(tenant_id)) {
      ConnState* conn = hub_.conns.find(cid);
      if (!conn || conn->closed) continue;
      if (!conn->inbox_backlog.empty() || conn->queued_bytes() > kBackoffBytes) {
        for (const std::string* id : ch.ids) {
          if (conn->inbox_backlog_set.insert(*id).second) conn->inbox_backlog.push_back(*id);
        }
        backlog = true;
        continue;
      }
      if (!frame) {
        InboxChanges changes{ch.items, hub_.counts(tenant_id)};
        frame = std::make_shared<const std::string>(encode_notice(changes));
      }
      conn->send(frame);
    }
  }
  if (backlog) arm_retry();
  // A resolved conversation stays in memory until its change went out; now it may go.
  for (const std::string& id : ids) hub_.convs.maybe_evict(id);
}

void InboxFeed::arm_retry() {
  if (retry_armed_ || hub_.stopped) return;
  retry_armed_ = true;
  retry_.expires_after(std::chrono::milliseconds(20));
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    retry_armed_ = false;
    flush_backlogs();
  });
}

void InboxFeed::flush_backlogs() {
  bool still = false;
  hub_.conns.for_each([&](ConnState& conn) {
    if (conn.inbox_backlog.empty() || conn.closed) return;
    if (conn.queued_bytes() > kBackoffBytes) {
      still = true;
      return;
    }
    InboxChanges changes;
    for (const std::string& id : conn.inbox_backlog) {
      if (ConvState* cs = hub_.convs.find(id)) changes.conversations.push_back(hub_.list_item(*cs));
    }
    conn.inbox_backlog.clear();
    conn.inbox_backlog_set.clear();
    changes.counts = hub_.counts(conn.who.tenant_id);
    conn.send(encode_notice(changes));
  });
  if (still) arm_retry();
}

}  // namespace parley::relay
