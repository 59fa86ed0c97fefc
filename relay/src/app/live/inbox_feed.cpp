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
  // This flush's items by channel: a tenant's queue, a user's "mine", a tenant's everything.
  // Sockets take their channels' items; only fresh and joined sockets get items of their own.
  Channels ch;
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
    ch.tenants.insert(tenant_id);
    // Encoded on first need only: a message in an agent's chat usually has no list recipient.
    Item item{&cs->committed.id, nullptr};
    auto encoded = [&]() -> const Item& {
      if (!item.json) item.json = hub_.encoded_item(*cs);
      return item;
    };
    if (a.queue_viewers) ch.queue[tenant_id].push_back(encoded());
    for (const std::string& u : a.mine_users) ch.mine[u].push_back(encoded());
    if (all_.count(tenant_id)) ch.all[tenant_id].push_back(encoded());
    auto own = [&](ConnState* c) {
      if (c && c->who.is_staff() && c->who.tenant_id == tenant_id) queue_item(*c, id, encoded().json);
    };
    if (!a.queue_viewers && a.fresh_queue_viewers) {
      if (auto f = fresh_.find(tenant_id); f != fresh_.end()) {
        for (std::uint64_t cid : f->second) own(hub_.conns.find(cid));
      }
    }
    for (const std::string& u : a.fresh_mine_users) {
      for (ConnState* c : hub_.conns.staff_of_user(u)) {
        if (c->fresh_epoch == epoch_) own(c);
      }
    }
    if (a.joined) {
      for (std::uint64_t cid : cs->subscribers) own(hub_.conns.find(cid));
    }
  }
  // Counts: to every staff socket of a tenant whose counts changed.
  counts_json_.clear();
  for (const std::string& tenant_id : ch.tenants) {
    const TenantCounts n = hub_.counts(tenant_id);
    auto sent = counts_sent_.find(tenant_id);
    if (sent != counts_sent_.end() && same(sent->second, n)) continue;
    counts_sent_[tenant_id] = n;
    counts_json_.emplace(tenant_id, encode_counts(n));
  }
  ++epoch_;
  fresh_.clear();
  // Who may have something: the queue's and counts' tenants, the users with "mine" items, the
  // history viewers, and sockets with items of their own.
  std::vector<std::uint64_t> visit;
  visit.swap(due_);
  for (const std::string& tenant_id : ch.tenants) {
    if (ch.queue.count(tenant_id) || counts_json_.count(tenant_id)) {
      const auto& staff = hub_.conns.staff_of(tenant_id);
      visit.insert(visit.end(), staff.begin(), staff.end());
    } else if (auto all = all_.find(tenant_id); all != all_.end()) {
      visit.insert(visit.end(), all->second.begin(), all->second.end());
    }
  }
  for (const auto& [user, items] : ch.mine) {
    for (ConnState* c : hub_.conns.staff_of_user(user)) visit.push_back(c->id);
  }
  deliver(visit, ch);
  // A resolved conversation stays in memory until its change was decided; now it may go (the
  // sockets hold its encoded item).
  for (const std::string& id : ids) hub_.convs.maybe_evict(id);
}

void InboxFeed::deliver(const std::vector<std::uint64_t>& visit, const Channels& ch) {
  ++visit_stamp_;
  // Sockets with the same channels and no items of their own share one frame; others get theirs.
  std::unordered_map<std::string, std::shared_ptr<const std::string>> frames;
  std::string key;
  std::vector<const std::string*> items;
  std::unordered_set<const std::string*> seen;
  bool backed_up = false;
  auto find_in = [](const auto& map, const std::string& k) -> const std::vector<Item>* {
    auto it = map.find(k);
    return it == map.end() ? nullptr : &it->second;
  };
  for (std::uint64_t cid : visit) {
    ConnState* c = hub_.conns.find(cid);
    if (!c || c->closed || !c->who.is_staff() || c->feed_stamp == visit_stamp_) continue;
    c->feed_stamp = visit_stamp_;
    const std::string& tenant_id = c->who.tenant_id;
    const std::vector<Item>* lists[3] = {find_in(ch.queue, tenant_id), find_in(ch.mine, c->who.staff.user.id),
                                         c->views_all ? find_in(ch.all, tenant_id) : nullptr};
    const bool counts_changed = counts_json_.count(tenant_id) > 0;
    if (c->inbox_due || c->queued_bytes() > kBackoffBytes) {
      // Items of its own, or backed up: merge into its own queue (latest state wins).
      for (const auto* l : lists) {
        if (!l) continue;
        for (const Item& i : *l) queue_item(*c, *i.id, i.json);
      }
      if (counts_changed) c->inbox_counts = true;
      if (c->inbox_counts) c->inbox_due = true;
      if (c->queued_bytes() > kBackoffBytes) {
        if (c->inbox_due) due_.push_back(cid);  // waits (latest state wins); duplicates are skipped
        backed_up = true;
        continue;
      }
      if (!c->inbox_due) continue;
      send_own(*c, frames, key, items);
      continue;
    }
    if (!lists[0] && !lists[1] && !lists[2] && !counts_changed) continue;
    key.assign(tenant_id);
    key.push_back('\n');
    for (const auto* l : lists) key.append(reinterpret_cast<const char*>(&l), sizeof l);
    key.push_back(counts_changed ? '1' : '0');
    auto& frame = frames[key];
    if (!frame) {
      items.clear();
      seen.clear();
      for (const auto* l : lists) {
        if (!l) continue;
        for (const Item& i : *l) {
          if (seen.insert(i.json.get()).second) items.push_back(i.json.get());
        }
      }
      frame = std::make_shared<const std::string>(
          encode_inbox_changes(items, counts_changed ? &counts_json_.at(tenant_id) : nullptr));
      ++counters_.frames_encoded;
      frame_items_[frame.get()] = items.size();
    }
    c->send(frame);
    ++counters_.frames;
    counters_.items += frame_items_[frame.get()];
  }
  frame_items_.clear();
  own_counts_.clear();
  if (backed_up) arm_retry();
}

void InboxFeed::send_own(ConnState& c, std::unordered_map<std::string, std::shared_ptr<const std::string>>& frames,
                         std::string& key, std::vector<const std::string*>& items) {
  const std::string* counts = nullptr;
  if (c.inbox_counts) {
    // The tenant's current counts (changed in this flush, or since this socket was skipped).
    auto cj = counts_json_.find(c.who.tenant_id);
    if (cj == counts_json_.end()) {
      cj = own_counts_.find(c.who.tenant_id);
      if (cj == own_counts_.end()) {
        cj = own_counts_.emplace(c.who.tenant_id, encode_counts(hub_.counts(c.who.tenant_id))).first;
      }
    }
    counts = &cj->second;
  }
  key.assign("own\n");
  items.clear();
  for (const auto& [id, item] : c.inbox_items) {
    items.push_back(item.get());
    key.append(reinterpret_cast<const char*>(&items.back()), sizeof(const std::string*));
  }
  key.append(c.who.tenant_id);
  key.push_back(counts ? '1' : '0');
  auto& frame = frames[key];
  if (!frame) {
    frame = std::make_shared<const std::string>(encode_inbox_changes(items, counts));
    ++counters_.frames_encoded;
  }
  c.send(frame);
  ++counters_.frames;
  counters_.items += items.size();
  c.inbox_items.clear();
  c.inbox_item_at.clear();
  c.inbox_counts = false;
  c.inbox_due = false;
}

void InboxFeed::send_due() {
  std::vector<std::uint64_t> due;
  due.swap(due_);
  deliver(due, Channels{});
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
