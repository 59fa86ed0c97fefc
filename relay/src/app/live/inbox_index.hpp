// relay/src/app/live/inbox_index.hpp: one tenant's inbox lists and counts, over COMMITTED states.
//
// Pure: no sockets, no store, no clock (times are passed in), so it is unit-tested on its own
// (tests/unit_app/test_inbox_index.cpp). Loop thread only; owned by the ConversationRegistry.
//
// Lists: the queue (pending; parley::queue_before: most urgent, then longest waiting) and each
// agent's "mine" (active, by assignee; parley::recent_before). The sets hold ConvState pointers
// ordered by `committed`, so a conversation's committed state changes only through update():
// erase under the old key, count, assign, insert under the new key. The "recent" list (every
// conversation, resolved ones included) is served from the database, not from here.
//
// Counts: by status, and today's sums (resolved today; wait and first-response sums) in the
// tenant's time zone. The hub keeps only open conversations in memory, so counts are a BASE
// read from the database (set_base: at start-up and when the day changes) plus the DELTAS of
// every committed change seen since (update). A resolved conversation that is evicted keeps
// counting (its contribution is in the base or was added by a delta); one loaded again on
// demand is attach()ed to the lists without being counted twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/live/conv_state.hpp"
#include "parley/protocol.hpp"
#include "parley/queue.hpp"
#include "parley/today.hpp"

namespace parley::relay {

struct InboxBase {
  int by_status[4] = {0, 0, 0, 0};  // indexed by parley::Status
  TodayCounts today;  // parley/today.hpp: the rule is shared with the apps
};

class TenantInbox {
 public:
  template <bool (*Before)(const Conversation&, const Conversation&)>
  struct Less {
    using is_transparent = void;  // lets a cursor (a Conversation) probe the set
    bool operator()(const ConvState* a, const ConvState* b) const { return Before(a->committed, b->committed); }
    bool operator()(const ConvState* a, const Conversation& b) const { return Before(a->committed, b); }
    bool operator()(const Conversation& a, const ConvState* b) const { return Before(a, b->committed); }
  };
  using QueueSet = std::set<const ConvState*, Less<&queue_before>>;
  using RecentSet = std::set<const ConvState*, Less<&recent_before>>;

  // Replaces the counts (a recount from the database for the day starting at `day_start`).
  void set_base(const InboxBase& base, Millis day_start, Millis day_end);
  // The day this index counts for; the owner calls set_base again once `now` passes day_end().
  Millis day_start() const { return day_start_; }
  Millis day_end() const { return day_end_; }

  // `cs.committed` becomes `next`: lists and counts follow. `counted` false: cs.committed was not
  // counted yet (a conversation that commits for the first time), so only `next` is added.
  void update(ConvState& cs, const Conversation& next, bool counted = true);
  // Lists only, no counts: a conversation (re)loaded from the database, or evicted from memory.
  void attach(const ConvState& cs);
  void detach(const ConvState& cs);

  struct Page {
    std::vector<const ConvState*> items;
    std::size_t total = 0;
    std::size_t offset = 0;
  };
  // One page of the queue, or of `agent_id`'s "mine" (request.list recent is not served here:
  // it answers an empty page). O(position + page).
  Page page(const InboxList& request, const std::string& agent_id) const;

  const QueueSet& queue() const { return queue_; }
  // `agent_id`'s active conversations (empty when none).
  const RecentSet& mine(const std::string& agent_id) const;
  int by_status(Status s) const { return base_.by_status[static_cast<int>(s)]; }
  const TodayCounts& today() const { return base_.today; }

 private:
  void count(const Conversation& c, int sign);

  QueueSet queue_;
  std::unordered_map<std::string, RecentSet> mine_;
  InboxBase base_;
  Millis day_start_ = 0, day_end_ = 0;
};

}  // namespace parley::relay
