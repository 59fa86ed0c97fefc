// relay/src/net/server.hpp: the network edge. One port, one event loop thread: Beast serves HTTP and
// WebSocket (optionally over TLS) and hands everything to an Application (the hub side), on the
// same thread. See docs/architecture.md ("Threads").
//
// The transport owns: accepting, HTTP parsing, the WebSocket handshake and RFC 6455 (UTF-8 check
// -> 1007, size -> 1009), per-connection bounded send queues (a client whose queue exceeds the cap
// is closed with 1008 "too slow" and resumes later), pings of idle connections, remote-address
// resolution (X-Forwarded-For only from trusted proxies), graceful shutdown (stop accepting, close
// sockets with 1001 "going away").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace parley::relay {

struct HttpRequest {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // percent-decoded path, no query
  std::string query;                          // raw query string (after '?'), "" if none
  std::map<std::string, std::string> headers; // names lower-case
  std::string body;
  std::string remote_addr;                    // client address (after trusted X-Forwarded-For)
  bool secure = false;                        // TLS here, or X-Forwarded-Proto https from a trusted proxy

  const std::string& header(const std::string& lower_name) const;  // "" when absent
  std::string cookie(const std::string& name) const;              // "" when absent
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ...)
  std::string body;
};
using HttpReply = std::function<void(HttpResponse)>;

// The transport side of one WebSocket connection, handed to the application at open.
// Call only on the event loop thread.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual std::uint64_t id() const = 0;
  // Queues a text frame. Past the send-queue cap the connection is closed (1008, "too slow").
  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  // Bytes queued and not yet written (what counts against the send-queue cap).
  virtual std::size_t queued_bytes() const { return 0; }
  virtual void close(std::uint16_t code, const std::string& reason) = 0;
  virtual const std::string& remote_addr() const = 0;
};

// What the application decides about a WebSocket upgrade request.
struct UpgradeDecision {
  bool accept = false;
  int status = 403;          // when refused
  std::string reason;        // when refused (plain-text body)
  std::string principal;     // opaque to the transport; given back in on_open ("" = anonymous)
};

class Application {
 public:
  virtual ~Application() = default;
  // Every HTTP request except WebSocket upgrades. Must call `reply` exactly once, on the loop thread
  // (possibly later, e.g. after a commit or a worker finished).
  virtual void handle_http(HttpRequest req, HttpReply reply) = 0;
  virtual UpgradeDecision authorize_upgrade(const HttpRequest& req) = 0;
  virtual void on_open(std::shared_ptr<Connection> conn, const std::string& principal) = 0;
  // One complete text frame, already checked to be valid UTF-8 and within the size limit.
  virtual void on_message(std::uint64_t conn_id, std::string text) = 0;
  // Exactly once per opened connection. The Connection must not be used afterwards.
  virtual void on_close(std::uint64_t conn_id) = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;               // 0 = any free port (the real one is logged)
  std::string tls_cert, tls_key;           // both set: serve HTTPS/WSS
  std::vector<std::string> trusted_proxies;  // addresses whose X-Forwarded-* headers are believed
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t max_http_body = 4 * 1024 * 1024;
  std::size_t send_queue_cap_bytes = 1024 * 1024;
  // All connections' queued bytes together. Past it the server stops reading from every
  // WebSocket (backpressure: no new commands, so no new frames) until the queues have drained
  // to 3/4 of it; while it stays over, once a second the connection with the longest queue is
  // closed (1008 "too slow"), so clients that never read cannot hold the others up. A safety net:
  // at normal loads the total stays far below it.
  std::size_t send_budget_bytes = 256 * 1024 * 1024;
  int ping_interval_s = 30;                // idle connections get a ping; no pong in time -> closed
  int http_timeout_s = 30;
  int max_connections = 20000;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Application& app);
  ~Server();
  // Binds and starts accepting. Returns the bound port, or an error message.
  std::optional<std::string> start(std::uint16_t* bound_port);
  // Stops accepting and closes every WebSocket with 1001 "going away"; HTTP requests in flight end.
  void shutdown();
  std::size_t connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::relay
