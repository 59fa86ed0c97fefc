// An exception escaping an Application callback (a bug in the hub) is logged and closes the
// connection or request it belonged to; the server keeps serving everybody else, and nothing
// escapes to the event loop (issue 6, Correctness 9). The real Server on loopback behind an
// Application whose handlers throw on request. Every wait is bounded (Beast timeouts).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/log.hpp"
#include "net/server.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using namespace parley::relay;

namespace {

constexpr auto kLimit = 10s;

template <class Pred>
bool eventually(Pred pred) {
  const auto end = std::chrono::steady_clock::now() + kLimit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);  // polling step, not an assertion
  }
  return true;
}

// Redirects this process's stderr (where log lines go) into a file while alive.
class StderrCapture {
 public:
  StderrCapture() {
    char tmpl[] = "/tmp/parley-net-stderr-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    path_ = tmpl;
    std::fflush(stderr);
    saved_ = ::dup(2);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() {
    restore();
    ::unlink(path_.c_str());
  }
  // What was logged so far.
  std::string text() const {
    std::fflush(stderr);
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

// Throws from the callback the test asks for; otherwise echoes.
class ThrowingApp : public Application {
 public:
  void handle_http(HttpRequest req, HttpReply reply) override {
    if (req.path == "/throw") throw std::runtime_error("handle_http blew up");
    if (req.path == "/throw-int") throw 42;  // not a std::exception
    HttpResponse r;
    r.body = "ok:" + req.path;
    reply(std::move(r));
  }
  UpgradeDecision authorize_upgrade(const HttpRequest& req) override {
    if (!req.header("x-throw-upgrade").empty()) throw std::runtime_error("authorize_upgrade blew up");
    UpgradeDecision d;
    d.accept = true;
    d.principal = req.header("x-user");
    return d;
  }
  void on_open(std::shared_ptr<Connection> conn, const std::string& principal) override {
    {
      std::lock_guard lock(mu_);
      conns_[conn->id()] = conn;  // the hub keeps its connections too
      ++opens;
    }
    if (principal == "throw-on-open") throw std::runtime_error("on_open blew up");
  }
  void on_message(std::uint64_t id, std::string text) override {
    if (text == "throw") throw std::runtime_error("on_message blew up");
    std::shared_ptr<Connection> c;
    {
      std::lock_guard lock(mu_);
      auto it = conns_.find(id);
      if (it != conns_.end()) c = it->second;
    }
    if (c) c->send(std::make_shared<const std::string>("echo:" + text));
  }
  void on_close(std::uint64_t id) override {
    std::lock_guard lock(mu_);
    conns_.erase(id);
    ++closes;
  }
  std::atomic<int> opens{0}, closes{0};

 private:
  std::mutex mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> conns_;
};

// A Server on port 0; its loop runs on a thread that counts exceptions escaping io.run() (the
// relay's main() would log them and continue; the test asserts there are none).
struct ThrowServer {
  asio::io_context io;
  ThrowingApp app;
  Server server;
  std::uint16_t port = 0;
  std::atomic<int> escaped{0};
  std::atomic<bool> ended{false};
  std::thread loop;

  ThrowServer() : server(io, options(), app) {
    auto err = server.start(&port);
    REQUIRE_MESSAGE(!err, err.value_or(""));
    loop = std::thread([this] {
      for (;;) {
        try {
          io.run();
          break;
        } catch (...) {
          ++escaped;
        }
      }
      ended = true;
    });
  }
  ~ThrowServer() {
    asio::post(io, [this] { server.shutdown(); });
    if (!eventually([&] { return ended.load(); })) io.stop();
    loop.join();
  }
  // Waits until the loop has run everything queued before this call (an exception that escaped
  // io.run() meanwhile has been counted by then).
  void barrier() {
    std::atomic<bool> ran{false};
    asio::post(io, [&ran] { ran = true; });
    REQUIRE(eventually([&] { return ran.load(); }));
  }
  int escapes() {
    barrier();
    return escaped.load();
  }
  static ServerOptions options() {
    ServerOptions o;
    o.port = 0;
    o.http_timeout_s = 5;
    o.ping_interval_s = 5;
    return o;
  }
};

// Runs the client loop until `done` or the limit.
void run_client(asio::io_context& ioc, const bool& done) {
  ioc.restart();
  const auto end = std::chrono::steady_clock::now() + kLimit;
  while (!done && std::chrono::steady_clock::now() < end) ioc.run_one_until(end);
}

struct Ws {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buf;
  websocket::response_type response;

  error_code connect(std::uint16_t port, std::map<std::string, std::string> headers = {}) {
    bool done = false;
    error_code result = asio::error::timed_out;
    beast::get_lowest_layer(ws).expires_after(kLimit);
    beast::get_lowest_layer(ws).async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                              [&](error_code ec) { result = ec, done = true; });
    run_client(ioc, done);
    if (result) return result;
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout{kLimit, kLimit, false});
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
      for (const auto& [k, v] : headers) r.set(k, v);
    }));
    done = false;
    result = asio::error::timed_out;
    ws.async_handshake(response, "127.0.0.1", "/ws", [&](error_code ec) { result = ec, done = true; });
    run_client(ioc, done);
    return result;
  }
  error_code write(const std::string& text) {
    bool done = false;
    error_code result = asio::error::timed_out;
    ws.async_write(asio::buffer(text), [&](error_code ec, std::size_t) { result = ec, done = true; });
    run_client(ioc, done);
    return result;
  }
  error_code read(std::string& out) {
    buf.clear();
    bool done = false;
    error_code result = asio::error::timed_out;
    ws.async_read(buf, [&](error_code ec, std::size_t) { result = ec, done = true; });
    run_client(ioc, done);
    out = beast::buffers_to_string(buf.data());
    return result;
  }
};

