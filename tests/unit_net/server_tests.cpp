// The Server behind a fake Application, on loopback, driven by Beast clients. Every wait is bounded
// by a deadline and ends on a state (a reply, a close frame, a counter), never on a sleep.
#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "net/server.hpp"
#include "net/static_files.hpp"

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using namespace parley::relay;
namespace fs = std::filesystem;

namespace {

constexpr auto kDeadline = 10s;

// Polls `pred` (a state owned by another thread) until true or the deadline.
template <class Pred>
bool wait_for(Pred pred, std::chrono::steady_clock::duration limit = kDeadline) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);  // polling interval, not an assertion
  }
  return true;
}

// The fake hub: echo, plus a few commands. Runs on the server's loop thread.
class FakeApp : public Application {
 public:
  explicit FakeApp(asio::io_context& io, std::string web_root = {})
      : io_(io), web_root_(std::move(web_root)) {}

  void handle_http(HttpRequest req, HttpReply reply) override {
    if (!web_root_.empty()) {
      if (auto r = serve_static(web_root_, req)) return reply(std::move(*r));
    }
    HttpResponse res;
    if (req.path == "/later") {  // replied from a later loop turn
      asio::post(io_, [reply, path = req.path]() mutable {
        HttpResponse r;
        r.body = "later:" + path;
        reply(std::move(r));
      });
      return;
    }
    if (req.path == "/hold") {  // kept until /release
      held_ = reply;
      holding = true;
      return;
    }
    if (req.path == "/release") {
      if (held_) {
        HttpResponse late;
        late.body = "late";
        held_(late);
        held_(late);  // a second call must be ignored
        held_ = nullptr;
      }
      res.body = "released";
      return reply(std::move(res));
    }
    if (req.path == "/whoami") {
      res.body = req.remote_addr + (req.secure ? " secure" : " plain");
      return reply(std::move(res));
    }
    if (req.path == "/headers") {
      res.headers.emplace_back("Set-Cookie", "a=1");
      res.headers.emplace_back("Set-Cookie", "b=2");
      res.headers.emplace_back("Referrer-Policy", "same-origin");
      res.body = req.header("x-multi") + "|" + req.cookie("sid") + "|" + req.query + "|" + req.body;
      return reply(std::move(res));
    }
    if (req.path.rfind("/echo", 0) == 0) {
      res.body = req.path;
      return reply(std::move(res));
    }
    res.status = 404;
    res.body = "not found";
    reply(std::move(res));
  }

  UpgradeDecision authorize_upgrade(const HttpRequest& req) override {
    UpgradeDecision d;
    if (!req.header("x-refuse").empty()) {
      d.status = 403;
      d.reason = "refused by test";
      return d;
    }
    d.accept = true;
    d.principal = req.header("x-user");
    return d;
  }

  void on_open(std::shared_ptr<Connection> conn, const std::string& principal) override {
    std::lock_guard lock(mu_);
    conns_[conn->id()] = conn;
    principals_.push_back(principal);
    ++opens_;
  }

  void on_message(std::uint64_t id, std::string text) override {
    auto conn = find(id);
    if (!conn) {
      FAIL_CHECK("on_message for an unknown connection");
      return;
    }
    if (text.rfind("close ", 0) == 0) {
      conn->send(std::make_shared<const std::string>("bye"));
      return conn->close(static_cast<std::uint16_t>(std::stoi(text.substr(6))), "app closed");
    }
    if (text == "stream") return stream(id, 0);
    if (text == "whoami") return conn->send(std::make_shared<const std::string>(conn->remote_addr()));
    conn->send(std::make_shared<const std::string>(std::move(text)));
  }

  void on_close(std::uint64_t id) override {
    std::lock_guard lock(mu_);
    CHECK(conns_.erase(id) == 1);  // exactly once, and only for opened connections
    closed_ids_.insert(id);
    ++closes_;
  }

  std::size_t opens() {
    std::lock_guard lock(mu_);
    return opens_;
  }
  std::size_t closes() {
    std::lock_guard lock(mu_);
    return closes_;
  }
  std::vector<std::string> principals() {
    std::lock_guard lock(mu_);
    return principals_;
  }

