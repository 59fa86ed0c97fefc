#include "common/connection.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/html5.h>
#include <emscripten/websocket.h>

#include <utility>

namespace parley::client {
namespace {

Connection* self(void* user) { return static_cast<Connection*>(user); }

EM_BOOL on_open(int, const EmscriptenWebSocketOpenEvent*, void* user) {
  self(user)->handle_open();
  return EM_TRUE;
}
EM_BOOL on_message(int, const EmscriptenWebSocketMessageEvent* e, void* user) {
  // Text payloads arrive NUL-terminated; numBytes counts the terminator.
  self(user)->handle_message(reinterpret_cast<const char*>(e->data), static_cast<int>(e->numBytes),
                             e->isText);
  return EM_TRUE;
}
EM_BOOL on_close(int, const EmscriptenWebSocketCloseEvent*, void* user) {
  self(user)->handle_close();
  return EM_TRUE;
}
EM_BOOL on_error(int, const EmscriptenWebSocketErrorEvent*, void*) {
  return EM_TRUE;  // a close event follows
}
void on_retry_timer(void* user) { self(user)->handle_retry_timer(); }
void on_tick_timer(void* user) { self(user)->handle_tick(); }

}  // namespace

Connection::Connection(std::string url, Listener& listener, BackoffPolicy policy)
    : url_(std::move(url)), listener_(listener), policy_(policy) {}

Connection::~Connection() {
  if (retry_timer_) emscripten_clear_timeout(retry_timer_);
  if (tick_timer_) emscripten_clear_interval(tick_timer_);
  drop_socket();
}

void Connection::start() {
  if (!tick_timer_) tick_timer_ = emscripten_set_interval(on_tick_timer, 1000, this);
  open_socket();
}

void Connection::set_state(State s) {
  state_ = s;
  listener_.on_state(s, s == State::waiting ? retry_at_ : 0);
}

void Connection::open_socket() {
  if (socket_) return;
  if (!online_) {
    set_state(State::offline);
    return;
  }
  EmscriptenWebSocketCreateAttributes attrs;
  emscripten_websocket_init_create_attributes(&attrs);
  attrs.url = url_.c_str();
  attrs.protocols = nullptr;
  const EMSCRIPTEN_WEBSOCKET_T ws = emscripten_websocket_new(&attrs);
  if (ws <= 0) {
    schedule_retry();
    return;
  }
  socket_ = ws;
  emscripten_websocket_set_onopen_callback(ws, this, on_open);
  emscripten_websocket_set_onmessage_callback(ws, this, on_message);
  emscripten_websocket_set_onclose_callback(ws, this, on_close);
  emscripten_websocket_set_onerror_callback(ws, this, on_error);
  set_state(State::connecting);
}

void Connection::drop_socket() {
  if (!socket_) return;
  unsigned short ready = 0;
  emscripten_websocket_get_ready_state(socket_, &ready);
  if (ready == 0 || ready == 1) emscripten_websocket_close(socket_, 1000, "reconnecting");
  emscripten_websocket_delete(socket_);  // also detaches our callbacks
  socket_ = 0;
}

void Connection::handle_open() {
  set_state(State::open);
  listener_.on_open();
}

void Connection::handle_message(const char* data, int length, bool is_text) {
  if (!is_text || !data || length <= 0) return;  // the protocol is text frames only
  listener_.on_text(std::string_view(data, static_cast<std::size_t>(length - 1)));
}

void Connection::handle_close() {
  const bool was_open = state_ == State::open;
  drop_socket();
  if (was_open) listener_.on_closed();
  schedule_retry();
}

void Connection::reconnect() {
  const bool was_open = state_ == State::open;
  drop_socket();
  if (was_open) listener_.on_closed();
  schedule_retry();
}

void Connection::schedule_retry() {
  if (retry_timer_) emscripten_clear_timeout(retry_timer_);
  if (!online_) {
    retry_timer_ = 0;
    set_state(State::offline);
    return;
  }
  const double delay = backoff_delay_ms(attempt_++, emscripten_random(), policy_);
  retry_at_ = emscripten_date_now() + delay;
  retry_timer_ = emscripten_set_timeout(on_retry_timer, delay, this);
  set_state(State::waiting);
}

void Connection::handle_retry_timer() {
  retry_timer_ = 0;
  open_reason_ = "timer";
  open_socket();
}

void Connection::retry_now() {
  if (state_ != State::waiting || socket_ || !online_) return;
  if (retry_timer_) emscripten_clear_timeout(retry_timer_);
  retry_timer_ = 0;
  open_reason_ = "visible";
  open_socket();
}

void Connection::set_network(bool online) {
  if (online == online_) return;
  online_ = online;
  if (!online) {
    // The socket may linger half-dead; say so, and let its close (or our ping) end it.
    if (state_ != State::open) {
      if (retry_timer_) emscripten_clear_timeout(retry_timer_);
      retry_timer_ = 0;
      set_state(State::offline);
    }
    return;
  }
  // Back online: try now, not at the end of a long backoff.
  attempt_ = 0;
  if (!socket_) {
    if (retry_timer_) emscripten_clear_timeout(retry_timer_);
    retry_timer_ = 0;
    open_reason_ = "network";
    open_socket();
  }
}

bool Connection::send_text(const std::string& frame) {
  if (!socket_ || state_ != State::open) return false;
  return emscripten_websocket_send_utf8_text(socket_, frame.c_str()) == EMSCRIPTEN_RESULT_SUCCESS;
}

}  // namespace parley::client
