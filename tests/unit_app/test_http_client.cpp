// relay/src/app/outbound/http_client.hpp against a real cpp-httplib server on loopback: outcomes,
// the URL rule applied before anything is sent, the size cap, streaming, no redirects.
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>

#include "app/outbound/http_client.hpp"

using namespace parley;
using namespace parley::relay::outbound;

namespace {

// A loopback server on a free port, stopped at scope end. `hits` counts requests that reached a
// handler, so a test can prove nothing was sent.
struct Standin {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<int> hits{0};
  std::promise<void> release;  // the slow handler waits on it
  std::shared_future<void> released = release.get_future().share();

  Standin() {
    server.Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      ++hits;
      res.set_header("X-Echo", req.get_header_value("X-Token"));
      res.set_content("hello", "text/plain");
    });
    server.Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      ++hits;
      res.status = 201;
      res.set_content(req.get_header_value("Content-Type") + "|" + req.body, "text/plain");
    });
    server.Get("/missing", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.status = 404;
      res.set_content(R"({"error":{"message":"no such model"}})", "application/json");
    });
    server.Get("/big", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_content(std::string(100 * 1024, 'x'), "text/plain");
    });
    server.Get("/redirect", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_redirect("/ok");
    });
    server.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      released.wait();  // until the client has given up
      res.set_content("late", "text/plain");
    });
    server.Get("/stream", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_chunked_content_provider("text/event-stream", [](std::size_t, httplib::DataSink& sink) {
        for (const char* piece : {"data: {\"a\":1}\n\n", "data: {\"a\":2}\n\n", "data: [DONE]\n\n"}) {
          if (!sink.write(piece, std::string_view(piece).size())) return false;
        }
        sink.done();
        return true;
      });
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();
  }
  ~Standin() {
    try {
      release.set_value();
    } catch (...) {
    }
    server.stop();
    thread.join();
  }
  std::string url(const char* path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

UrlPolicy lab() {
  UrlPolicy p;
  p.allow_private = true;
  return p;
}

Request get(std::string url) {
  Request r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

// A port nobody listens on: bound, then closed.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("http_client: an answer of any status is ok, with headers and body") {
  Standin s;
  auto client = make_http_client(lab());
  Request r = get(s.url("/ok"));
  r.headers.push_back({"X-Token", "abc"});
  Response ok = client->send(r);
  CHECK(ok.outcome == Outcome::ok);
  CHECK(ok.status == 200);
  CHECK(ok.body == "hello");
  CHECK(ok.header("x-echo") == "abc");

  Response missing = client->send(get(s.url("/missing")));
  CHECK(missing.ok());
  CHECK(missing.status == 404);
  CHECK(missing.body.find("no such model") != std::string::npos);

  Request post;
  post.url = s.url("/echo");
  post.body = R"({"x":1})";
  Response echoed = client->send(post);
  CHECK(echoed.status == 201);
  CHECK(echoed.body == "application/json|{\"x\":1}");
}

TEST_CASE("http_client: the URL rule refuses before anything is sent") {
  Standin s;
  auto strict = make_http_client(UrlPolicy{});
  Response by_address = strict->send(get(s.url("/ok")));
  CHECK(by_address.outcome == Outcome::refused);
  CHECK(by_address.error.find("--outbound-allow-private") != std::string::npos);
  // A name that resolves to loopback is refused after resolution, still before sending.
  Response by_name = strict->send(get("http://localhost:" + std::to_string(s.port) + "/ok"));
  CHECK(by_name.outcome == Outcome::refused);
  CHECK(s.hits == 0);

  Response bad = strict->send(get("ftp://127.0.0.1/"));
  CHECK(bad.outcome == Outcome::bad_url);

  // The operator's allow list lets a named host through, plain http included.
  UrlPolicy allow;
  allow.allow_hosts = {"localhost"};
  Response allowed = make_http_client(allow)->send(get("http://localhost:" + std::to_string(s.port) + "/ok"));
  CHECK(allowed.status == 200);
  CHECK(s.hits == 1);
}

TEST_CASE("http_client: a closed port is not_sent; a request answered too late is unknown") {
  auto client = make_http_client(lab());
  Response closed = client->send(get("http://127.0.0.1:" + std::to_string(closed_port()) + "/"));
  CHECK(closed.outcome == Outcome::not_sent);

  Standin s;
  Request slow = get(s.url("/slow"));
  slow.timeout_ms = 200;
  Response late = client->send(slow);
  s.release.set_value();
  CHECK(late.outcome == Outcome::unknown);  // the server got it and may have acted
  CHECK(s.hits == 1);
}

TEST_CASE("http_client: answers over the size cap are stopped") {
  Standin s;
  auto client = make_http_client(lab());
  Request r = get(s.url("/big"));
  r.max_response_bytes = 10 * 1024;
  Response big = client->send(r);
  CHECK(big.outcome == Outcome::too_large);
  CHECK(big.body.empty());
  r.max_response_bytes = 200 * 1024;
  CHECK(client->send(r).body.size() == 100 * 1024);
}

TEST_CASE("http_client: redirects come back as answers, not followed") {
  Standin s;
  Response r = make_http_client(lab())->send(get(s.url("/redirect")));
  CHECK(r.status == 302);
  CHECK(r.header("Location") == "/ok");
  CHECK(s.hits == 1);
}

TEST_CASE("http_client: streaming hands the body over in pieces and can stop") {
  Standin s;
  auto client = make_http_client(lab());
  std::string joined;
  Response r = client->send_streaming(get(s.url("/stream")), [&](std::string_view piece) {
    joined.append(piece);
    return true;
  });
  CHECK(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body.empty());
  CHECK(joined == "data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n");

  int pieces = 0;
  Response stopped = client->send_streaming(get(s.url("/stream")), [&](std::string_view) { return ++pieces < 1; });
  CHECK(stopped.ok());
  CHECK(pieces == 1);

  // A non-2xx answer's body is kept for the caller to read, not streamed.
  bool called = false;
  Response missing = client->send_streaming(get(s.url("/missing")), [&](std::string_view) { return called = true; });
  CHECK(missing.status == 404);
  CHECK_FALSE(called);
  CHECK(missing.body.find("no such model") != std::string::npos);
}