struct Http {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buf;

  error_code connect(std::uint16_t port) {
    bool done = false;
    error_code result = asio::error::timed_out;
    stream.expires_after(kLimit);
    stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                         [&](error_code ec) { result = ec, done = true; });
    run_client(ioc, done);
    return result;
  }
  error_code get(const std::string& target, bhttp::response<bhttp::string_body>& res) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.keep_alive(true);
    bool done = false;
    error_code result = asio::error::timed_out;
    stream.expires_after(kLimit);
    bhttp::async_write(stream, req, [&](error_code ec, std::size_t) { result = ec, done = true; });
    run_client(ioc, done);
    if (result) return result;
    done = false;
    result = asio::error::timed_out;
    res = {};
    bhttp::async_read(stream, buf, res, [&](error_code ec, std::size_t) { result = ec, done = true; });
    run_client(ioc, done);
    return result;
  }
};

int http_status(std::uint16_t port, const std::string& target, std::string* body = nullptr) {
  Http h;
  if (h.connect(port)) return 0;
  bhttp::response<bhttp::string_body> res;
  if (h.get(target, res)) return 0;
  if (body) *body = res.body();
  return static_cast<int>(res.result_int());
}

struct LogLevel {
  LogLevel() { log::set_min_level(log::Level::warn); }
};
const LogLevel kLogLevel;

}  // namespace

