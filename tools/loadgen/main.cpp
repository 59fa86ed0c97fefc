// parley-loadgen: a load generator for the relay (docs/benchmarks.md, tools/bench.sh).
//
// It opens C conversations, each with its own customer WebSocket (hello + chat.start), hands them
// to agent WebSockets (chat.join + chat.accept; all agent sockets share one staff login), then has
// every customer send M messages: closed loop (the next message after the ack of the previous one)
// or open loop (a fixed total rate, --rate). For every message it measures the time from the
// customer's send to the agent's receipt of the matching chat.new_message (matched by
// client_msg_id), and reports throughput, latency percentiles, lost messages (acknowledged to the
// customer but never delivered to the agent) and the relay's peak memory and CPU time (from /proc,
// with --relay-pid). Optional idle customer sockets (--idle) are held open during the run.
//
// One thread, asynchronous Beast. Loopback only (127.0.0.1). The tenant's assistant should be off
// (parleyctl) so chats start pending; otherwise the agent takes over with chat.handoff.
//
// Output: a human summary, then one line of JSON (prefixed "RESULT ").
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::uint16_t port = 0;
  int conversations = 100;
  int agents = 0;  // agent sockets; 0 = one per conversation
  int messages = 200;
  double rate = 0;  // total messages/s; 0 = closed loop
  int idle = 0;     // extra idle customer sockets (hello only) held during the run
  std::string cookie, user, password;
  int relay_pid = 0;
  int max_connecting = 200;  // sockets being opened at once
  double timeout_s = 600;    // whole run
  double drain_s = 10;       // after the last ack, wait this long for deliveries
  std::string label;
};

void usage() {
  std::cerr << "usage: parley-loadgen --port P [--conversations C] [--agents A] [--messages M]\n"
               "         [--rate R (msgs/s total; default closed loop)] [--idle N]\n"
               "         (--cookie 'parley_session=...' | --user U --password PW) [--relay-pid PID]\n"
               "         [--max-connecting K] [--timeout S] [--drain S] [--label TEXT]\n";
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--port")
      o.port = static_cast<std::uint16_t>(std::stoi(next()));
    else if (a == "--conversations" || a == "-c")
      o.conversations = std::stoi(next());
    else if (a == "--agents")
      o.agents = std::stoi(next());
    else if (a == "--messages" || a == "-m")
      o.messages = std::stoi(next());
    else if (a == "--rate")
      o.rate = std::stod(next());
    else if (a == "--idle")
      o.idle = std::stoi(next());
    else if (a == "--cookie")
      o.cookie = next();
    else if (a == "--user")
      o.user = next();
    else if (a == "--password")
      o.password = next();
    else if (a == "--relay-pid")
      o.relay_pid = std::stoi(next());
    else if (a == "--max-connecting")
      o.max_connecting = std::stoi(next());
    else if (a == "--timeout")
      o.timeout_s = std::stod(next());
    else if (a == "--drain")
      o.drain_s = std::stod(next());
    else if (a == "--label")
      o.label = next();
    else if (a == "--help" || a == "-h")
      return std::nullopt;
    else
      throw std::runtime_error("unknown option " + a);
  }
  if (o.port == 0) throw std::runtime_error("--port is required");
  if (o.conversations < 0 || o.messages < 0 || o.idle < 0) throw std::runtime_error("negative counts");
  if (o.agents <= 0 || o.agents > o.conversations) o.agents = std::max(1, o.conversations);
  if (o.cookie.empty() && o.user.empty() && o.conversations > 0) {
    throw std::runtime_error("--cookie or --user/--password is required");
  }
  return o;
}

// CPU seconds (user + system) used by this process so far.
double own_cpu_s() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

void raise_fd_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// ---- relay process statistics (/proc) -------------------------------------------------------------

struct ProcStats {
  bool ok = false;
  double vm_hwm_mb = 0, vm_rss_mb = 0, cpu_s = 0;
  int threads = 0;
};

