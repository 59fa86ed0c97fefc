// connection.hpp: the WebSocket to the relay, with reconnect (browser only).
//
// Connects to ws(s)://<page host>/ws (or /ws/inbox for staff), reconnects after a drop with exponential backoff and
// jitter (0.5 s doubling to 8 s, client/common/backoff.hpp), reconnects at once when the
// browser comes back online or the page becomes visible again (retry_now), and ticks its listener once a second (pings, countdowns). All of it
// runs in WebSocket and timer callbacks, so it keeps working in a background tab.
#pragma once

#include <string>
#include <string_view>

#include "common/backoff.hpp"
#include "common/session.hpp"

namespace parley::client {

class Connection : public Transport {
 public:
  enum class State { connecting, open, waiting, offline };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_open() = 0;
    virtual void on_text(std::string_view frame) = 0;
    virtual void on_closed() = 0;
    // State changes; `retry_at` (ms since epoch) is set while waiting.
    virtual void on_state(State state, double retry_at) = 0;
    virtual void on_tick() = 0;  // about once a second
  };

  // REQUIRES: `listener` outlives the connection; one Connection per page (it is not copyable).
  Connection(std::string url, Listener& listener, BackoffPolicy policy = {});
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // The session is healthy (hello acknowledged): the next drop retries quickly again.
  void reset_backoff() { attempt_ = 0; }
  // navigator.onLine changed.
  void set_network(bool online);
  // While waiting to retry: try now (the page became visible again). Otherwise nothing.
  void retry_now();
  // Why the latest socket was opened: "start", "timer" (backoff), "network" (back online),
  // "visible" (retry_now). For the apps' test snapshots.
  const char* last_open_reason() const { return open_reason_; }

  State state() const { return state_; }
  double retry_at() const { return retry_at_; }

  // Transport
  bool send_text(const std::string& frame) override;
  void reconnect() override;

  // Called from the C callbacks in connection.cpp.
  void handle_open();
  void handle_message(const char* data, int length, bool is_text);
  void handle_close();
  void handle_retry_timer();
  void handle_tick() { listener_.on_tick(); }

 private:
  void open_socket();
  void drop_socket();
  void schedule_retry();
  void set_state(State s);

  std::string url_;
  Listener& listener_;
  BackoffPolicy policy_;
  int socket_ = 0;  // EMSCRIPTEN_WEBSOCKET_T; 0 = none
  State state_ = State::connecting;
  int attempt_ = 0;
  double retry_at_ = 0;
  long retry_timer_ = 0;
  long tick_timer_ = 0;
  bool online_ = true;
  const char* open_reason_ = "start";
};

}  // namespace parley::client
