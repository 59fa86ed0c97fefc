// tools/graph_standin/graph_standin.hpp: a stand-in for Meta's Graph API (WhatsApp Cloud API) on
// loopback, for tests (DESIGN.md rule 4). Header-only over cpp-httplib's server; used in-process
// by tests/integration and as the `parley-graph-standin` binary (main.cpp) by hand.
//
// Speaks (../shared/INTEGRATIONS.md "WhatsApp"):
//   POST /{version}/{phone_number_id}/messages   Bearer token checked (401 code 190 otherwise);
//        a send answers {"messaging_product","contacts":[{input,wa_id}],"messages":[{"id":"wamid.S<n>"}]};
//        {"status":"read","message_id"} is a read receipt ({"success":true});
//   GET  /{version}/{media_id}                    {url, mime_type, sha256, file_size, id}
//   GET  /media/{media_id}                        the bytes (Bearer token checked)
// Scriptable failures: fail_next(n, code) answers the next n sends with that Graph error (HTTP
// 400, or the given status); slow_ms delays every answer after the request was read (the client
// times out: outcome unknown); rate_per_s answers 130429 beyond that many sends per second
// (per number); stop() takes it down (connection refused).
// Threads: start()/stop() from one thread; the accessors are thread-safe.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace parley::standin {

struct GraphSent {
  std::string version, phone_number_id, authorization;
  nlohmann::json body;
  std::string wamid;  // the id it answered with
};

class GraphStandin {
 public:
  explicit GraphStandin(std::string token = "test-token") : token_(std::move(token)) {}
  ~GraphStandin() { stop(); }
  GraphStandin(const GraphStandin&) = delete;
  GraphStandin& operator=(const GraphStandin&) = delete;

  // Listens on 127.0.0.1:`port` (0 = any free port); returns the port (0 on failure).
  std::uint16_t start(std::uint16_t port = 0) {
    server_ = std::make_unique<httplib::Server>();
    server_->Post(R"(/([^/]+)/([^/]+)/messages)", [this](const httplib::Request& req, httplib::Response& res) {
      on_messages(req, res);
    });
    server_->Get(R"(/media/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorised(req)) return unauthorised(res);
      std::lock_guard lock(mu_);
      const auto it = media_.find(req.matches[1]);
      if (it == media_.end()) return error(res, 404, 100, "no such media");
      res.set_content(it->second.second, it->second.first.c_str());
    });
    server_->Get(R"(/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorised(req)) return unauthorised(res);
      std::lock_guard lock(mu_);
      const std::string id = req.matches[2];
      const auto it = media_.find(id);
      if (it == media_.end()) return error(res, 404, 100, "no such media");
      nlohmann::json j{{"id", id},
                       {"url", "http://127.0.0.1:" + std::to_string(port_) + "/media/" + id},
                       {"mime_type", it->second.first},
                       {"sha256", ""},
                       {"file_size", it->second.second.size()},
                       {"messaging_product", "whatsapp"}};
      res.set_content(j.dump(), "application/json");
    });
    if (port == 0) {
      const int p = server_->bind_to_any_port("127.0.0.1");
      if (p <= 0) return 0;
      port_ = static_cast<std::uint16_t>(p);
    } else {
      if (!server_->bind_to_port("127.0.0.1", port)) return 0;
      port_ = port;
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // The socket already listens (bound above); wait (bounded) for the accept loop as well.
    for (int i = 0; i < 2000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return port_;
  }
  void stop() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // ---- scripting ----
  void fail_next(int n, int code, int http_status = 400, std::string message = "scripted failure") {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) failures_.push_back(Failure{code, http_status, message});
  }
  void set_slow_ms(int ms) { slow_ms_ = ms; }
  void set_rate_per_s(double r) { rate_per_s_ = r; }
  void add_media(const std::string& id, const std::string& mime, const std::string& bytes) {
    std::lock_guard lock(mu_);
    media_[id] = {mime, bytes};
  }

  // ---- what it saw ----
  std::vector<GraphSent> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  std::size_t sent_count() const {
    std::lock_guard lock(mu_);
    return sent_.size();
  }
  std::vector<std::string> read_receipts() const {
    std::lock_guard lock(mu_);
    return reads_;
  }
  std::vector<std::string> typing_indicators() const {
    std::lock_guard lock(mu_);
    return typing_;
  }
  int attempts() const { return attempts_.load(); }
  int failures_answered() const { return failed_.load(); }

 private:
  struct Failure {
    int code, status;
    std::string message;
  };
  bool authorised(const httplib::Request& req) const {
    return req.get_header_value("Authorization") == "Bearer " + token_;
  }
  static void error(httplib::Response& res, int status, int code, const std::string& message) {
    res.status = status;
    nlohmann::json j{{"error",
                      {{"message", message},
                       {"type", "OAuthException"},
                       {"code", code},
                       {"error_data", {{"messaging_product", "whatsapp"}, {"details", message}}},
                       {"fbtrace_id", "standin"}}}};
    res.set_content(j.dump(), "application/json");
  }
  void unauthorised(httplib::Response& res) { error(res, 401, 190, "Invalid OAuth access token"); }

  void on_messages(const httplib::Request& req, httplib::Response& res) {
    ++attempts_;
    if (slow_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms_.load()));
    if (!authorised(req)) return unauthorised(res);
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || body.value("messaging_product", "") != "whatsapp") {
      return error(res, 400, 100, "Invalid parameter");
    }
    if (body.value("status", "") == "read") {
      std::lock_guard lock(mu_);
      reads_.push_back(body.value("message_id", ""));
      if (body.contains("typing_indicator")) typing_.push_back(body.value("message_id", ""));
      res.set_content(R"({"success":true})", "application/json");
      return;
    }
    const std::string number = req.matches[2];
    std::lock_guard lock(mu_);
    if (!failures_.empty()) {
      const Failure f = failures_.front();
      failures_.pop_front();
      ++failed_;
      return error(res, f.status, f.code, f.message);
    }
    if (rate_per_s_ > 0) {
      const auto now = std::chrono::steady_clock::now();
      auto& times = recent_[number];
      while (!times.empty() && now - times.front() >= std::chrono::seconds(1)) times.pop_front();
      if (static_cast<double>(times.size()) >= rate_per_s_) {
        ++failed_;
        return error(res, 400, 130429, "Rate limit hit");
      }
      times.push_back(now);
    }
    GraphSent s;
    s.version = req.matches[1];
    s.phone_number_id = number;
    s.authorization = req.get_header_value("Authorization");
    s.body = body;
    s.wamid = "wamid.S" + std::to_string(sent_.size() + 1);
    sent_.push_back(s);
    const std::string to = body.value("to", "");
    nlohmann::json out{{"messaging_product", "whatsapp"},
                       {"contacts", {{{"input", to}, {"wa_id", to}}}},
                       {"messages", {{{"id", s.wamid}}}}};
    res.set_content(out.dump(), "application/json");
  }

  std::string token_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::deque<Failure> failures_;
  std::atomic<int> slow_ms_{0};
  std::atomic<double> rate_per_s_{0};
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> recent_;
  std::map<std::string, std::pair<std::string, std::string>> media_;
  std::vector<GraphSent> sent_;
  std::vector<std::string> reads_;
  std::vector<std::string> typing_;  // the read receipts that carried a typing indicator
  std::atomic<int> attempts_{0}, failed_{0};
};

}  // namespace parley::standin