 private:
  std::shared_ptr<Connection> find(std::uint64_t id) {
    std::lock_guard lock(mu_);
    auto it = conns_.find(id);
    return it == conns_.end() ? nullptr : it->second;
  }

  // Sends a 16 KiB frame every millisecond (16 MB/s: a reading client keeps up easily) until the
  // connection is closed. A client that reads nothing fills the socket buffers first, then the
  // server's queue passes the cap.
  void stream(std::uint64_t id, std::size_t sent) {
    auto conn = find(id);
    if (!conn || sent > (256u << 20)) return;
    static const auto frame = std::make_shared<const std::string>(16 * 1024, 'x');
    conn->send(frame);
    auto timer = std::make_shared<asio::steady_timer>(io_, 1ms);
    timer->async_wait([this, id, sent, timer](error_code) { stream(id, sent + frame->size()); });
  }

 public:
  std::atomic<bool> holding{false};

 private:
  asio::io_context& io_;
  std::string web_root_;
  HttpReply held_;
  std::mutex mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> conns_;
  std::set<std::uint64_t> closed_ids_;
  std::vector<std::string> principals_;
  std::size_t opens_ = 0, closes_ = 0;
};

// A Server on port 0 with its loop on its own thread.
struct TestServer {
  asio::io_context io;
  FakeApp app;
  Server server;
  std::uint16_t port = 0;
  std::thread loop;
  std::atomic<bool> loop_ended{false};

  explicit TestServer(ServerOptions opts, std::string web_root = {})
      : app(io, std::move(web_root)), server(io, with_port0(std::move(opts)), app) {
    auto err = server.start(&port);
    REQUIRE_MESSAGE(!err, err.value_or(""));
    loop = std::thread([this] {
      io.run();
      loop_ended = true;
    });
  }
  ~TestServer() {
    shutdown();
    if (!wait_for([&] { return loop_ended.load(); })) {
      FAIL_CHECK("event loop did not run out of work after shutdown");
      io.stop();
    }
    loop.join();
  }
  void shutdown() {
    asio::post(io, [this] { server.shutdown(); });
  }
  static ServerOptions with_port0(ServerOptions o) {
    o.port = 0;
    return o;
  }
};

ServerOptions small_options() {
  ServerOptions o;
  o.max_frame_bytes = 1024;
  o.max_http_body = 4096;
  o.send_queue_cap_bytes = 64 * 1024;
  o.http_timeout_s = 5;
  o.ping_interval_s = 5;
  return o;
}

// Runs one asynchronous operation on a client io_context with a deadline.
class ClientLoop {
 public:
  asio::io_context ioc;

  // `start(done)` starts the operation; `done(ec)` must be called by its handler. On timeout,
  // `cancel()` is called and the operation drained.
  error_code run(const std::function<void(std::function<void(error_code)>)>& start,
                 const std::function<void()>& cancel) {
    bool done = false;
    error_code result;
    start([&](error_code ec) {
      done = true;
      result = ec;
    });
    ioc.restart();
    auto end = std::chrono::steady_clock::now() + kDeadline;
    while (!done && std::chrono::steady_clock::now() < end) ioc.run_one_until(end);
    if (!done) {
      cancel();
      ioc.restart();
      while (!done) ioc.run_one();
      return asio::error::timed_out;
    }
    return result;
  }
};

template <class Stream>
class BasicWsClient : public ClientLoop {
 public:
  websocket::stream<Stream> ws;
  beast::flat_buffer buffer;
  websocket::response_type handshake_response;

  template <class... Args>
  explicit BasicWsClient(Args&&... args) : ws(ioc, std::forward<Args>(args)...) {}