ProcStats read_proc(int pid) {
  ProcStats s;
  if (pid <= 0) return s;
  std::ifstream st("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(st, line)) {
    auto kb = [&](const char* key) { return std::atof(line.c_str() + std::strlen(key)) / 1024.0; };
    if (line.rfind("VmHWM:", 0) == 0) s.vm_hwm_mb = kb("VmHWM:");
    if (line.rfind("VmRSS:", 0) == 0) s.vm_rss_mb = kb("VmRSS:");
    if (line.rfind("Threads:", 0) == 0) s.threads = std::atoi(line.c_str() + 8);
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto rp = all.rfind(')');
  if (rp == std::string::npos) return s;
  std::istringstream fields(all.substr(rp + 2));
  std::vector<std::string> f;
  std::string x;
  while (fields >> x) f.push_back(x);
  // After "(comm) ": state is field 3 -> index 0; utime is field 14 -> index 11; stime 15 -> 12.
  if (f.size() > 12) {
    double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    s.cpu_s = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    s.ok = true;
  }
  return s;
}

// ---- one WebSocket connection ---------------------------------------------------------------------

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  explicit Conn(net::io_context& ioc) : ws_(ioc) {}
  std::function<void(std::string_view)> on_text;
  std::function<void(int)> on_close;

  void open(std::uint16_t port, const std::string& cookie, std::function<void(beast::error_code)> done) {
    auto self = shared_from_this();
    std::string origin = "http://127.0.0.1:" + std::to_string(port);
    ws_.set_option(websocket::stream_base::decorator([cookie, origin](websocket::request_type& req) {
      req.set(bhttp::field::origin, origin);
      if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
    }));
    ws_.read_message_max(16 * 1024 * 1024);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
        [this, self, port, done, staff = !cookie.empty()](beast::error_code ec) {
          if (ec) return done(ec);
          beast::error_code ignored;
          beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
          ws_.async_handshake("127.0.0.1:" + std::to_string(port), staff ? "/ws/inbox" : "/ws",
                              [this, self, done](beast::error_code ec) {
                                beast::get_lowest_layer(ws_).expires_never();
                                if (!ec) read();
                                done(ec);
                              });
        });
  }

  void send(std::string text) {
    if (closed_) return;
    out_.push_back(std::move(text));
    if (!writing_) write();
  }

  bool closed() const { return closed_; }

 private:
  void read() {
    ws_.async_read(buf_, [this, self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        closed_ = true;
        int code = ec == websocket::error::closed ? ws_.reason().code : 1006;
        if (on_close) on_close(code);
        return;
      }
      auto data = buf_.cdata();
      std::string_view text(static_cast<const char*>(data.data()), data.size());
      if (on_text) on_text(text);
      buf_.consume(buf_.size());
      read();
    });
  }
  void write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(out_.front()),
                    [this, self = shared_from_this()](beast::error_code ec, std::size_t) {
                      out_.pop_front();
                      if (ec) {
                        writing_ = false;
                        out_.clear();
                        return;
                      }
                      if (!out_.empty())
                        write();
                      else
                        writing_ = false;
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::deque<std::string> out_;
  bool writing_ = false;
  bool closed_ = false;
};

// A cheap filter before parsing: does the frame's text contain `needle` ("type":"<type>", see
// type_is)? (Message texts are the load generator's own, so they never contain such a string.)
// The hot path never builds a JSON DOM: it finds the few fields it needs in the text.
bool looks_like(std::string_view text, std::string_view needle) { return text.find(needle) != std::string_view::npos; }
#define type_is(t) "\"type\":\"" t "\""

// The string value of the first "key":"..." in `text` (no escapes: the load generator's own ids),
// or "" when absent.
std::string_view string_field(std::string_view text, std::string_view quoted_key_colon_quote) {
  const auto at = text.find(quoted_key_colon_quote);
  if (at == std::string_view::npos) return {};
  const auto from = at + quoted_key_colon_quote.size();
  const auto to = text.find('"', from);
  return to == std::string_view::npos ? std::string_view{} : text.substr(from, to - from);
}

