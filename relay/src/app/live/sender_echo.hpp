// relay/src/app/live/sender_echo.hpp: the sender's own message rides in its ack.
//
// A connection that sends chat.send_message used to get two frames: the ack, then its own
// chat.new_message event. Both go out in the same loop turn, so each costs a write and a wake-up
// of the client for nothing. Now the ack of a stored (not duplicate) message is HELD until the
// broadcast of that commit reaches the sender: the sender gets ONE frame, the ack with the event
// in `data.event` (encode_ack_with_event), and no separate event. A held ack whose event the
// sender does not receive (it is not subscribed, or may not see it) goes out alone at the end of
// the broadcast. docs/protocol.md "Persist, then acknowledge, then broadcast" states the rule.
//
// Loop thread only. Acks are held only between WritePipeline's "ack" and "committed" steps of one
// commit (both synchronous, in that order); as a safety net, a held ack never waits beyond the
// current loop turn (a flush is posted when the first one is held).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parley/model.hpp"

namespace parley::relay {

class Connections;
struct ConnState;

class SenderEcho {
 public:
  SenderEcho(boost::asio::io_context& io, Connections& conns) : io_(io), conns_(conns) {}

  // Holds the ack (request id `re`, `data`) for connection `c` until the event
  // (conversation_id, seq) is broadcast, or the end of the broadcast, or the end of this loop turn.
  void hold(ConnState& c, std::string conversation_id, Seq seq, std::string re, Json data);

  // In the broadcast of `event` (its encoded `frame`) to `c`: true when `c` held the ack of this
  // event, which has been sent with the event inside it; the caller then sends `frame` no more.
  bool deliver(ConnState& c, const Event& event, const std::string& frame);

  // Sends every ack still held, alone. Called at the end of each broadcast.
  void flush();

  std::uint64_t carried() const { return carried_; }  // acks that carried their event

 private:
  struct Held {
    std::uint64_t conn_id;
    std::string conversation_id;
    Seq seq;
    std::string re;
    Json data;
  };
  boost::asio::io_context& io_;
  Connections& conns_;
  std::vector<Held> held_;
  bool flush_posted_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // the posted flush outlives nothing
  std::uint64_t carried_ = 0;
};

}  // namespace parley::relay