  error_code connect(std::uint16_t port, std::map<std::string, std::string> headers = {}) {
    tcp::socket& sock = beast::get_lowest_layer(ws);
    error_code ec = run(
        [&](auto done) {
          sock.async_connect({asio::ip::make_address("127.0.0.1"), port}, done);
        },
        [&] { close(); });
    if (ec) return ec;
    if constexpr (!std::is_same_v<Stream, tcp::socket>) {
      ec = run([&](auto done) { ws.next_layer().async_handshake(ssl::stream_base::client, done); },
               [&] { close(); });
      if (ec) return ec;
    }
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
      for (const auto& [k, v] : headers) r.set(k, v);
    }));
    ws.read_message_max(0);  // the tests check the server's limits, not the client's
    return run([&](auto done) { ws.async_handshake(handshake_response, "127.0.0.1", "/ws", done); },
               [&] { close(); });
  }
  error_code write(const std::string& text, bool binary = false) {
    ws.binary(binary);
    return run(
        [&](auto done) {
          ws.async_write(asio::buffer(text), [done](error_code ec, std::size_t) { done(ec); });
        },
        [&] { close(); });
  }
  // One message, or the error (error::closed after a close frame: see ws.reason()).
  error_code read(std::string& out) {
    buffer.clear();
    error_code ec =
        run([&](auto done) { ws.async_read(buffer, [done](error_code e, std::size_t) { done(e); }); },
            [&] { close(); });
    out = beast::buffers_to_string(buffer.data());
    return ec;
  }
  // Reads until the connection ends; returns that error.
  error_code read_until_closed(std::size_t* messages = nullptr) {
    std::string ignored;
    for (;;) {
      auto ec = read(ignored);
      if (ec) return ec;
      if (messages) ++*messages;
    }
  }
  error_code close_normal() {
    return run([&](auto done) { ws.async_close(websocket::close_code::normal, done); }, [&] { close(); });
  }
  void close() {
    error_code ignored;
    beast::get_lowest_layer(ws).close(ignored);
  }
};
using WsClient = BasicWsClient<tcp::socket>;

class HttpClient : public ClientLoop {
 public:
  tcp::socket sock{ioc};
  beast::flat_buffer buffer;

  error_code connect(std::uint16_t port) {
    return run(
        [&](auto done) {
          sock.async_connect({asio::ip::make_address("127.0.0.1"), port}, done);
        },
        [&] { close(); });
  }
  error_code request(http::request<http::string_body> req, http::response<http::string_body>& res) {
    req.set(http::field::host, "127.0.0.1");
    req.prepare_payload();
    auto ec =
        run([&](auto done) { http::async_write(sock, req, [done](error_code e, std::size_t) { done(e); }); },
            [&] { close(); });
    if (ec) return ec;
    http::response_parser<http::string_body> parser;
    parser.skip(req.method() == http::verb::head);
    ec = run(
        [&](auto done) {
          http::async_read(sock, buffer, parser, [done](error_code e, std::size_t) { done(e); });
        },
        [&] { close(); });
    res = parser.release();
    return ec;
  }
  error_code get(const std::string& target, http::response<http::string_body>& res,
                 std::map<std::string, std::string> headers = {}, http::verb verb = http::verb::get) {
    http::request<http::string_body> req{verb, target, 11};
    for (const auto& [k, v] : headers) req.set(k, v);
    return request(std::move(req), res);
  }
  // Waits for the server to end the connection.
  error_code read_eof() {
    char byte;
    return run(
        [&](auto done) {
          sock.async_read_some(asio::buffer(&byte, 1), [done](error_code e, std::size_t) { done(e); });
        },
        [&] { close(); });
  }
  void close() {
    error_code ignored;
    sock.close(ignored);
  }
};

struct LogQuiet {
  LogQuiet() { log::set_min_level(std::getenv("PARLEY_TEST_DEBUG") ? log::Level::debug : log::Level::warn); }
};
const LogQuiet kLogQuiet;

}  // namespace

