// relay/src/app/live/inbox_feed.hpp: list changes for staff sockets (inbox.changes), targeted.
//
// Loop thread only. A committed change of a conversation marks it dirty (notify). Flushes are
// paced: after a group commit (the store's batch-done hook, posted to the loop) the feed flushes
// at once when kMinInterval has passed since the last flush, else when it has. A flush decides,
// per dirty conversation, which staff sockets must hear of it (the rules in live/fanout.hpp: the
// queue's viewers, the assignee's sockets, joined sockets, sockets viewing the whole history) and
// files the item, encoded once (HubState::encoded_item), under a channel: the tenant's queue, the
// user's "mine", the tenant's history. Only fresh, joined and backed-up sockets get items queued
// on themselves (latest state wins). Then each socket with something in its channels or its own
// queue gets ONE inbox.changes, plus the tenant's counts when they changed; sockets with the same
// channels and nothing of their own share one encoded frame. So a socket gets at most one list
// frame per kMinInterval, and a message in an agent's chat costs no list frame at all (the agent
// follows it by its chat events): staff traffic per message does not grow with the number of
// staff online.
//
// A socket whose send queue is backed up (over kBackoffBytes) is skipped; its items stay queued
// (latest state wins, at most one per conversation) and go out once it has drained.
//
// Fresh sockets: a socket that got a snapshot or a list page since the last flush may hold a
// state the conversation passed through in between; mark_fresh() makes the next flush tell it.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parley/replies.hpp"

namespace parley::relay {

struct HubState;
struct ConvState;
struct ConnState;

struct FeedCounters {
  std::uint64_t flushes = 0;
  std::uint64_t frames = 0;         // inbox.changes frames sent
  std::uint64_t items = 0;          // list items in them, summed over sockets
  std::uint64_t frames_encoded = 0; // distinct frames encoded (the rest were shared)
};

class InboxFeed {
 public:
  static constexpr std::size_t kBackoffBytes = 256 * 1024;
  static constexpr std::chrono::milliseconds kMinInterval{200};
  InboxFeed(boost::asio::io_context& io, HubState& hub) : hub_(hub), retry_(io), pace_(io) {}
  void notify(ConvState& cs);
  // After a group commit: flushes now, or once kMinInterval has passed since the last flush.
  void batch_done();
  void flush();
  // `conn` got a snapshot or a list page just now (it holds states as of now).
  void mark_fresh(ConnState& conn);
  // `conn` pages the tenant's whole history: it hears of every change from now on.
  void view_all(ConnState& conn);
  void forget(ConnState& conn);
  void stop() {
    retry_.cancel();
    pace_.cancel();
  }
  const FeedCounters& counters() const { return counters_; }

 private:
  struct Item {
    const std::string* id;
    std::shared_ptr<const std::string> json;
  };
  struct Channels {
    std::unordered_set<std::string> tenants;  // with changes in this flush
    std::unordered_map<std::string, std::vector<Item>> queue;  // by tenant
    std::unordered_map<std::string, std::vector<Item>> mine;   // by user
    std::unordered_map<std::string, std::vector<Item>> all;    // by tenant (history viewers)
  };
  void queue_item(ConnState& conn, const std::string& id, const std::shared_ptr<const std::string>& item);
  void deliver(const std::vector<std::uint64_t>& visit, const Channels& ch);
  void send_own(ConnState& c, std::unordered_map<std::string, std::shared_ptr<const std::string>>& frames,
                std::string& key, std::vector<const std::string*>& items);
  void send_due();
  void arm_retry();

  HubState& hub_;
  std::vector<std::string> dirty_;
  std::uint64_t epoch_ = 1;
  std::unordered_map<std::string, std::vector<std::uint64_t>> fresh_;       // by tenant, this epoch
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>> all_;  // views_all, by tenant
  std::unordered_map<std::string, TenantCounts> counts_sent_;              // by tenant
  std::unordered_map<std::string, std::string> counts_json_;  // changed in this flush, by tenant
  std::unordered_map<std::string, std::string> own_counts_;   // current, for skipped sockets
  std::vector<std::uint64_t> due_;  // sockets with items of their own (or backed up)
  std::uint64_t visit_stamp_ = 0;
  std::unordered_map<const std::string*, std::size_t> frame_items_;
  boost::asio::steady_timer retry_;
  bool retry_armed_ = false;
  boost::asio::steady_timer pace_;
  bool pace_armed_ = false;
  std::chrono::steady_clock::time_point last_flush_{};
  FeedCounters counters_;
};

}  // namespace parley::relay
