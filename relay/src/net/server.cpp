// relay/src/net/server.cpp: the one-port edge (see server.hpp). The only translation unit of the
// relay that includes Beast (its implementation is compiled once in asio/asio_impl.cpp).
//
// Why one file of about 900 lines: HttpSession and WsSession are templates over PlainStream and
// TlsStream, and all four instantiations happen here, from Core::start_session. One connection's
// life is one state machine across Core and the two sessions: TLS handshake and HTTP keep-alive in
// HttpSession, the upgrade that moves the stream, the ConnSlot and the request into a WsSession,
// and Core's shutdown that drives both. Split into files, the session templates would move into
// headers (or need explicit instantiations per stream type), every file would include Beast, and
// Beast's stream and TLS templates would be instantiated again in each of them.
//
// Shape (after Beast's advanced_server / advanced_server_flex examples):
//   Core        shared state: options, Application, TLS context, acceptor, registry of sessions.
//               Every session holds a shared_ptr<Core>, so Core outlives the last handler.
//   HttpSession<Stream>  one TCP connection while it speaks HTTP/1.1 (keep-alive, one request at a
//               time). On an accepted upgrade it hands its stream to a WsSession and ends.
//   WsSession<Stream>    one WebSocket: a read loop, a bounded send queue, close handling. It is
//               the Connection the Application sees.
// Stream is beast::tcp_stream (plain) or beast::ssl_stream<beast::tcp_stream> (TLS); everything
// else is the same code.
//
// Lifetimes: every pending asynchronous operation holds a shared_ptr to its session, and so does
// an outstanding HttpReply and the Application's shared_ptr<Connection>. Nothing keeps a raw
// pointer to a session. The registry (for shutdown) holds weak_ptrs. A ConnSlot (the count behind
// max_connections and connection_count()) lives exactly as long as the TCP socket is owned by a
// session: it moves from HttpSession to WsSession with the stream.
//
// Everything runs on the one thread running the io_context; no strands or locks. The only value
// read from other threads is the connection count (an atomic).
#include "net/server.hpp"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <array>
#include <chrono>
#include <deque>
#include <type_traits>
#include <unordered_map>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "net/http_util.hpp"
#include "parley/text.hpp"
#include "net/sys.hpp"

namespace parley::relay {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;         // request line + headers
constexpr auto kShutdownGrace = std::chrono::seconds(2);  // then every socket is force-closed
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
constexpr auto kLingerTime = std::chrono::seconds(2);  // draining a closing HTTP connection
constexpr std::size_t kLingerBytes = 8 * 1024 * 1024;
constexpr std::size_t kMaxCloseReason = 123;  // RFC 6455: control payload 125 = code + reason

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

struct Core;

// What shutdown needs from any session.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void begin_shutdown() = 0;  // finish politely (WebSocket: close 1001)
  virtual void force_close() = 0;     // close the socket now
};

// One accepted TCP socket counted against max_connections.
class ConnSlot {
 public:
  ConnSlot() = default;
  explicit ConnSlot(std::shared_ptr<Core> core);
  ConnSlot(ConnSlot&& o) noexcept : core_(std::move(o.core_)) {}
  ConnSlot& operator=(ConnSlot&&) = delete;
  ConnSlot(const ConnSlot&) = delete;
  ~ConnSlot() { release(); }
  void release();  // the socket is closed (the object may live on a little)

 private:
  std::shared_ptr<Core> core_;
};

