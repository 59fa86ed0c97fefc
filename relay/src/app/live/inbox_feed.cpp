// Targeted inbox.changes fan-out (inbox_feed.hpp).
#include "app/live/inbox_feed.hpp"

#include <algorithm>

#include "app/hub_state.hpp"
#include "app/live/fanout.hpp"

namespace parley::relay {

namespace {
bool same(const TenantCounts& a, const TenantCounts& b) {
  return a.bot == b.bot && a.waiting == b.waiting && a.active == b.active && a.resolved_today == b.resolved_today &&
         a.avg_wait_s == b.avg_wait_s;
}
}  // namespace

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

void InboxFeed::mark_fresh(ConnState& conn) {
  if (conn.fresh_epoch == epoch_) return;
  conn.fresh_epoch = epoch_;
  fresh_[conn.who.tenant_id].push_back(conn.id);
}

void InboxFeed::view_all(ConnState& conn) {
  conn.views_all = true;
  all_[conn.who.tenant_id].insert(conn.id);
}

void InboxFeed::forget(ConnState& conn) {
  if (!conn.views_all) return;
  if (auto it = all_.find(conn.who.tenant_id); it != all_.end()) {
    it->second.erase(conn.id);
    if (it->second.empty()) all_.erase(it);
  }
}

void InboxFeed::queue_item(ConnState& conn, const std::string& id, const std::shared_ptr<const std::string>& item) {
  if (conn.closed) return;
  if (auto at = conn.inbox_item_at.find(id); at != conn.inbox_item_at.end()) {
    conn.inbox_items[at->second].second = item;  // latest state wins
  } else {
    conn.inbox_item_at.emplace(id, conn.inbox_items.size());
    conn.inbox_items.emplace_back(id, item);
  }
  if (!conn.inbox_due) {
    conn.inbox_due = true;
    due_.push_back(conn.id);
  }
}

void InboxFeed::flush() {
  if (dirty_.empty()) return;
  last_flush_ = std::chrono::steady_clock::now();
  ++counters_.flushes;
  std::vector<std::string> ids;
  ids.swap(dirty_);
  std::unordered_set<std::string> tenants;
  for (const std::string& id : ids) {
    ConvState* cs = hub_.convs.find(id);
    if (!cs) continue;
    cs->inbox_dirty = false;
    const ListMark now = list_mark(cs->committed);
    const ListAudience a = audience_of(cs->fanned, now, cs->trail);
    cs->fanned = now;
    cs->fanned_set = true;
    cs->trail.clear();
    const std::string& tenant_id = cs->committed.tenant_id;
    tenants.insert(tenant_id);
    std::shared_ptr<const std::string> item;  // encoded once, on first need, shared
    auto give = [&](ConnState* c) {
      if (!c || !c->who.is_staff() || c->who.tenant_id != tenant_id) return;
      if (!item) item = std::make_shared<const std::string>(encode_item(hub_.list_item(*cs)));
      queue_item(*c, id, item);
    };
    const bool fresh_only = !a.queue_viewers && a.fresh_queue_viewers;
    if (a.queue_viewers) {
      for (std::uint64_t cid : hub_.conns.staff_of(tenant_id)) give(hub_.conns.find(cid));
    } else if (fresh_only) {
      if (auto f = fresh_.find(tenant_id); f != fresh_.end()) {
        for (std::uint64_t cid : f->second) give(hub_.conns.find(cid));
      }
    }
    for (const std::string& u : a.mine_users) {
      for (ConnState* c : hub_.conns.staff_of_user(u)) give(c);
    }
    for (const std::string& u : a.fresh_mine_users) {
      for (ConnState* c : hub_.conns.staff_of_user(u)) {
        if (c->fresh_epoch == epoch_) give(c);
      }
    }
    if (a.joined) {
      for (std::uint64_t cid : cs->subscribers) give(hub_.conns.find(cid));
    }
    if (auto all = all_.find(tenant_id); all != all_.end()) {
      for (std::uint64_t cid : all->second) give(hub_.conns.find(cid));
    }
  }
  // Counts: to every staff socket of a tenant whose counts changed.
  counts_json_.clear();
  for (const std::string& tenant_id : tenants) {
    const TenantCounts n = hub_.counts(tenant_id);
    auto sent = counts_sent_.find(tenant_id);
    if (sent != counts_sent_.end() && same(sent->second, n)) continue;
    counts_sent_[tenant_id] = n;
    for (std::uint64_t cid : hub_.conns.staff_of(tenant_id)) {
      ConnState* c = hub_.conns.find(cid);
      if (!c || c->closed) continue;
      c->inbox_counts = true;
      if (!c->inbox_due) {
        c->inbox_due = true;
        due_.push_back(c->id);
      }
    }
  }
  ++epoch_;
  fresh_.clear();
  send_due();
  // A resolved conversation stays in memory until its change was decided; now it may go (the
  // sockets hold its encoded item).
  for (const std::string& id : ids) hub_.convs.maybe_evict(id);
}

void InboxFeed::send_due() {
  std::vector<std::uint64_t> due;
  due.swap(due_);
  // Sockets with the same items and counts share one encoded frame.
  std::unordered_map<std::string, std::shared_ptr<const std::string>> frames;
  std::string key;
  std::vector<const std::string*> items;
  bool backed_up = false;
  for (std::uint64_t cid : due) {
    ConnState* c = hub_.conns.find(cid);
    if (!c || c->closed) continue;
    if (c->queued_bytes() > kBackoffBytes) {
      due_.push_back(cid);  // stays due: its items wait, latest state wins
      backed_up = true;
      continue;
    }
    const std::string* counts = nullptr;
    if (c->inbox_counts) {
      auto cj = counts_json_.find(c->who.tenant_id);
      if (cj == counts_json_.end()) {
        cj = counts_json_.emplace(c->who.tenant_id, encode_counts(hub_.counts(c->who.tenant_id))).first;
      }
      counts = &cj->second;
    }
    key.clear();
    items.clear();
    for (const auto& [id, item] : c->inbox_items) {
      items.push_back(item.get());
      key.append(reinterpret_cast<const char*>(&items.back()), sizeof(const std::string*));
    }
    key.append(c->who.tenant_id);
    key.push_back(counts ? '1' : '0');
    auto& frame = frames[key];
    if (!frame) {
      frame = std::make_shared<const std::string>(encode_inbox_changes(items, counts));
      ++counters_.frames_encoded;
    }
    c->send(frame);
    ++counters_.frames;
    counters_.items += items.size();
    c->inbox_items.clear();
    c->inbox_item_at.clear();
    c->inbox_counts = false;
    c->inbox_due = false;
  }
  if (backed_up) arm_retry();
}

void InboxFeed::arm_retry() {
  if (retry_armed_ || hub_.stopped) return;
  retry_armed_ = true;
  retry_.expires_after(std::chrono::milliseconds(20));
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    retry_armed_ = false;
    // Counts queued on a backed-up socket are re-read when it drains (latest wins).
    counts_json_.clear();
    send_due();
  });
}

}  // namespace parley::relay