TEST_CASE("websocket echo, principal, app close, on_close once") {
  TestServer s(small_options());
  auto frames_in = metrics().ws_frames_in.load();
  {
    WsClient c;
    REQUIRE(c.connect(s.port, {{"x-user", "alice"}}) == error_code{});
    CHECK(c.handshake_response[http::field::server] == "parley");
    REQUIRE(c.write("hello") == error_code{});
    std::string msg;
    REQUIRE(c.read(msg) == error_code{});
    CHECK(msg == "hello");
    REQUIRE(c.write("whoami") == error_code{});
    REQUIRE(c.read(msg) == error_code{});
    CHECK(msg == "127.0.0.1");
    std::string unicode = "gr\xC3\xBC\xC3\x9F \xF0\x9F\x91\x8B";
    REQUIRE(c.write(unicode) == error_code{});
    REQUIRE(c.read(msg) == error_code{});
    CHECK(msg == unicode);
    CHECK(s.server.connection_count() == 1);
    REQUIRE(c.close_normal() == error_code{});
  }
  CHECK(wait_for([&] { return s.app.closes() == 1; }));
  CHECK(s.app.principals() == std::vector<std::string>{"alice"});
  CHECK(metrics().ws_frames_in.load() >= frames_in + 3);
  CHECK(wait_for([&] { return s.server.connection_count() == 0; }));

  // The application closes: queued frames go first, then the close frame with its code.
  WsClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  REQUIRE(c.write("close 4000") == error_code{});
  std::string msg;
  REQUIRE(c.read(msg) == error_code{});
  CHECK(msg == "bye");
  CHECK(c.read(msg) == websocket::error::closed);
  CHECK(c.ws.reason().code == 4000);
  CHECK(c.ws.reason().reason == "app closed");
  CHECK(wait_for([&] { return s.app.closes() == 2; }));
  CHECK(s.app.opens() == 2);

  // A code that may not be sent (1005 is reserved) becomes 1000.
  WsClient r;
  REQUIRE(r.connect(s.port) == error_code{});
  REQUIRE(r.write("close 1005") == error_code{});
  REQUIRE(r.read(msg) == error_code{});
  CHECK(r.read(msg) == websocket::error::closed);
  CHECK(r.ws.reason().code == websocket::close_code::normal);
  CHECK(wait_for([&] { return s.app.closes() == 3; }));
}

TEST_CASE("websocket upgrade refused: 403 with the reason") {
  TestServer s(small_options());
  WsClient c;
  auto ec = c.connect(s.port, {{"x-refuse", "1"}});
  CHECK(ec == websocket::error::upgrade_declined);
  CHECK(c.handshake_response.result_int() == 403);
  CHECK(c.handshake_response.body() == "refused by test");
  CHECK(s.app.opens() == 0);
}

TEST_CASE("oversized frame: Beast closes with 1009") {
  TestServer s(small_options());  // max_frame_bytes = 1024
  auto before = metrics().ws_protocol_closed.load();
  WsClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  std::string ok(1024, 'a');
  REQUIRE(c.write(ok) == error_code{});
  std::string msg;
  REQUIRE(c.read(msg) == error_code{});
  CHECK(msg.size() == 1024);
  REQUIRE(c.write(std::string(1025, 'b')) == error_code{});
  CHECK(c.read(msg) == websocket::error::closed);
  CHECK(c.ws.reason().code == websocket::close_code::too_big);  // 1009
  CHECK(wait_for([&] { return s.app.closes() == 1; }));
  CHECK(metrics().ws_protocol_closed.load() == before + 1);
}

TEST_CASE("invalid UTF-8 in a text frame: Beast closes with 1007") {
  TestServer s(small_options());
  auto before = metrics().ws_protocol_closed.load();
  WsClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  // Beast's client does not validate what it sends: the bytes reach the server as a text frame.
  REQUIRE(c.write(std::string("ok \xC3\x28 bad", 9)) == error_code{});
  std::string msg;
  CHECK(c.read(msg) == websocket::error::closed);
  CHECK(c.ws.reason().code == websocket::close_code::bad_payload);  // 1007
  CHECK(wait_for([&] { return s.app.closes() == 1; }));
  CHECK(metrics().ws_protocol_closed.load() == before + 1);
}

