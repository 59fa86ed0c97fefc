// The sender's own message rides in its ack (sender_echo.hpp).
#include "app/live/sender_echo.hpp"

#include <boost/asio/post.hpp>

#include "app/live/connections.hpp"
#include "parley/replies.hpp"

namespace parley::relay {

void SenderEcho::hold(ConnState& c, std::string conversation_id, Seq seq, std::string re, Json data) {
  held_.push_back(Held{c.id, std::move(conversation_id), seq, std::move(re), std::move(data)});
  ++c.held_acks;
  if (!flush_posted_) {
    flush_posted_ = true;
    boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.expired()) return;
      flush_posted_ = false;
      flush();
    });
  }
}

bool SenderEcho::deliver(ConnState& c, const Event& event, const std::string& frame) {
  if (c.held_acks == 0) return false;
  for (auto it = held_.begin(); it != held_.end(); ++it) {
    if (it->conn_id != c.id || it->seq != event.seq || it->conversation_id != event.conversation_id) continue;
    c.send(encode_ack_with_event(it->re, it->data, frame));
    --c.held_acks;
    ++carried_;
    held_.erase(it);
    return true;
  }
  return false;
}

void SenderEcho::flush() {
  if (held_.empty()) return;
  std::vector<Held> rest = std::move(held_);
  held_.clear();
  for (Held& h : rest) {
    ConnState* c = conns_.find(h.conn_id);
    if (!c) continue;  // the sender left
    --c->held_acks;
    c->send(encode_ack(h.re, h.data));
  }
}

}  // namespace parley::relay