struct Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io_, ServerOptions opts, Application& app_)
      : io(io_),
        options(std::move(opts)),
        app(&app_),
        acceptor(io_),
        accept_timer(io_),
        shutdown_timer(io_) {}

  asio::io_context& io;
  const ServerOptions options;
  Application* app;  // nulled by ~Server: late handlers then stop calling it
  std::optional<ssl::context> tls;
  http_util::ProxyList proxies;
  tcp::acceptor acceptor;
  asio::steady_timer accept_timer;
  asio::steady_timer shutdown_timer;
  bool stopping = false;
  std::atomic<std::size_t> open_sockets{0};
  std::uint64_t next_id = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionBase>> sessions;
  // The global send budget (ServerOptions::send_budget_bytes): queued bytes of every WebSocket,
  // the sessions whose reads wait for the total to drain, and the timer that sheds the worst.
  std::size_t queued_total = 0;
  bool reads_paused = false;
  std::vector<std::function<void()>> paused_reads;
  asio::steady_timer budget_timer{io};
  bool budget_timer_armed = false;
  std::unordered_map<std::uint64_t, std::function<std::size_t()>> queue_sizes;
  std::unordered_map<std::uint64_t, std::function<void()>> shedders;

  void queued(std::size_t n) { queued_total += n; if (queued_total > options.send_budget_bytes) over_budget(); }
  void drained(std::size_t n) {
    queued_total -= std::min(n, queued_total);
    if (reads_paused && queued_total <= options.send_budget_bytes / 4 * 3) resume_reads();
  }
  void over_budget() {
    if (!reads_paused) {
      reads_paused = true;
      metrics().ws_budget_pauses++;
      log::warn("ws.send_budget_exceeded", {{"queued_bytes", queued_total}, {"budget", options.send_budget_bytes}});
    }
    if (budget_timer_armed) return;
    budget_timer_armed = true;
    budget_timer.expires_after(std::chrono::seconds(1));
    budget_timer.async_wait([self = shared_from_this()](error_code ec) {
      self->budget_timer_armed = false;
      if (ec || !self->reads_paused) return;
      self->shed_worst();
      if (self->reads_paused) self->over_budget();
    });
  }
  void shed_worst() {
    std::uint64_t worst = 0;
    std::size_t most = 0;
    for (const auto& [id, size] : queue_sizes) {
      const std::size_t n = size();
      if (n > most) most = n, worst = id;
    }
    if (auto it = shedders.find(worst); it != shedders.end() && most > 0) {
      metrics().ws_slow_closed++;
      log::info("ws.slow_closed", {{"conn", worst}, {"queued_bytes", most}, {"reason", "send budget"}});
      it->second();
    }
  }
  void resume_reads() {
    reads_paused = false;
    std::vector<std::function<void()>> go;
    go.swap(paused_reads);
    for (auto& f : go) asio::post(io, std::move(f));
  }
  // Rate-limited warning for refused connections.
  std::chrono::steady_clock::time_point last_refusal_log{};
  std::uint64_t refused_since_log = 0;

  void unregister(std::uint64_t id) {
    sessions.erase(id);
    queue_sizes.erase(id);
    shedders.erase(id);
    if (stopping && sessions.empty()) shutdown_timer.cancel();  // nothing left: let the loop end
  }
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void shutdown();
  template <class Stream>
  void start_session(tcp::socket socket);
};

ConnSlot::ConnSlot(std::shared_ptr<Core> core) : core_(std::move(core)) { ++core_->open_sockets; }
void ConnSlot::release() {
  if (core_) --core_->open_sockets;
  core_.reset();
}

std::string peer_address(const tcp::socket& s) {
  error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown";
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  return addr.to_string();
}

template <class Stream>
tcp::socket& raw_socket(Stream& s) {
  return beast::get_lowest_layer(s).socket();
}

// HTTP request (Beast) -> HttpRequest. Returns an error status (400) when the target is bad.
int to_http_request(http::request<http::string_body>& in, const std::string& peer, bool tls,
                    const http_util::ProxyList& proxies, HttpRequest& out) {
  out.method = std::string(in.method_string());
  auto target = http_util::split_target(std::string_view(in.target().data(), in.target().size()));
  if (!target) return 400;
  auto path = http_util::decode_path(target->first);
  if (!path) return 400;
  out.path = std::move(*path);
  out.query = std::move(target->second);
  for (const auto& field : in) {
    std::string name =
        ascii_lower(std::string_view(field.name_string().data(), field.name_string().size()));
    std::string_view value(field.value().data(), field.value().size());
    auto [it, inserted] = out.headers.try_emplace(std::move(name), value);
    if (!inserted) {  // repeated field: one value, as RFC 9110 allows for lists
      it->second += it->first == "cookie" ? "; " : ", ";
      it->second += value;
    }
  }
  out.body = std::move(in.body());
  auto client = http_util::resolve_client(peer, tls, proxies, out.header("x-forwarded-for"),
                                          out.header("x-forwarded-proto"));
  out.remote_addr = std::move(client.addr);
  out.secure = client.secure;
  return 0;
}