// Appends the decimal digits of `n` (n >= 0).
void append_int(std::string& out, int n) {
  char buf[16];
  int len = std::snprintf(buf, sizeof buf, "%d", n);
  out.append(buf, static_cast<std::size_t>(len));
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t idx = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  idx = std::min(v.size() - 1, idx == 0 ? 0 : idx - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

std::string login(std::uint16_t port, const std::string& user, const std::string& password) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/api/login", 11};
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(bhttp::field::origin, "http://127.0.0.1:" + std::to_string(port));
  req.set(bhttp::field::content_type, "application/json");
  req.body() = Json{{"username", user}, {"password", password}}.dump();
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buf, res);
  if (res.result_int() != 200)
    throw std::runtime_error("login failed: HTTP " + std::to_string(res.result_int()));
  for (const auto& f : res) {
    if (f.name() == bhttp::field::set_cookie) {
      std::string v(f.value());
      if (v.rfind("parley_session=", 0) == 0) return v.substr(0, v.find(';'));
    }
  }
  throw std::runtime_error("login response without parley_session cookie");
}

// ---- the run ------------------------------------------------------------------------------------------

class Run {
 public:
  Run(net::io_context& ioc, Options o)
      : ioc_(ioc), o_(std::move(o)), tick_(ioc), deadline_(ioc), drain_(ioc), progress_(ioc) {
    customers_.resize(static_cast<std::size_t>(o_.conversations));
    agents_.resize(static_cast<std::size_t>(o_.agents));
    sent_at_.assign(customers_.size(), std::vector<std::int64_t>(static_cast<std::size_t>(o_.messages), 0));
    got_.assign(customers_.size(), std::vector<char>(static_cast<std::size_t>(o_.messages), 0));
  }

  void start() {
    t0_ = Clock::now();
    deadline_.expires_after(std::chrono::milliseconds(static_cast<std::int64_t>(o_.timeout_s * 1000)));
    deadline_.async_wait([this](beast::error_code ec) {
      if (!ec) finish("timeout");
    });
    report_progress();
    // Phase 1: idle sockets, then customers (hello + chat.start).
    for (int i = 0; i < o_.idle; ++i) connect_queue_.push_back([this] { open_idle(); });
    for (int i = 0; i < o_.conversations; ++i) connect_queue_.push_back([this, i] { open_customer(i); });
    if (connect_queue_.empty()) return after_customers();
    pump_connects();
  }

  int exit_code() const { return exit_code_; }