TEST_CASE("binary frame: closed with 1003") {
  TestServer s(small_options());
  WsClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  REQUIRE(c.write("\x01\x02", true) == error_code{});
  std::string msg;
  CHECK(c.read(msg) == websocket::error::closed);
  CHECK(c.ws.reason().code == websocket::close_code::unknown_data);  // 1003
  CHECK(wait_for([&] { return s.app.closes() == 1; }));
}

TEST_CASE("slow reader: send queue overflow closes with 1008 'too slow'") {
  auto opts = small_options();
  opts.send_queue_cap_bytes = 64 * 1024;
  TestServer s(opts);
  auto slow_before = metrics().ws_slow_closed.load();
  WsClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  REQUIRE(c.write("stream") == error_code{});
  // The client reads nothing: socket buffers fill, the server's queue grows past the cap.
  REQUIRE(wait_for([&] { return metrics().ws_slow_closed.load() > slow_before; }));
  // Now drain: the frames already handed to the socket, then the close frame.
  std::size_t messages = 0;
  CHECK(c.read_until_closed(&messages) == websocket::error::closed);
  CHECK(messages * 16 * 1024 > opts.send_queue_cap_bytes);           // socket buffers filled up first
  CHECK(c.ws.reason().code == websocket::close_code::policy_error);  // 1008
  CHECK(c.ws.reason().reason == "too slow");
  CHECK(wait_for([&] { return s.app.closes() == 1; }));
  CHECK(metrics().ws_slow_closed.load() == slow_before + 1);
}

TEST_CASE("send budget: over it reads pause, the longest queue is closed, then reads resume") {
  auto opts = small_options();
  opts.send_queue_cap_bytes = 64u << 20;  // the per-connection cap is not what trips here
  opts.send_budget_bytes = 512 * 1024;
  TestServer s(opts);
  const auto pauses = metrics().ws_budget_pauses.load();
  const auto slow = metrics().ws_slow_closed.load();
  WsClient hog;
  REQUIRE(hog.connect(s.port) == error_code{});
  REQUIRE(hog.write("stream") == error_code{});  // and never reads
  REQUIRE(wait_for([&] { return metrics().ws_budget_pauses.load() > pauses; }));
  // While the total is over the budget nobody's commands are read...
  WsClient other;
  REQUIRE(other.connect(s.port) == error_code{});
  REQUIRE(other.write("still served") == error_code{});
  // ...until the client holding the longest queue is closed; then reading resumes.
  REQUIRE(wait_for([&] { return metrics().ws_slow_closed.load() > slow; }));
  std::string got;
  REQUIRE(other.read(got) == error_code{});
  CHECK(got == "still served");
  CHECK(hog.read_until_closed() == websocket::error::closed);
  CHECK(hog.ws.reason().code == websocket::close_code::policy_error);
  CHECK(hog.ws.reason().reason == "too slow");
}

TEST_CASE("shutdown closes every WebSocket with 1001 and the loop runs out of work") {
  auto s = std::make_unique<TestServer>(small_options());
  WsClient a, b;
  REQUIRE(a.connect(s->port) == error_code{});
  REQUIRE(b.connect(s->port) == error_code{});
  HttpClient idle;  // a keep-alive HTTP connection between requests
  REQUIRE(idle.connect(s->port) == error_code{});
  http::response<http::string_body> res;
  REQUIRE(idle.get("/echo", res) == error_code{});
  REQUIRE(wait_for([&] { return s->app.opens() == 2; }));
  CHECK(s->server.connection_count() == 3);

  s->shutdown();
  std::string msg;
  CHECK(a.read(msg) == websocket::error::closed);
  CHECK(a.ws.reason().code == websocket::close_code::going_away);
  CHECK(a.ws.reason().reason == "going away");
  CHECK(b.read(msg) == websocket::error::closed);
  CHECK(b.ws.reason().code == websocket::close_code::going_away);
  CHECK(idle.read_eof() == asio::error::eof);
  CHECK(wait_for([&] { return s->loop_ended.load(); }));
  CHECK(s->app.closes() == 2);
  CHECK(s->server.connection_count() == 0);
  // New connections are refused.
  HttpClient late;
  CHECK(late.connect(s->port) != error_code{});
  s.reset();
}

