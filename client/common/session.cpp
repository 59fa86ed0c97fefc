#include "common/session.hpp"

#include <algorithm>
#include <utility>

#include "parley/replies.hpp"

namespace parley::client {

Session::Session(Transport& transport, SessionListener& listener, SessionOptions options)
    : transport_(transport), listener_(listener), options_(options) {}

std::string Session::next_id() { return "r" + std::to_string(next_request_++); }

bool Session::send_with_id(const Command& command, std::string key) {
  const std::string id = next_id();
  if (!transport_.send_text(encode_command(command, id))) return false;
  pending_[id] = Pending{std::string(command_name(command)), std::move(key)};
  return true;
}

void Session::connected(const Hello& hello, Millis now) {
  open_ = true;
  ready_ = false;
  pending_.clear();
  joined_.clear();
  in_flight_.clear();
  held_.clear();
  start_in_flight_ = false;
  awaiting_pong_since_ = 0;
  last_ping_ = now;
  // Every conversation the store knows is resumed once hello is acknowledged.
  for (const auto& [id, view] : store_.conversations()) joining_.insert(id);
  send_with_id(hello, "");
}

void Session::disconnected() {
  open_ = false;
  ready_ = false;
  pending_.clear();
  joined_.clear();
  joining_.clear();
  in_flight_.clear();
  held_.clear();  // lost with the connection: the next resume starts from the cursor
  start_in_flight_ = false;
  awaiting_pong_since_ = 0;
}

void Session::apply_held(const std::string& conversation_id) {
  const auto h = held_.find(conversation_id);
  if (h == held_.end()) return;
  std::vector<Event> events = std::move(h->second);
  held_.erase(h);
  // The join's replay holds every event that came live before it: sorted, each seq once.
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
  for (const Event& e : events) {
    const SyncStore::Applied applied = store_.apply(e);
    if (applied != SyncStore::Applied::duplicate) listener_.on_event(e, applied);
  }
}

void Session::tick(Millis now) {
  if (!ready_) return;
  if (awaiting_pong_since_ != 0) {
    if (now - awaiting_pong_since_ >= options_.pong_timeout_ms) {
      awaiting_pong_since_ = 0;
      transport_.reconnect();
    }
    return;
  }
  if (now - last_ping_ >= options_.ping_every_ms) {
    last_ping_ = now;
    if (send_with_id(Ping{}, "")) awaiting_pong_since_ = now;
  }
}

void Session::received(std::string_view frame, Millis now) {
  Result<ServerFrame> decoded = decode_server_frame(frame);
  if (!decoded) return;
  ServerFrame& f = decoded.value();
  switch (f.kind) {
    case ServerFrame::Kind::ack:
    case ServerFrame::Kind::error: {
      const auto it = pending_.find(f.re);
      if (it == pending_.end()) return;
      const Pending p = std::move(it->second);
      pending_.erase(it);
      if (p.command == "ping") {
        awaiting_pong_since_ = 0;
        last_ping_ = now;
        return;
      }
      if (f.kind == ServerFrame::Kind::ack) {
        on_ack(p, f.data);
      } else {
        on_error(p, f.error);
      }
      return;
    }
    case ServerFrame::Kind::event:
      deliver(std::move(f.event));
      return;
    case ServerFrame::Kind::notice:
      listener_.on_notice(f.type, f.data);
      return;
  }
}

void Session::deliver(Event event) {
  if (event.seq != 0) {
    if (auto h = held_.find(event.conversation_id); h != held_.end()) {
      h->second.push_back(std::move(event));
      return;
    }
  }
  const SyncStore::Applied applied = store_.apply(event);
  listener_.on_event(event, applied);
}

void Session::on_ack(const Pending& p, const Json& data) {
  if (p.command == "hello") {
    ready_ = true;
    const std::set<std::string> known = std::exchange(joining_, {});
    for (const std::string& id : known) resume(id);
    listener_.on_hello(data);
    if (pending_start_ && !start_in_flight_) send_start();
    return;
  }
  if (p.command == "chat.start") {
    start_in_flight_ = false;
    Result<StartAck> ack = decode_start_ack(data);
    if (!ack) return;
    const std::string& conversation_id = ack->conversation_id;
    if (pending_start_ && !pending_start_->client_msg_id.empty()) {
      in_flight_.erase(pending_start_->client_msg_id);
      store_.acknowledged(pending_start_->client_msg_id, 0);
    }
    pending_start_.reset();
    store_.assign_conversation(conversation_id);
    // The conversation's events follow a new start's ack on this connection, so its head_seq is
    // no resume point: after a drop the store resumes from what has arrived.
    store_.track(conversation_id);
    listener_.on_started(conversation_id);
    if (ack->duplicate) {
      // The start had committed before (a re-sent start after a reconnect): none of its events
      // came on this connection. Join from the cursor, as for any resume; events that arrive
      // before the join's answer are held and applied in seq order then (the relay subscribed
      // this connection already, so live ones may come before the replay).
      held_[conversation_id];
      resume(conversation_id);
      return;
    }
    joined_.insert(conversation_id);
    flush(conversation_id);
    return;
  }
  if (p.command == "chat.send_message") {
    in_flight_.erase(p.key);
    Result<SendAck> ack = decode_send_ack(data);
    store_.acknowledged(p.key, ack ? ack->seq : 0);
    // The relay sends the sender's own message inside the ack, not as a separate event.
    if (ack && ack->event) deliver(std::move(*ack->event));
    listener_.on_command_ack(p.command, p.key, data);
    return;
  }
  if (p.command == "chat.join") {
    joining_.erase(p.key);
    apply_held(p.key);
    joined_.insert(p.key);
    if (Result<JoinAck> ack = decode_join_ack(data)) {
      if (ack->conversation) store_.upsert_summary(*ack->conversation);
      store_.set_head(p.key, ack->head_seq);
    }
    listener_.on_joined(p.key);
    flush(p.key);
    listener_.on_command_ack(p.command, p.key, data);
    return;
  }
  listener_.on_command_ack(p.command, p.key, data);
}

void Session::on_error(const Pending& p, const Error& error) {
  if (p.command == "chat.send_message") {
    in_flight_.erase(p.key);
    store_.failed(p.key, error.message);
  } else if (p.command == "chat.start") {
    start_in_flight_ = false;
    if (pending_start_ && !pending_start_->client_msg_id.empty()) {
      in_flight_.erase(pending_start_->client_msg_id);
      store_.failed(pending_start_->client_msg_id, error.message);
    }
    pending_start_.reset();
  } else if (p.command == "chat.join") {
    joining_.erase(p.key);
    held_.erase(p.key);
  }
  listener_.on_command_error(p.command, p.key, error);
}

void Session::resume(const std::string& conversation_id) {
  if (conversation_id.empty() || joined_.count(conversation_id)) return;
  if (!ready_) {
    joining_.insert(conversation_id);
    return;
  }
  for (const auto& [id, p] : pending_) {
    if (p.command == "chat.join" && p.key == conversation_id) return;
  }
  joining_.insert(conversation_id);
  // "chat.resume" is the customer alias of chat.join; the codec writes the canonical name.
  send_with_id(Join{conversation_id, store_.resume_from(conversation_id)}, conversation_id);
}

void Session::start(ChatStart start, Millis now) {
  if (!start.text.empty() && !start.client_msg_id.empty()) {
    OutboxEntry entry;
    entry.client_msg_id = start.client_msg_id;
    entry.text = start.text;
    entry.queued_at = now;
    store_.enqueue(std::move(entry));
  }
  pending_start_ = std::move(start);
  if (ready_) send_start();
}

void Session::send_start() {
  if (!pending_start_) return;
  ChatStart s = *pending_start_;
  // A first message that failed or was discarded is not sent again with the start.
  bool first_message_live = false;
  for (const OutboxEntry& o : store_.outbox()) {
    if (o.client_msg_id == s.client_msg_id && o.state == Delivery::sending) first_message_live = true;
  }
  if (!first_message_live) {
    s.client_msg_id.clear();
    s.text.clear();
  }
  if (send_with_id(s, s.client_msg_id)) {
    start_in_flight_ = true;
    if (!s.client_msg_id.empty()) in_flight_.insert(s.client_msg_id);
  }
}

void Session::adopt_pending_start(const std::string& conversation_id) {
  if (!pending_start_ || start_in_flight_) return;
  pending_start_.reset();
  store_.assign_conversation(conversation_id);
  resume(conversation_id);
}

void Session::send_message(const std::string& conversation_id, const std::string& client_msg_id,
                           const std::string& text, Millis now) {
  OutboxEntry entry;
  entry.client_msg_id = client_msg_id;
  entry.conversation_id = conversation_id;
  entry.text = text;
  entry.queued_at = now;
  store_.enqueue(std::move(entry));
  if (!conversation_id.empty()) flush(conversation_id);
}

bool Session::retry(const std::string& client_msg_id) {
  const OutboxEntry* entry = store_.retry(client_msg_id);
  if (!entry) return false;
  if (entry->conversation_id.empty()) {
    if (pending_start_ && pending_start_->client_msg_id == client_msg_id) {
      if (ready_ && !start_in_flight_) send_start();
    }
    return true;
  }
  flush(entry->conversation_id);
  return true;
}

void Session::discard(const std::string& client_msg_id) { store_.discard(client_msg_id); }

bool Session::send(const Command& command, std::string key) {
  if (!ready_) return false;
  // Ephemeral signals go without a request id: the relay acks only commands that carry one.
  if (std::holds_alternative<Typing>(command) || std::holds_alternative<Seen>(command)) {
    return transport_.send_text(encode_command(command, ""));
  }
  return send_with_id(command, std::move(key));
}

void Session::flush(const std::string& conversation_id) {
  if (!ready_ || !joined_.count(conversation_id)) return;
  for (const OutboxEntry& o : store_.to_send()) {
    if (o.conversation_id != conversation_id || in_flight_.count(o.client_msg_id)) continue;
    SendMessage m;
    m.conversation_id = o.conversation_id;
    m.client_msg_id = o.client_msg_id;
    m.text = o.text;
    m.kind = o.kind;
    if (!send_with_id(m, o.client_msg_id)) return;
    in_flight_.insert(o.client_msg_id);
  }
}

}  // namespace parley::client
