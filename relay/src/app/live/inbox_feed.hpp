// relay/src/app/live/inbox_feed.hpp: list changes for staff sockets (inbox.changes).
//
// Loop thread only. A committed change of a conversation marks it dirty (notify); after a group
// commit (the store's batch-done hook, posted to the loop) flush() sends every staff socket of
// the tenant ONE inbox.changes with the latest items of the conversations changed since the last
// one and the counts. Flushes are at most kMinInterval apart: with small, frequent commits a
// busy relay would otherwise send every staff socket a frame per commit; now each gets at most
// ten a second, latest state wins (chat events are not delayed: they go out at commit). A socket whose send queue is backed up (over kBackoffBytes) gets no
// new frame: its changes are kept by id (latest state wins) and sent once it drained.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

namespace parley::relay {

struct HubState;
struct ConvState;

class InboxFeed {
 public:
  static constexpr std::size_t kBackoffBytes = 256 * 1024;
  static constexpr std::chrono::milliseconds kMinInterval{100};
  InboxFeed(boost::asio::io_context& io, HubState& hub) : hub_(hub), retry_(io), pace_(io) {}
  void notify(ConvState& cs);
  // After a group commit: flushes now, or once kMinInterval has passed since the last flush.
  void batch_done();
  void flush();
  void stop() {
    retry_.cancel();
    pace_.cancel();
  }
  std::uint64_t flushes() const { return flushes_; }

 private:
  void arm_retry();
  void flush_backlogs();

  HubState& hub_;
  std::vector<std::string> dirty_;
  boost::asio::steady_timer retry_;
  bool retry_armed_ = false;
  boost::asio::steady_timer pace_;
  bool pace_armed_ = false;
  std::chrono::steady_clock::time_point last_flush_{};
  std::uint64_t flushes_ = 0;
};

}  // namespace parley::relay