TEST_CASE("handler exception: on_message throwing closes that connection (1011), the others go on") {
  StderrCapture logs;
  ThrowServer s;
  Ws bystander;
  REQUIRE(bystander.connect(s.port, {{"x-user", "bystander"}}) == error_code{});
  Ws victim;
  REQUIRE(victim.connect(s.port, {{"x-user", "victim"}}) == error_code{});
  REQUIRE(victim.write("throw") == error_code{});
  std::string msg;
  const error_code ec = victim.read(msg);
  CHECK(ec == websocket::error::closed);
  CHECK(victim.ws.reason().code == 1011);
  // The other connection still works, and so do new ones.
  REQUIRE(bystander.write("still there?") == error_code{});
  REQUIRE(bystander.read(msg) == error_code{});
  CHECK(msg == "echo:still there?");
  Ws fresh;
  REQUIRE(fresh.connect(s.port, {{"x-user", "fresh"}}) == error_code{});
  REQUIRE(fresh.write("hi") == error_code{});
  REQUIRE(fresh.read(msg) == error_code{});
  CHECK(msg == "echo:hi");
  CHECK(eventually([&] { return s.app.closes.load() >= 1; }));  // on_close for the victim
  CHECK(s.escapes() == 0);
  const std::string logged = logs.text();
  logs.restore();
  INFO("logged: " << logged);
  CHECK(logged.find("on_message blew up") != std::string::npos);
}

TEST_CASE("handler exception: handle_http throwing answers 500 for that request, the server goes on") {
  StderrCapture logs;
  ThrowServer s;
  CHECK(http_status(s.port, "/throw") == 500);
  CHECK(http_status(s.port, "/throw-int") == 500);
  std::string body;
  CHECK(http_status(s.port, "/fine", &body) == 200);
  CHECK(body == "ok:/fine");
  // A keep-alive connection whose first request threw can serve a second one.
  Http h;
  REQUIRE(h.connect(s.port) == error_code{});
  bhttp::response<bhttp::string_body> res;
  REQUIRE(h.get("/throw", res) == error_code{});
  CHECK(res.result_int() == 500);
  CHECK(s.escapes() == 0);
  const std::string logged = logs.text();
  logs.restore();
  INFO("logged: " << logged);
  CHECK(logged.find("handle_http blew up") != std::string::npos);
}

TEST_CASE("handler exception: authorize_upgrade throwing refuses that upgrade, the server goes on") {
  StderrCapture logs;
  ThrowServer s;
  Ws refused;
  const error_code ec = refused.connect(s.port, {{"x-throw-upgrade", "1"}});
  CHECK(ec);  // no WebSocket for it (an HTTP error answer or a closed connection)
  CHECK(s.escapes() == 0);  // nothing escaped to the loop
  Ws ok;
  REQUIRE(ok.connect(s.port, {{"x-user", "ok"}}) == error_code{});
  REQUIRE(ok.write("x") == error_code{});
  std::string msg;
  REQUIRE(ok.read(msg) == error_code{});
  CHECK(msg == "echo:x");
  CHECK(http_status(s.port, "/after") == 200);
  const std::string logged = logs.text();
  logs.restore();
  INFO("logged: " << logged);
  CHECK(logged.find("authorize_upgrade blew up") != std::string::npos);
}

TEST_CASE("handler exception: on_open throwing closes that connection (it does not hang), on_close follows") {
  StderrCapture logs;
  ThrowServer s;
  Ws victim;
  REQUIRE(victim.connect(s.port, {{"x-user", "throw-on-open"}}) == error_code{});
  // The connection must end (a close frame or EOF) within the bounded wait, not hang open while
  // the application still holds it.
  std::string msg;
  const error_code ec = victim.read(msg);
  CHECK(ec != error_code{});
  CHECK(ec != error_code(beast::error::timeout));
  CHECK(ec != error_code(asio::error::timed_out));
  CHECK(s.escapes() == 0);
  CHECK(eventually([&] { return s.app.closes.load() == s.app.opens.load(); }));
  Ws ok;
  REQUIRE(ok.connect(s.port, {{"x-user", "ok"}}) == error_code{});
  REQUIRE(ok.write("y") == error_code{});
  REQUIRE(ok.read(msg) == error_code{});
  CHECK(msg == "echo:y");
  const std::string logged = logs.text();
  logs.restore();
  INFO("logged: " << logged);
  CHECK(logged.find("on_open blew up") != std::string::npos);
}