 private:
  struct Customer {
    std::shared_ptr<Conn> conn;
    std::string cid;
    int next = 0;  // next message index to send
    int acked = 0;
  };
  struct Agent {
    std::shared_ptr<Conn> conn;
    std::vector<int> convs;
    int accepted = 0;
  };

  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count();
  }
  double secs(std::int64_t ns) const { return static_cast<double>(ns) / 1e9; }

  // One line on stderr every 2 s, so a stuck phase is visible.
  void report_progress() {
    progress_.expires_after(std::chrono::seconds(2));
    progress_.async_wait([this](beast::error_code ec) {
      if (ec || finished_) return;
      std::fprintf(stderr,
                   "loadgen: %.0fs sockets %d, idle ready %d/%d, customers ready %d/%d, accepted %d/%d, "
                   "sent %lld, acked %lld, received %lld, closed %d\n",
                   secs(now_ns()), sockets_open_, idle_ready_, o_.idle, customers_ready_, o_.conversations,
                   accepted_, o_.conversations, static_cast<long long>(sent_), static_cast<long long>(acked_),
                   static_cast<long long>(received_), closed_count_);
      report_progress();
    });
  }

  // Opens at most max_connecting sockets at once.
  void pump_connects() {
    while (connecting_ < o_.max_connecting && !connect_queue_.empty()) {
      auto f = std::move(connect_queue_.front());
      connect_queue_.pop_front();
      ++connecting_;
      f();
    }
  }
  void connect_done() {
    --connecting_;
    pump_connects();
  }

  void fail(const std::string& what) {
    std::cerr << "loadgen: " << what << "\n";
    finish("error: " + what);
  }

  void open_idle() {
    auto c = std::make_shared<Conn>(ioc_);
    idle_conns_.push_back(c);
    c->on_text = [this, c](std::string_view text) {
      if (looks_like(text, type_is("ack"))) {
        ++idle_ready_;
        connect_done();
        maybe_customers_ready();
      } else if (looks_like(text, type_is("error"))) {
        fail("idle hello refused: " + std::string(text));
      }
    };
    c->on_close = [this](int code) { note_close(code); };
    c->open(o_.port, "", [this, c](beast::error_code ec) {
      if (ec) return fail("idle connect: " + ec.message());
      ++sockets_open_;
      c->send(R"({"v":1,"type":"hello","id":"h","tenant":"default"})");
    });
  }

  void open_customer(int i) {
    auto& cu = customers_[static_cast<std::size_t>(i)];
    cu.conn = std::make_shared<Conn>(ioc_);
    auto* conn = cu.conn.get();
    conn->on_text = [this, i](std::string_view text) { on_customer_frame(i, text); };
    conn->on_close = [this](int code) { note_close(code); };
    conn->open(o_.port, "", [this, conn, i](beast::error_code ec) {
      if (ec) return fail("customer connect: " + ec.message());
      ++sockets_open_;
      conn->send(R"({"v":1,"type":"hello","id":"h","tenant":"default"})");
      (void)i;
    });
  }

  void on_customer_frame(int i, std::string_view text) {
    const bool ack = looks_like(text, type_is("ack"));
    const bool err = !ack && looks_like(text, type_is("error"));
    if (!ack && !err) return;  // events (agent messages): not measured on this side
    if (ack) {
      // The hot path: the ack of a message ("re":"s<k>"; it may carry the stored event).
      const std::string_view re = string_field(text, "\"re\":\"");
      if (re.size() > 1 && re[0] == 's' && re[1] >= '0' && re[1] <= '9') {
        ++acked_;
        return on_customer_acked(i);
      }
    }
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded()) return;
    const std::string re = j.value("re", "");
    auto& cu = customers_[static_cast<std::size_t>(i)];
    if (err) {
      ++errors_[j.value("code", "?")];
      if (re == "h" || re == "st")
        fail("customer setup refused: " + std::string(text));
      else if (!re.empty() && re[0] == 's')
        on_customer_acked(i);  // counted as answered, not delivered
      return;
    }
    if (re == "h") {
      cu.conn->send(
          Json{{"v", 1}, {"type", "chat.start"}, {"id", "st"}, {"name", "Load " + std::to_string(i)}}.dump());
    } else if (re == "st") {
      cu.cid = j["data"].value("conversation_id", "");
      cid_index_[cu.cid] = i;
      ++customers_ready_;
      connect_done();
      maybe_customers_ready();
    } else if (!re.empty() && re[0] == 's') {
      ++acked_;
      on_customer_acked(i);
    }
  }

  void maybe_customers_ready() {
    if (customers_ready_ == o_.conversations && idle_ready_ == o_.idle && !customers_done_) {
      customers_done_ = true;
      after_customers();
    }
  }

  // Phase 2: agents join and accept.
  void after_customers() {
    setup_customers_s_ = secs(now_ns());
    if (o_.conversations == 0) return start_messages();
    for (int i = 0; i < o_.conversations; ++i)
      agents_[static_cast<std::size_t>(i % o_.agents)].convs.push_back(i);
    for (int a = 0; a < o_.agents; ++a) connect_queue_.push_back([this, a] { open_agent(a); });
    pump_connects();
  }

  void open_agent(int a) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    ag.conn = std::make_shared<Conn>(ioc_);
    auto* conn = ag.conn.get();
    conn->on_text = [this, a](std::string_view text) { on_agent_frame(a, text); };
    conn->on_close = [this](int code) { note_close(code); };
    conn->open(o_.port, o_.cookie, [this, a](beast::error_code ec) {
      if (ec) return fail("agent connect: " + ec.message());
      ++sockets_open_;
      (void)a;
    });
  }

  void on_agent_frame(int a, std::string_view text) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    if (looks_like(text, type_is("inbox.changes"))) return;  // list updates: not measured
    if (looks_like(text, type_is("chat.new_message"))) {
      // Only the customers' messages are measured.
      const std::string_view cmid = string_field(text, "\"client_msg_id\":\"");
      if (cmid.empty() || cmid[0] != 'm') return;
      const std::int64_t t = now_ns();
      int ci = -1, k = -1;
      if (std::sscanf(std::string(cmid).c_str(), "m%d_%d", &ci, &k) != 2) return;
      if (ci < 0 || ci >= o_.conversations || k < 0 || k >= o_.messages) return;
      auto& flag = got_[static_cast<std::size_t>(ci)][static_cast<std::size_t>(k)];
      if (flag) {
        ++duplicates_;
        return;
      }
      flag = 1;
      ++received_;
      last_receipt_ns_ = t;
      latencies_ms_.push_back(
          static_cast<double>(t - sent_at_[static_cast<std::size_t>(ci)][static_cast<std::size_t>(k)]) / 1e6);
      check_done();
      return;
    }
    if (looks_like(text, type_is("inbox.snapshot"))) {
      // Connected: join and accept this agent's conversations.
      for (int i : ag.convs) {
        const auto& cid = customers_[static_cast<std::size_t>(i)].cid;
        ag.conn->send(Json{
            {"v", 1},
            {"type", "chat.join"},
            {"id", "j" + std::to_string(i)},
            {"conversation_id", cid},
            {"after_seq",
             0}}.dump());
        ag.conn->send(
            Json{{"v", 1}, {"type", "chat.accept"}, {"id", "a" + std::to_string(i)}, {"conversation_id", cid}}
                .dump());
      }
      connect_done();
      return;
    }
    const bool ack = looks_like(text, type_is("ack"));
    const bool err = !ack && looks_like(text, type_is("error"));
    if (!ack && !err) return;  // inbox.changes notices and other events
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded()) return;
    const std::string re = j.value("re", "");
    if (re.empty()) return;
    const int i = std::atoi(re.c_str() + 1);
    if (re[0] == 'j') {
      if (err) fail("join refused: " + std::string(text));
    } else if (re[0] == 'a' || re[0] == 'o') {
      if (err && re[0] == 'a' && j.value("code", "") == "invalid_transition") {
        // The assistant is on: take over from it instead.
        ag.conn->send(Json{
            {"v", 1},
            {"type", "chat.handoff"},
            {"id", "o" + std::to_string(i)},
            {"conversation_id", customers_[static_cast<std::size_t>(i)].cid},
            {"reason",
             "loadgen"}}.dump());
        return;
      }
      if (err) return fail("accept refused: " + std::string(text));
      ++ag.accepted;
      if (++accepted_ == o_.conversations) start_messages();
    }
  }

  // Phase 3: messages.
  void start_messages() {
    setup_s_ = secs(now_ns());
    stats_before_ = read_proc(o_.relay_pid);
    own_cpu_before_ = own_cpu_s();
    msg_t0_ = now_ns();
    if (o_.messages == 0 || o_.conversations == 0) return finish("done");
    if (o_.rate <= 0) {
      for (int i = 0; i < o_.conversations; ++i) send_next(i);
    } else {
      tick();
    }
  }

  void send_next(int i) {
    auto& cu = customers_[static_cast<std::size_t>(i)];
    if (cu.next >= o_.messages) return;
    const int k = cu.next++;
    ++sent_;
    sent_at_[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)] = now_ns();
    // Built as text (ids and texts need no escaping): the same frame Json{...}.dump() gives.
    std::string f;
    f.reserve(200);
    f += R"({"v":1,"type":"chat.send_message","id":"s)";
    append_int(f, k);
    f += R"(","conversation_id":")";
    f += cu.cid;
    f += R"(","client_msg_id":"m)";
    append_int(f, i);
    f += '_';
    append_int(f, k);
    f += R"(","text":"load message )";
    append_int(f, k);
    f += " of conversation ";
    append_int(f, i);
    f += R"("})";
    cu.conn->send(std::move(f));
  }

  void on_customer_acked(int i) {
    auto& cu = customers_[static_cast<std::size_t>(i)];
    ++cu.acked;
    ++answered_;
    if (o_.rate <= 0) send_next(i);
    check_done();
  }

  // Open loop: every millisecond, send what the target rate says is due, round-robin.
  void tick() {
    const std::int64_t total = static_cast<std::int64_t>(o_.conversations) * o_.messages;
    const double elapsed = secs(now_ns() - msg_t0_);
    const std::int64_t due = std::min<std::int64_t>(total, static_cast<std::int64_t>(elapsed * o_.rate));
    while (sent_ < due) {
      for (int tries = 0; tries < o_.conversations; ++tries) {
        int i = rr_++ % o_.conversations;
        if (customers_[static_cast<std::size_t>(i)].next < o_.messages) {
          send_next(i);
          break;
        }
      }
    }
    if (sent_ < total) {
      tick_.expires_after(std::chrono::milliseconds(1));
      tick_.async_wait([this](beast::error_code ec) {
        if (!ec) tick();
      });
    }
  }

  void check_done() {
    const std::int64_t total = static_cast<std::int64_t>(o_.conversations) * o_.messages;
    if (finished_) return;
    if (answered_ == total && received_ == acked_) return finish("done");
    if (answered_ == total && !draining_) {
      draining_ = true;
      drain_.expires_after(std::chrono::milliseconds(static_cast<std::int64_t>(o_.drain_s * 1000)));
      drain_.async_wait([this](beast::error_code ec) {
        if (!ec) finish("drained");
      });
    }
  }

  void note_close(int code) {
    if (finished_) return;
    ++closes_[code];
    ++closed_count_;
    // A socket lost before the message phase leaves the setup waiting forever: stop instead.
    if (msg_t0_ == 0) fail("a socket was closed during setup (code " + std::to_string(code) + ")");
  }

  void finish(const std::string& why) {
    if (finished_) return;
    finished_ = true;
    end_reason_ = why;
    const std::int64_t end = now_ns();
    ProcStats after = read_proc(o_.relay_pid);
    tick_.cancel();
    deadline_.cancel();
    progress_.cancel();
    drain_.cancel();

    std::vector<double> lat = latencies_ms_;
    const double p50 = percentile(lat, 50), p90 = percentile(lat, 90), p99 = percentile(lat, 99);
    const double mx = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
    const double window = secs((last_receipt_ns_ > msg_t0_ ? last_receipt_ns_ : end) - msg_t0_);
    const double mps = window > 0 ? static_cast<double>(received_) / window : 0;
    const std::int64_t lost = acked_ - received_;
    Json errors = Json::object();
    for (const auto& [k, v] : errors_) errors[k] = v;
    Json closes = Json::object();
    for (const auto& [k, v] : closes_) closes[std::to_string(k)] = v;

    Json r = {{"label", o_.label},
              {"conversations", o_.conversations},
              {"agent_sockets", o_.agents},
              {"idle_sockets", o_.idle},
              {"sockets", sockets_open_},
              {"messages_per_conversation", o_.messages},
              {"mode", o_.rate > 0 ? "open" : "closed"},
              {"target_rate", o_.rate},
              {"setup_s", setup_s_},
              {"sent", sent_},
              {"acked", acked_},
              {"received", received_},
              {"lost", lost},
              {"duplicates", duplicates_},
              {"errors", errors},
              {"closes", closes},
              {"duration_s", window},
              {"msgs_per_s", mps},
              {"latency_ms", {{"p50", p50}, {"p90", p90}, {"p99", p99}, {"max", mx}}},
              {"loadgen_cpu_s_messages", own_cpu_s() - own_cpu_before_},
              {"end", why}};
    if (after.ok) {
      r["relay"] = {{"pid", o_.relay_pid},
                    {"vm_hwm_mb", after.vm_hwm_mb},
                    {"vm_rss_mb", after.vm_rss_mb},
                    {"threads", after.threads},
                    {"cpu_s_total", after.cpu_s},
                    {"cpu_s_messages", stats_before_.ok ? after.cpu_s - stats_before_.cpu_s : 0}};
    }

    std::printf("parley-loadgen %s\n", o_.label.c_str());
    std::printf("  sockets:      %d open (%d customers, %d agents, %d idle); setup %.2f s\n", sockets_open_,
                o_.conversations, o_.agents, o_.idle, setup_s_);
    std::printf(
        "  messages:     %lld sent, %lld acked, %lld received by agents, %lld lost, %lld duplicates\n",
        static_cast<long long>(sent_), static_cast<long long>(acked_), static_cast<long long>(received_),
        static_cast<long long>(lost), static_cast<long long>(duplicates_));
    std::printf("  mode:         %s", o_.rate > 0 ? "open loop" : "closed loop");
    if (o_.rate > 0) std::printf(" at %.0f msgs/s", o_.rate);
    std::printf("\n  throughput:   %.0f msgs/s over %.2f s\n", mps, window);
    std::printf(
        "  latency:      p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (send -> agent receipt)\n", p50,
        p90, p99, mx);
    if (after.ok) {
      std::printf(
          "  relay:        peak RSS %.1f MB, RSS %.1f MB, CPU %.2f s during messages (%.2f s total)\n",
          after.vm_hwm_mb, after.vm_rss_mb, stats_before_.ok ? after.cpu_s - stats_before_.cpu_s : 0.0,
          after.cpu_s);
    }
    std::printf("  loadgen:      CPU %.2f s during messages\n", own_cpu_s() - own_cpu_before_);
    if (!errors_.empty()) std::printf("  errors:       %s\n", errors.dump().c_str());
    if (!closes_.empty()) std::printf("  closes:       %s\n", closes.dump().c_str());
    std::printf("  end:          %s\n", why.c_str());
    std::printf("RESULT %s\n", r.dump().c_str());
    std::fflush(stdout);
    exit_code_ = (why == "done" || why == "drained") && lost == 0 ? 0 : 1;
    ioc_.stop();
  }

  net::io_context& ioc_;
  Options o_;
  net::steady_timer tick_, deadline_, drain_, progress_;
  Clock::time_point t0_;
  std::vector<Customer> customers_;
  std::vector<Agent> agents_;
  std::vector<std::shared_ptr<Conn>> idle_conns_;
  std::map<std::string, int> cid_index_;
  std::deque<std::function<void()>> connect_queue_;
  int connecting_ = 0;
  int sockets_open_ = 0;
  int idle_ready_ = 0;
  int customers_ready_ = 0;
  bool customers_done_ = false;
  int accepted_ = 0;
  double setup_customers_s_ = 0, setup_s_ = 0;
  std::int64_t msg_t0_ = 0, last_receipt_ns_ = 0;
  std::vector<std::vector<std::int64_t>> sent_at_;
  std::vector<std::vector<char>> got_;
  std::vector<double> latencies_ms_;
  std::int64_t sent_ = 0, acked_ = 0, answered_ = 0, received_ = 0, duplicates_ = 0;
  int rr_ = 0;
  int closed_count_ = 0;
  std::map<std::string, int> errors_;
  std::map<int, int> closes_;
  bool draining_ = false, finished_ = false;
  std::string end_reason_;
  ProcStats stats_before_;
  double own_cpu_before_ = 0;
  int exit_code_ = 1;
};

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> o;
  try {
    o = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "parley-loadgen: " << e.what() << "\n";
    usage();
    return 2;
  }
  if (!o) {
    usage();
    return 0;
  }
  raise_fd_limit();
  try {
    if (o->cookie.empty() && !o->user.empty()) o->cookie = login(o->port, o->user, o->password);
  } catch (const std::exception& e) {
    std::cerr << "parley-loadgen: " << e.what() << "\n";
    return 1;
  }
  net::io_context ioc(1);
  Run run(ioc, *o);
  run.start();
  ioc.run();
  return run.exit_code();
}
