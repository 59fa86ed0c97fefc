// relay/src/app/live/inbox_feed.hpp: list changes for staff sockets (inbox.changes).
//
// Loop thread only. A committed change of a conversation marks it dirty (notify); after each
// group commit (the store's batch-done hook, posted to the loop) flush() sends every staff
// socket of the tenant ONE inbox.changes with the latest items of the conversations the batch
// changed and the counts. A socket whose send queue is backed up (over kBackoffBytes) gets no
// new frame: its changes are kept by id (latest state wins) and sent once it drained.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <string>
#include <vector>

namespace parley::relay {

struct HubState;
struct ConvState;

class InboxFeed {
 public:
  static constexpr std::size_t kBackoffBytes = 256 * 1024;
  InboxFeed(boost::asio::io_context& io, HubState& hub) : hub_(hub), retry_(io) {}
  void notify(ConvState& cs);
  void flush();
  void stop() { retry_.cancel(); }

 private:
  void arm_retry();
  void flush_backlogs();

  HubState& hub_;
  std::vector<std::string> dirty_;
  boost::asio::steady_timer retry_;
  bool retry_armed_ = false;
};

}  // namespace parley::relay