// Codes an endpoint may put in a close frame (RFC 6455 7.4; 1004-1006 and 1015 are reserved).
bool sendable_close_code(std::uint16_t c) {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

bool header_safe(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

bool is_bodiless_status(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

// HttpResponse -> Beast response. HEAD: no body, but Content-Length of the body that GET would
// send (the app's Content-Length header is honoured for HEAD when it leaves the body empty).
std::shared_ptr<http::response<http::string_body>> to_beast_response(HttpResponse r, bool head,
                                                                     unsigned version, bool keep_alive) {
  auto res = std::make_shared<http::response<http::string_body>>();
  int status = (r.status >= 100 && r.status <= 599) ? r.status : 500;
  res->result(static_cast<unsigned>(status));
  res->version(version);
  res->set(http::field::server, "parley");
  if (!is_bodiless_status(status)) res->set(http::field::content_type, r.content_type);
  std::optional<std::string> head_length;
  for (auto& [name, value] : r.headers) {
    if (!header_safe(name) || !header_safe(value) || name.empty()) {
      log::warn("http.bad_header", {{"name", name}});
      continue;
    }
    std::string lower = ascii_lower(name);
    if (lower == "content-length") {
      if (head && r.body.empty()) head_length = value;
      continue;
    }
    if (lower == "connection" || lower == "transfer-encoding" || lower == "content-type") {
      if (lower == "content-type") res->set(http::field::content_type, value);
      continue;
    }
    res->insert(name, value);
  }
  if (res->find("X-Content-Type-Options") == res->end()) res->set("X-Content-Type-Options", "nosniff");
  if (res->find("Referrer-Policy") == res->end()) res->set("Referrer-Policy", "no-referrer");
  if (is_bodiless_status(status)) {
    // no body and no Content-Length
  } else if (head) {
    res->set(http::field::content_length, head_length ? *head_length : std::to_string(r.body.size()));
  } else {
    res->body() = std::move(r.body);
    res->content_length(res->body().size());
  }
  res->keep_alive(keep_alive);
  return res;
}

// ---------------------------------------------------------------------------------------------
// WebSocket session

template <class Stream>
class WsSession final : public SessionBase,
                        public Connection,
                        public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(std::shared_ptr<Core> core, Stream&& stream, ConnSlot&& slot, std::string remote)
      : core_(std::move(core)),
        ws_(std::move(stream)),
        slot_(std::move(slot)),
        id_(core_->next_id++),
        remote_(std::move(remote)),
        close_timer_(core_->io) {}

  ~WsSession() override { core_->unregister(id_); }

  void run(http::request<http::string_body> req, std::string principal) {
    core_->sessions.emplace(id_, this->weak_from_this());
    core_->queue_sizes.emplace(id_, [this] { return queued_bytes_; });
    core_->shedders.emplace(id_, [this] {
      if (state_ == State::open) shed();
    });
    const auto& o = core_->options;
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream's own timers take over
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(std::max(1, o.http_timeout_s));
    t.idle_timeout = std::chrono::seconds(2 * std::max(1, o.ping_interval_s));
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "parley"); }));
    ws_.read_message_max(o.max_frame_bytes);
    ws_.auto_fragment(false);
    ws_.text(true);
    ws_.async_accept(req, [self = this->shared_from_this(), principal = std::move(principal)](
                              error_code ec) mutable { self->on_accept(ec, std::move(principal)); });
  }

  // Connection
  std::uint64_t id() const override { return id_; }
  const std::string& remote_addr() const override { return remote_; }
  std::size_t queued_bytes() const override { return queued_bytes_; }

  void send(std::shared_ptr<const std::string> frame) override {
    if (state_ != State::open || !frame) return;
    queued_bytes_ += frame->size();
    core_->queued(frame->size());
    queue_.push_back(std::move(frame));
    if (queued_bytes_ > core_->options.send_queue_cap_bytes) {
      metrics().ws_slow_closed++;
      log::info("ws.slow_closed", {{"conn", id_}, {"queued_bytes", queued_bytes_}, {"remote", remote_}});
      shed();
      return;
    }
    if (!writing_) do_write();
  }

  // Too slow: drop everything not yet handed to Beast (the frame being written must stay alive)
  // and close 1008.
  void shed() {
    auto keep = writing_ ? std::size_t{1} : std::size_t{0};
    while (queue_.size() > keep) {
      queued_bytes_ -= queue_.back()->size();
      core_->drained(queue_.back()->size());
      queue_.pop_back();
    }
    close(static_cast<std::uint16_t>(websocket::close_code::policy_error), "too slow");
  }

  // Sends the close frame after the frames already queued (so a final error message reaches the
  // client), unless the queue was dropped (too slow). on_close follows when the read loop ends:
  // the peer answers the close, or the handshake timeout / close timer closes the socket.
  void close(std::uint16_t code, const std::string& reason) override {
    if (state_ != State::open) return;
    state_ = State::closing;
    if (!sendable_close_code(code)) {
      log::warn("ws.bad_close_code", {{"conn", id_}, {"code", code}});
      code = static_cast<std::uint16_t>(websocket::close_code::normal);
    }
    close_code_ = code;
    std::size_t n = std::min(reason.size(), kMaxCloseReason);
    while (n < reason.size() && n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80)
      --n;  // do not cut a UTF-8 sequence
    pending_close_ = websocket::close_reason(static_cast<websocket::close_code>(code),
                                             beast::string_view(reason.data(), n));
    // Bound the whole close: a peer that does not read leaves our write (and so the close frame)
    // stuck; after this the socket is closed regardless.
    close_timer_.expires_after(std::chrono::seconds(std::max(1, core_->options.http_timeout_s)));
    close_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->force_close();
    });
    if (!writing_) do_close();
  }

  // SessionBase
  void begin_shutdown() override {
    if (state_ == State::open)
      close(static_cast<std::uint16_t>(websocket::close_code::going_away), "going away");
  }
  void force_close() override {
    error_code ec;
    raw_socket(ws_.next_layer()).close(ec);  // pending operations complete with errors
  }

  // shutdown(send), then discard input until the peer closes, 1 MiB or 1 s, then close.
  void linger_close() {
    auto& sock = raw_socket(ws_.next_layer());
    error_code ec;
    sock.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return force_close();
    linger_left_ = 1024 * 1024;
    linger_buf_ = std::make_unique<LingerBuffer>();  // only a closing socket pays for it
    close_timer_.expires_after(std::chrono::seconds(1));
    close_timer_.async_wait([self = this->shared_from_this()](error_code e) {
      if (e != asio::error::operation_aborted) self->force_close();
    });
    drain_input();
  }
  void drain_input() {
    raw_socket(ws_.next_layer())
        .async_read_some(asio::buffer(*linger_buf_), [self = this->shared_from_this()](error_code e, std::size_t n) {
          if (e || n >= self->linger_left_) {
            self->close_timer_.cancel();
            return self->force_close();
          }
          self->linger_left_ -= n;
          self->drain_input();
        });
  }

 private:
  enum class State { handshake, open, closing, closed };

  void on_accept(error_code ec, std::string principal) {
    if (ec) {
      log::debug("ws.handshake_failed", {{"remote", remote_}, {"error", ec.message()}});
      state_ = State::closed;
      force_close();
      slot_.release();
      return;  // never opened: no on_open, no on_close
    }
    if (!core_->app || core_->stopping) {
      // Accepted while shutting down: close without involving the application.
      state_ = State::closed;
      ws_.async_close(websocket::close_code::going_away, [self = this->shared_from_this()](error_code) {});
      return;
    }
    state_ = State::open;
    metrics().ws_connections++;
    metrics().ws_connections_total++;
    log::debug("ws.open", {{"conn", id_}, {"remote", remote_}});
    try {
      core_->app->on_open(std::static_pointer_cast<Connection>(this->shared_from_this()), principal);
    } catch (const std::exception& e) {
      log::error("ws.handler_threw", {{"conn", id_}, {"in", "on_open"}, {"error", e.what()}});
      close(1011, "internal error");
    } catch (...) {
      log::error("ws.handler_threw", {{"conn", id_}, {"in", "on_open"}, {"error", "unknown"}});
      close(1011, "internal error");
    }
    do_read();
  }

  void do_read() {
    // Over the global send budget: this read waits until the queues have drained.
    if (core_->reads_paused && state_ == State::open) {
      core_->paused_reads.push_back([w = this->weak_from_this()] {
        if (auto self = w.lock()) self->do_read();
      });
      return;
    }
    ws_.async_read(buffer_,
                   [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) return finish(ec);
    if (!ws_.got_text()) {
      // Binary frames are not part of the protocol: close 1003 (unsupported data).
      buffer_.consume(buffer_.size());
      if (state_ == State::open) {
        metrics().ws_protocol_closed++;
        close(static_cast<std::uint16_t>(websocket::close_code::unknown_data), "binary frames not supported");
      }
      return do_read();
    }
    metrics().ws_frames_in++;
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    // After we started closing, further messages are read (to complete the handshake) but dropped.
    if (state_ == State::open && core_->app) {
      // A bug in the application must not take the relay down: log it, close this connection
      // (1011 "internal error"), keep serving the others.
      try {
        core_->app->on_message(id_, std::move(text));
      } catch (const std::exception& e) {
        log::error("ws.handler_threw", {{"conn", id_}, {"error", e.what()}});
        close(1011, "internal error");
      } catch (...) {
        log::error("ws.handler_threw", {{"conn", id_}, {"error", "unknown"}});
        close(1011, "internal error");
      }
    }
    do_read();
  }

  void do_write() {
    writing_ = true;
    auto frame = queue_.front();
    ws_.async_write(asio::buffer(*frame), [self = this->shared_from_this(), frame](
                                              error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (state_ == State::closed) return;
    if (ec) {
      log::debug("ws.write_failed", {{"conn", id_}, {"error", ec.message()}});
      return force_close();  // the read loop ends and reports the close
    }
    metrics().ws_frames_out++;
    queued_bytes_ -= queue_.front()->size();
    core_->drained(queue_.front()->size());
    queue_.pop_front();
    if (!queue_.empty())
      do_write();
    else if (pending_close_)
      do_close();
  }

  void do_close() {
    auto reason = *pending_close_;
    pending_close_.reset();
    // Beast sends the close frame, then the pending async_read receives the peer's close and
    // completes with error::closed (handshake_timeout bounds the wait).
    ws_.async_close(reason, [self = this->shared_from_this()](error_code ec) {
      if (ec && ec != websocket::error::closed && ec != asio::error::operation_aborted) self->force_close();
    });
  }

  // The read loop ended: the one place that reports the close.
  void finish(error_code ec) {
    if (state_ == State::closed) return;
    bool was_open = state_ == State::open || state_ == State::closing;
    state_ = State::closed;
    close_timer_.cancel();
    queue_.clear();
    core_->drained(queued_bytes_);
    queued_bytes_ = 0;
    core_->queue_sizes.erase(id_);
    core_->shedders.erase(id_);
    pending_close_.reset();
    const bool protocol = ec == websocket::error::bad_frame_payload ||
                          ec == websocket::error::message_too_big ||
                          ec == websocket::condition::protocol_violation;
    if (protocol) metrics().ws_protocol_closed++;
    int code = 0;
    if (ec == websocket::error::bad_frame_payload)
      code = static_cast<int>(websocket::close_code::bad_payload);
    else if (ec == websocket::error::message_too_big)
      code = static_cast<int>(websocket::close_code::too_big);
    else if (close_code_)
      code = close_code_;  // we closed
    else if (ec == websocket::error::closed)
      code = static_cast<int>(ws_.reason().code);  // the peer closed
    log::debug("ws.closed", {{"conn", id_}, {"code", code}, {"error", ec.message()}, {"remote", remote_}});
    if (protocol) {
      // Beast has sent the close frame (1007/1009/1002), but the peer may still be sending (the
      // rest of an oversized frame): closing now with unread bytes makes the kernel answer RST,
      // and the peer can lose the close frame (it sees 1006). Stop sending, read and discard
      // what still comes for a moment, then close.
      linger_close();
    } else {
      force_close();  // release the descriptor now, even if the application still holds us
    }
    slot_.release();
    core_->unregister(id_);
    if (was_open) {
      metrics().ws_connections--;
      if (core_->app) {
        try {
          core_->app->on_close(id_);
        } catch (const std::exception& e) {
          log::error("ws.handler_threw", {{"conn", id_}, {"in", "on_close"}, {"error", e.what()}});
        } catch (...) {
          log::error("ws.handler_threw", {{"conn", id_}, {"in", "on_close"}, {"error", "unknown"}});
        }
      }
    }
  }

  std::shared_ptr<Core> core_;
  websocket::stream<Stream> ws_;
  ConnSlot slot_;
  const std::uint64_t id_;
  // Input drained after a protocol error (drain_input). Allocated when lingering starts: inline,
  // 16 KiB per socket tripled the memory of 10,000 idle sockets.
  using LingerBuffer = std::array<char, 16 * 1024>;
  std::unique_ptr<LingerBuffer> linger_buf_;
  std::size_t linger_left_ = 0;
  const std::string remote_;
  State state_ = State::handshake;
  beast::flat_buffer buffer_;  // bounded by read_message_max
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  std::optional<websocket::close_reason> pending_close_;
  std::uint16_t close_code_ = 0;
  asio::steady_timer close_timer_;
};
// Memory per connection is part of the relay's contract (10,000 sockets under 100 MB, tools/bench.sh
// hold10k): a socket's object stays small; per-socket buffers are allocated when they are used.
static_assert(sizeof(WsSession<PlainStream>) <= 2048, "keep per-socket buffers out of WsSession");

// ---------------------------------------------------------------------------------------------
// HTTP session

template <class Stream>
class HttpSession final : public SessionBase, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(std::shared_ptr<Core> core, Stream&& stream, ConnSlot&& slot, std::string peer)
      : core_(std::move(core)),
        stream_(std::move(stream)),
        slot_(std::move(slot)),
        peer_(std::move(peer)),
        id_(core_->next_id++) {}

  ~HttpSession() override { core_->unregister(id_); }

  void run() {
    core_->sessions.emplace(id_, this->weak_from_this());
    if constexpr (kIsTls<Stream>) {
      state_ = State::handshake;
      expire();
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        if (ec) {
          log::debug("tls.handshake_failed", {{"remote", self->peer_}, {"error", ec.message()}});
          return self->force_close();
        }
        self->do_read();
      });
    } else {
      do_read();
    }
  }

  void begin_shutdown() override {
    // Idle between requests: close now. Reading a request, waiting for the application or writing
    // a response: the response goes out with "Connection: close" (or the grace timer ends it).
    if (state_ == State::idle || state_ == State::handshake || state_ == State::closing) force_close();
  }

  void force_close() override {
    if (state_ == State::upgraded || state_ == State::closed) return;
    state_ = State::closed;
    error_code ec;
    raw_socket(stream_).close(ec);
    slot_.release();
  }

 private:
  // idle: waiting for the first byte of a request (keep-alive); reading: a request has started.
  enum class State { handshake, idle, reading, waiting_app, writing, closing, upgraded, closed };

  void expire() {
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(std::max(1, core_->options.http_timeout_s)));
  }

  void do_read() {
    if (core_->stopping) return force_close();
    state_ = State::idle;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(core_->options.max_http_body);
    expire();
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (state_ == State::closed) return;
    if (ec) return on_read_error(ec);
    state_ = State::reading;
    auto& req = parser_->get();
    if (parser_->is_done()) return on_request();
    if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
      // Clients (curl) wait for this before sending a large body.
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      expire();
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = this->shared_from_this()](error_code ec, std::size_t) {
                          if (ec) return self->force_close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    expire();
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec, std::size_t) {
                       if (self->state_ == State::closed) return;
                       if (ec) return self->on_read_error(ec);
                       self->on_request();
                     });
  }

  void on_read_error(error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof) return close_gracefully();
    int status = 0;
    if (ec == http::error::body_limit)
      status = 413;
    else if (ec == http::error::header_limit)
      status = 431;
    else if (ec != http::error::partial_message &&
             ec.category() == http::make_error_code(http::error::bad_target).category())
      status = 400;  // malformed request
    if (status) {
      // Answer what we could not parse, then close (the rest of the stream is unusable).
      HttpResponse r;
      r.status = status;
      r.body = status == 413   ? "request body too large\n"
               : status == 431 ? "request header too large\n"
                               : "bad request\n";
      return write_response(std::move(r), false, 11, false);
    }
    if (ec != beast::error::timeout && ec != asio::error::operation_aborted)
      log::debug("http.read_failed", {{"remote", peer_}, {"error", ec.message()}});
    force_close();
  }

  void on_request() {
    metrics().http_requests++;
    auto& req = parser_->get();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive() && !core_->stopping;
    const bool head = req.method() == http::verb::head;
    HttpRequest hreq;
    if (int status = to_http_request(req, peer_, kIsTls<Stream>, core_->proxies, hreq)) {
      HttpResponse r;
      r.status = status;
      r.body = "bad request\n";
      return write_response(std::move(r), head, version, false);
    }
    if (!core_->app) return force_close();

    if (websocket::is_upgrade(req)) {
      UpgradeDecision d;
      try {
        d = core_->app->authorize_upgrade(hreq);
      } catch (const std::exception& e) {
        log::error("http.handler_threw", {{"in", "authorize_upgrade"}, {"error", e.what()}});
        d = UpgradeDecision{false, 500, "internal error\n", ""};
      } catch (...) {
        log::error("http.handler_threw", {{"in", "authorize_upgrade"}, {"error", "unknown"}});
        d = UpgradeDecision{false, 500, "internal error\n", ""};
      }
      if (!d.accept || core_->stopping) {
        HttpResponse r;
        r.status = d.accept ? 503 : (d.status >= 400 && d.status <= 599 ? d.status : 403);
        r.body = d.accept ? "shutting down\n" : d.reason;
        return write_response(std::move(r), false, version, false);
      }
      state_ = State::upgraded;
      core_->unregister(id_);
      // buffer_ is empty here: a client may not send frames before the 101 response.
      std::make_shared<WsSession<Stream>>(core_, std::move(stream_), std::move(slot_),
                                          std::move(hreq.remote_addr))
          ->run(parser_->release(), std::move(d.principal));
      return;
    }

    state_ = State::waiting_app;
    const std::uint64_t seq = ++request_seq_;
    auto self = this->shared_from_this();
    HttpReply reply = [self, seq, head, version, keep_alive](HttpResponse r) mutable {
      // Tolerate a reply from another thread by hopping onto the loop; inline when already there.
      auto s = self;  // copy: `reply` itself may be called (wrongly) more than once
      asio::dispatch(s->core_->io, [s, seq, head, version, keep_alive, r = std::move(r)]() mutable {
        if (s->state_ != State::waiting_app || s->request_seq_ != seq) return;  // dead or duplicate
        s->write_response(std::move(r), head, version, keep_alive && !s->core_->stopping);
      });
    };
    try {
      core_->app->handle_http(std::move(hreq), reply);
    } catch (const std::exception& e) {
      log::error("http.handler_threw", {{"error", e.what()}});
      HttpResponse r;
      r.status = 500;
      r.body = "internal error\n";
      reply(std::move(r));  // dropped if the handler had answered already
    } catch (...) {
      log::error("http.handler_threw", {{"error", "unknown"}});
      HttpResponse r;
      r.status = 500;
      r.body = "internal error\n";
      reply(std::move(r));
    }
  }

  void write_response(HttpResponse r, bool head, unsigned version, bool keep_alive) {
    state_ = State::writing;
    res_ = to_beast_response(std::move(r), head, version, keep_alive);
    expire();
    http::async_write(stream_, *res_,
                      [self = this->shared_from_this(), keep_alive](error_code ec, std::size_t) {
                        if (self->state_ == State::closed) return;
                        self->res_.reset();
                        if (ec) return self->force_close();
                        if (!keep_alive || self->core_->stopping) return self->close_gracefully();
                        self->do_read();
                      });
  }

  void close_gracefully() {
    if (state_ == State::closed) return;
    if constexpr (kIsTls<Stream>) {
      state_ = State::closing;
      expire();
      stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->force_close(); });
    } else {
      // Half-close, then drain what the client still sends (say, the rest of a refused body) for a
      // moment: closing with unread data makes the kernel send RST, which can destroy the response
      // before the client has read it. Bounded by time and bytes.
      state_ = State::closing;
      error_code ec;
      raw_socket(stream_).shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return force_close();
      beast::get_lowest_layer(stream_).expires_after(kLingerTime);
      lingered_ = 0;
      linger();
    }
  }

  void linger() {
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = this->shared_from_this()](error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->state_ != State::closing || self->lingered_ > kLingerBytes)
                                return self->force_close();
                              self->linger();
                            });
  }

  std::shared_ptr<Core> core_;
  Stream stream_;
  ConnSlot slot_;
  const std::string peer_;
  const std::uint64_t id_;
  State state_ = State::idle;
  beast::flat_buffer buffer_;  // holds at most a header (header_limit) or a read chunk of the body
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> res_;
  std::uint64_t request_seq_ = 0;
  std::size_t lingered_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Core: accept loop and shutdown