TEST_CASE("HTTP: keep-alive, headers, HEAD, Connection: close, errors") {
  TestServer s(small_options());
  auto requests_before = metrics().http_requests.load();
  HttpClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  http::response<http::string_body> res;

  REQUIRE(c.get("/echo/a%20b?x=1", res) == error_code{});
  CHECK(res.result_int() == 200);
  CHECK(res.body() == "/echo/a b");
  CHECK(res[http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(res["X-Content-Type-Options"] == "nosniff");
  CHECK(res["Referrer-Policy"] == "no-referrer");
  CHECK(res[http::field::server] == "parley");
  CHECK(res.keep_alive());

  // Same connection: headers joined, cookies, query, body; app's own header kept.
  http::request<http::string_body> post{http::verb::post, "/headers?q=%20", 11};
  post.insert("X-Multi", "one");
  post.insert("X-Multi", "two");
  post.set(http::field::cookie, "sid=abc; other=1");
  post.body() = "payload";
  REQUIRE(c.request(post, res) == error_code{});
  CHECK(res.body() == "one, two|abc|q=%20|payload");
  CHECK(res["Referrer-Policy"] == "same-origin");
  int cookies = 0;
  for (const auto& f : res)
    if (f.name() == http::field::set_cookie) ++cookies;
  CHECK(cookies == 2);

  REQUIRE(c.get("/echo/abc", res, {}, http::verb::head) == error_code{});
  CHECK(res.result_int() == 200);
  CHECK(res[http::field::content_length] == "9");
  CHECK(res.body().empty());

  REQUIRE(c.get("/later", res) == error_code{});
  CHECK(res.body() == "later:/later");

  REQUIRE(c.get("/nope", res) == error_code{});
  CHECK(res.result_int() == 404);

  REQUIRE(c.get("/echo/x", res, {{"Connection", "close"}}) == error_code{});
  CHECK(res.body() == "/echo/x");
  CHECK_FALSE(res.keep_alive());
  CHECK(c.read_eof() == asio::error::eof);
  CHECK(metrics().http_requests.load() >= requests_before + 6);

  for (std::string bad : {"/a%zz", "/a%00b", "/caf%E9"}) {
    HttpClient b;
    REQUIRE(b.connect(s.port) == error_code{});
    REQUIRE(b.get(bad, res) == error_code{});
    CHECK_MESSAGE(res.result_int() == 400, bad);
    CHECK_FALSE(res.keep_alive());
  }

  HttpClient big;  // max_http_body = 4096
  REQUIRE(big.connect(s.port) == error_code{});
  http::request<http::string_body> huge{http::verb::post, "/echo", 11};
  huge.body() = std::string(5000, 'x');
  REQUIRE(big.request(huge, res) == error_code{});
  CHECK(res.result_int() == 413);
  CHECK_FALSE(res.keep_alive());

  // Expect: 100-continue: an interim 100, then the real response.
  HttpClient cont;
  REQUIRE(cont.connect(s.port) == error_code{});
  http::request<http::string_body> expect{http::verb::post, "/headers", 11};
  expect.set(http::field::expect, "100-continue");
  expect.body() = "after-continue";
  REQUIRE(cont.request(expect, res) == error_code{});
  CHECK(res.result_int() == 100);
  http::response_parser<http::string_body> final_parser;
  REQUIRE(cont.run(
              [&](auto done) {
                http::async_read(cont.sock, cont.buffer, final_parser,
                                 [done](error_code e, std::size_t) { done(e); });
              },
              [&] { cont.close(); }) == error_code{});
  CHECK(final_parser.get().result_int() == 200);
  CHECK(final_parser.get().body() == "|||after-continue");

  HttpClient garbage;
  REQUIRE(garbage.connect(s.port) == error_code{});
  std::string junk = "NOT HTTP AT ALL\r\n\r\n";
  REQUIRE(garbage.run(
              [&](auto done) {
                asio::async_write(garbage.sock, asio::buffer(junk),
                                  [done](error_code e, std::size_t) { done(e); });
              },
              [&] { garbage.close(); }) == error_code{});
  http::response_parser<http::string_body> p;
  REQUIRE(garbage.run(
              [&](auto done) {
                http::async_read(garbage.sock, garbage.buffer, p,
                                 [done](error_code e, std::size_t) { done(e); });
              },
              [&] { garbage.close(); }) == error_code{});
  CHECK(p.get().result_int() == 400);
}

TEST_CASE("HTTP: a late reply to a dead connection is ignored") {
  TestServer s(small_options());
  {
    HttpClient c;
    REQUIRE(c.connect(s.port) == error_code{});
    http::request<http::string_body> req{http::verb::get, "/hold", 11};
    req.set(http::field::host, "x");
    REQUIRE(c.run(
                [&](auto done) {
                  http::async_write(c.sock, req, [done](error_code e, std::size_t) { done(e); });
                },
                [&] { c.close(); }) == error_code{});
    REQUIRE(wait_for([&] { return s.app.holding.load(); }));
    c.close();  // the client gives up while the app still holds the reply
  }
  HttpClient c2;
  REQUIRE(c2.connect(s.port) == error_code{});
  http::response<http::string_body> res;
  REQUIRE(c2.get("/release", res) == error_code{});
  CHECK(res.body() == "released");
  REQUIRE(c2.get("/echo/after", res) == error_code{});
  CHECK(res.body() == "/echo/after");
}

TEST_CASE("remote address through a trusted proxy") {
  auto opts = small_options();
  opts.trusted_proxies = {"127.0.0.1"};
  TestServer s(opts);
  HttpClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  http::response<http::string_body> res;
  REQUIRE(
      c.get("/whoami", res, {{"X-Forwarded-For", "6.6.6.6, 203.0.113.7"}, {"X-Forwarded-Proto", "https"}}) ==
      error_code{});
  CHECK(res.body() == "203.0.113.7 secure");
  REQUIRE(c.get("/whoami", res) == error_code{});
  CHECK(res.body() == "127.0.0.1 plain");

  TestServer untrusted(small_options());
  HttpClient u;
  REQUIRE(u.connect(untrusted.port) == error_code{});
  REQUIRE(u.get("/whoami", res, {{"X-Forwarded-For", "203.0.113.7"}, {"X-Forwarded-Proto", "https"}}) ==
          error_code{});
  CHECK(res.body() == "127.0.0.1 plain");
}

TEST_CASE("max_connections: extra TCP connections are closed at once") {
  auto opts = small_options();
  opts.max_connections = 2;
  TestServer s(opts);
  WsClient a, b;
  REQUIRE(a.connect(s.port) == error_code{});
  REQUIRE(b.connect(s.port) == error_code{});
  HttpClient extra;
  REQUIRE(extra.connect(s.port) == error_code{});  // the kernel accepts; the server closes it
  CHECK(extra.read_eof() != error_code{});
  CHECK(s.server.connection_count() == 2);
  REQUIRE(a.close_normal() == error_code{});
  REQUIRE(wait_for([&] { return s.server.connection_count() == 1; }));
  HttpClient now;
  REQUIRE(now.connect(s.port) == error_code{});
  http::response<http::string_body> res;
  REQUIRE(now.get("/echo/ok", res) == error_code{});
  CHECK(res.body() == "/echo/ok");
}

namespace {
struct WebRoot {
  fs::path path;
  WebRoot() {
    char tmpl[] = "/tmp/parley-web-XXXXXX";
    path = mkdtemp(tmpl);
    std::ofstream(path / "index.html") << "<h1>hi</h1>";
    std::ofstream(path / "app.0123abcd.js") << "plain";
    std::ofstream(path / "app.0123abcd.js.br") << "brotli-bytes";
  }
  ~WebRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

TEST_CASE("static files over HTTP: precompressed br, 304, traversal refused") {
  WebRoot web;
  TestServer s(small_options(), web.path.string());
  HttpClient c;
  REQUIRE(c.connect(s.port) == error_code{});
  http::response<http::string_body> res;

  REQUIRE(c.get("/", res) == error_code{});
  CHECK(res.body() == "<h1>hi</h1>");
  CHECK(res[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(res[http::field::cache_control] == "no-cache");

  REQUIRE(c.get("/app.0123abcd.js", res, {{"Accept-Encoding", "gzip, deflate, br"}}) == error_code{});
  CHECK(res.body() == "brotli-bytes");
  CHECK(res[http::field::content_encoding] == "br");
  CHECK(res[http::field::vary] == "Accept-Encoding");
  CHECK(res[http::field::cache_control] == "public, max-age=31536000, immutable");
  std::string etag(res[http::field::etag]);

  REQUIRE(c.get("/app.0123abcd.js", res, {{"Accept-Encoding", "br"}, {"If-None-Match", etag}}) ==
          error_code{});
  CHECK(res.result_int() == 304);
  CHECK(res.body().empty());

  REQUIRE(c.get("/app.0123abcd.js", res, {{"Accept-Encoding", "br"}}, http::verb::head) == error_code{});
  CHECK(res[http::field::content_length] == "12");
  CHECK(res.body().empty());

  REQUIRE(c.get("/app.0123abcd.js", res) == error_code{});
  CHECK(res.body() == "plain");
  CHECK(res[http::field::content_encoding].empty());

  for (std::string evil :
       {"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/a/../../etc/passwd", "/..%2fetc%2fpasswd"}) {
    HttpClient e;
    REQUIRE(e.connect(s.port) == error_code{});
    REQUIRE(e.get(evil, res) == error_code{});
    CHECK_MESSAGE(res.result_int() != 200, evil);
    CHECK(res.body().find("root:") == std::string::npos);
  }
}

TEST_CASE("TLS: HTTPS and WSS") {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    MESSAGE("openssl CLI not found: TLS test skipped");
    return;
  }
  WebRoot dir;
  auto cert = (dir.path / "cert.pem").string(), key = (dir.path / "key.pem").string();
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " + key +
                    " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto opts = small_options();
  opts.tls_cert = cert;
  opts.tls_key = key;
  TestServer s(opts);

  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);  // self-signed test certificate

  {  // HTTPS
    ClientLoop loop;
    beast::ssl_stream<tcp::socket> stream(loop.ioc, ctx);
    auto close = [&] {
      error_code ignored;
      beast::get_lowest_layer(stream).close(ignored);
    };
    REQUIRE(loop.run(
                [&](auto done) {
                  beast::get_lowest_layer(stream).async_connect({asio::ip::make_address("127.0.0.1"), s.port},
                                                                done);
                },
                close) == error_code{});
    REQUIRE(loop.run([&](auto done) { stream.async_handshake(ssl::stream_base::client, done); }, close) ==
            error_code{});
    http::request<http::string_body> req{http::verb::get, "/whoami", 11};
    req.set(http::field::host, "localhost");
    REQUIRE(loop.run(
                [&](auto done) {
                  http::async_write(stream, req, [done](error_code e, std::size_t) { done(e); });
                },
                close) == error_code{});
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    REQUIRE(loop.run(
                [&](auto done) {
                  http::async_read(stream, buf, res, [done](error_code e, std::size_t) { done(e); });
                },
                close) == error_code{});
    CHECK(res.body() == "127.0.0.1 secure");
  }
  {  // WSS
    BasicWsClient<beast::ssl_stream<tcp::socket>> c(ctx);
    REQUIRE(c.connect(s.port) == error_code{});
    REQUIRE(c.write("over tls") == error_code{});
    std::string msg;
    REQUIRE(c.read(msg) == error_code{});
    CHECK(msg == "over tls");
    s.shutdown();
    CHECK(c.read(msg) == websocket::error::closed);
    CHECK(c.ws.reason().code == websocket::close_code::going_away);
  }
  CHECK(wait_for([&] { return s.app.closes() == 1; }));
}