void Core::do_accept() {
  if (stopping) return;
  acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void Core::on_accept(error_code ec, tcp::socket socket) {
  if (stopping || ec == asio::error::operation_aborted) return;
  if (ec) {
    // EMFILE/ENFILE/ENOBUFS and friends: the pending connection stays in the backlog; back off so
    // that closing sockets can free descriptors, then accept again.
    log::warn("accept.error", {{"error", ec.message()}, {"open", open_sockets.load()}});
    accept_timer.expires_after(kAcceptBackoff);
    accept_timer.async_wait([self = shared_from_this()](error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  if (open_sockets.load() >= static_cast<std::size_t>(std::max(0, options.max_connections))) {
    error_code ignored;
    socket.close(ignored);
    ++refused_since_log;
    auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log >= std::chrono::seconds(1)) {
      log::warn("accept.refused", {{"reason", "max_connections"},
                                   {"max_connections", options.max_connections},
                                   {"refused", refused_since_log}});
      last_refusal_log = now;
      refused_since_log = 0;
    }
    return do_accept();
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls)
    start_session<TlsStream>(std::move(socket));
  else
    start_session<PlainStream>(std::move(socket));
  do_accept();
}

template <class Stream>
void Core::start_session(tcp::socket socket) {
  std::string peer = peer_address(socket);
  ConnSlot slot(shared_from_this());
  if constexpr (kIsTls<Stream>) {
    std::make_shared<HttpSession<Stream>>(shared_from_this(), Stream(std::move(socket), *tls),
                                          std::move(slot), std::move(peer))
        ->run();
  } else {
    std::make_shared<HttpSession<Stream>>(shared_from_this(), Stream(std::move(socket)), std::move(slot),
                                          std::move(peer))
        ->run();
  }
}

void Core::shutdown() {
  if (stopping) return;
  stopping = true;
  error_code ignored;
  acceptor.close(ignored);
  accept_timer.cancel();
  log::info("server.shutdown", {{"open", open_sockets.load()}});
  // Copy first: closing may erase registry entries.
  std::vector<std::shared_ptr<SessionBase>> live;
  for (auto& [id, weak] : sessions)
    if (auto s = weak.lock()) live.push_back(std::move(s));
  for (auto& s : live) s->begin_shutdown();
  if (sessions.empty()) return;
  shutdown_timer.expires_after(kShutdownGrace);
  shutdown_timer.async_wait([self = shared_from_this()](error_code ec) {
    if (ec) return;
    std::vector<std::shared_ptr<SessionBase>> rest;
    for (auto& [id, weak] : self->sessions)
      if (auto s = weak.lock()) rest.push_back(std::move(s));
    if (!rest.empty()) log::info("server.force_close", {{"count", rest.size()}});
    for (auto& s : rest) s->force_close();
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Server

struct Server::Impl {
  std::shared_ptr<Core> core;
};

Server::Server(boost::asio::io_context& io, ServerOptions options, Application& app)
    : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<Core>(io, std::move(options), app);
}

Server::~Server() {
  auto& core = *impl_->core;
  core.app = nullptr;  // handlers that still run (if the loop goes on) no longer call the app
  if (!core.stopping) {
    core.stopping = true;
    error_code ignored;
    core.acceptor.close(ignored);
    core.accept_timer.cancel();
    for (auto& [id, weak] : core.sessions)
      if (auto s = weak.lock()) s->force_close();
  }
}

std::optional<std::string> Server::start(std::uint16_t* bound_port) {
  auto& core = *impl_->core;
  const auto& o = core.options;
  auto fd_limit = raise_fd_limit();
  if (fd_limit && static_cast<std::uint64_t>(o.max_connections) > fd_limit)
    log::warn("fd_limit.low", {{"soft_limit", fd_limit}, {"max_connections", o.max_connections}});

  std::vector<std::string> bad;
  core.proxies = http_util::ProxyList(o.trusted_proxies, &bad);
  if (!bad.empty()) return "invalid trusted_proxies entry: " + bad.front();

  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    if (o.tls_cert.empty() || o.tls_key.empty()) return std::string("tls_cert and tls_key must both be set");
    try {
      ssl::context ctx(ssl::context::tls_server);
      ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
      ctx.use_certificate_chain_file(o.tls_cert);
      ctx.use_private_key_file(o.tls_key, ssl::context::pem);
      core.tls.emplace(std::move(ctx));
    } catch (const boost::system::system_error& e) {
      return "TLS setup failed: " + std::string(e.what());
    }
  }

  error_code ec;
  auto addr = asio::ip::make_address(o.host, ec);
  if (ec) {
    // A name ("localhost"): resolve it.
    tcp::resolver resolver(core.io);
    auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || results.empty()) return "cannot resolve host " + o.host + ": " + ec.message();
    addr = results.begin()->endpoint().address();
  }
  tcp::endpoint ep(addr, o.port);
  core.acceptor.open(ep.protocol(), ec);
  if (!ec) core.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) core.acceptor.bind(ep, ec);
  if (!ec) core.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    core.acceptor.close(ignored);
    return "cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + ec.message();
  }
  auto port = core.acceptor.local_endpoint(ec).port();
  if (bound_port) *bound_port = port;
  // The one "listening" line is main's (it knows the public URL).
  core.do_accept();
  return std::nullopt;
}

void Server::shutdown() { impl_->core->shutdown(); }

std::size_t Server::connection_count() const { return impl_->core->open_sockets.load(); }

}  // namespace parley::relay
