// tests/integration/harness.cpp: see harness.hpp.
#include "harness.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace parley::it {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string relay_bin() {
#ifdef PARLEY_RELAY_BIN
  return env_or("PARLEY_RELAY_BIN", PARLEY_RELAY_BIN);
#else
  return env_or("PARLEY_RELAY_BIN", "parley-relay");
#endif
}

std::string ctl_bin() {
#ifdef PARLEY_CTL_BIN
  return env_or("PARLEY_CTL_BIN", PARLEY_CTL_BIN);
#else
  return env_or("PARLEY_CTL_BIN", "parleyctl");
#endif
}

// Short polling step used while waiting for a process state (exit, port file). This is waiting
// for a condition with a deadline, not a sleep used as synchronisation.
void poll_pause() { std::this_thread::sleep_for(5ms); }

std::string tail(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : "...\n" + s.substr(s.size() - n);
}

// Environment for a child: ours, with `extra` set on top.
std::vector<std::string> child_env(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> m;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) m[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) m[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k + "=" + v);
  return out;
}

// fork + exec with stdin from /dev/null and stdout/stderr appended to files. The child gets
// SIGKILL if the test process dies, so no relay outlives a crashed test run.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& envv,
            const std::string& out_path, const std::string& err_path) {
  std::vector<char*> av, ev;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  for (const auto& e : envv) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) throw std::runtime_error("cannot open child output files");
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(av[0], av.data(), ev.data());
    const char msg[] = "exec failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` to exit (bounded). Returns the decoded status or nullopt on timeout.
std::optional<int> wait_pid_exit(pid_t pid, Duration timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    poll_pause();
  }
}

bool tcp_connects(std::uint16_t port) {
  net::io_context ioc;
  tcp::socket s(ioc);
  beast::error_code ec;
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

// Relays alive in this process, so a failed assertion can print their stderr.
std::vector<Relay*>& live_relays() {
  static std::vector<Relay*> v;
  return v;
}

// Runs `ioc` until `done()` or the deadline. Returns done().
bool run_until(net::io_context& ioc, const std::function<bool()>& done, Duration timeout) {
  auto deadline = Clock::now() + timeout;
  while (!done()) {
    auto now = Clock::now();
    if (now >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    std::size_t n = ioc.run_one_for(deadline - now);
    if (n == 0 && ioc.stopped()) return done();  // no work left: nothing more can happen
  }
  return true;
}

std::string frame_summary(const Json& f) {
  std::string s = f.dump();
  return s.size() > 400 ? s.substr(0, 400) + "..." : s;
}

}  // namespace

std::string relay_binary() { return relay_bin(); }
std::string ctl_binary() { return ctl_bin(); }

// ---- doctest listener: print relay stderr on the first failure ---------------------------------------

struct RelayFailureListener : public doctest::IReporter {
  explicit RelayFailureListener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override { dump(); }
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData& ad) override {
    if (ad.m_failed) dump();
  }
  void log_message(const doctest::MessageData& md) override {
    if (!(md.m_severity & doctest::assertType::is_warn)) dump();  // FAIL / FAIL_CHECK
  }
  void test_case_skipped(const doctest::TestCaseData&) override {}
  static void dump() {
    for (Relay* r : live_relays()) r->report_failure();
  }
};
REGISTER_LISTENER("relay_stderr", 1, RelayFailureListener);

// ---- processes ------------------------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

bool file_exists(const std::string& path) { return std::filesystem::exists(path); }

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env, Duration timeout) {
  char tmpl[] = "/tmp/parley-it-proc-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  std::string d = tmpl;
  ProcessResult r;
  pid_t pid = spawn(argv, child_env(env), d + "/out", d + "/err");
  auto st = wait_pid_exit(pid, timeout);
  if (!st) {
    ::kill(pid, SIGKILL);
    st = wait_pid_exit(pid, kTimeout);
    r.exit_code = -1;
  } else {
    r.exit_code = *st;
  }
  r.out = read_file(d + "/out");
  r.err = read_file(d + "/err");
  std::error_code ec;
  std::filesystem::remove_all(d, ec);
  return r;
}

Relay::Relay(RelayOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/parley-it-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  data_dir_ = dir_ + "/data";
  std::filesystem::create_directories(data_dir_);
#ifdef PARLEY_SOURCE_DIR
  web_dir_ = std::string(PARLEY_SOURCE_DIR) + "/web";
#else
  web_dir_ = dir_ + "/web";
  std::filesystem::create_directories(web_dir_);
#endif
  live_relays().push_back(this);
}

Relay::~Relay() {
  auto& v = live_relays();
  v.erase(std::remove(v.begin(), v.end(), this), v.end());
  if (running()) {
    ::kill(pid_, SIGTERM);
    if (!wait_pid_exit(pid_, kTimeout)) {
      ::kill(pid_, SIGKILL);
      wait_pid_exit(pid_, kTimeout);
    }
    pid_ = -1;
  }
  const char* keep = std::getenv("PARLEY_IT_KEEP");
  if (reported_ || (keep && *keep == '1')) {
    std::cerr << "relay directory kept: " << dir_ << "\n";
  } else {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string Relay::origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string Relay::stderr_text() const { return read_file(stderr_path()); }
std::string Relay::stdout_text() const { return read_file(dir_ + "/relay.stdout"); }

void Relay::report_failure() {
  if (reported_) return;
  reported_ = true;
  // Written directly: a reporter callback or an unwinding test case cannot log doctest messages.
  std::cerr << "---- relay (pid " << pid_ << ", dir " << dir_ << ") stderr:\n"
            << tail(stderr_text(), 6000) << "\n----\n";
}

void Relay::start() {
  if (running()) throw std::runtime_error("relay already running");
  const std::string port_file = dir_ + "/port";
  std::error_code ec;
  std::filesystem::remove(port_file, ec);
  ++starts_;
  {
    std::ofstream err(stderr_path(), std::ios::app);
    err << "==== harness: start #" << starts_ << " ====\n";
  }
  std::vector<std::string> argv = {relay_bin(), "--listen", "127.0.0.1:0", "--data-dir", data_dir_,
                                   "--web-dir", web_dir_,   "--port-file", port_file};
  for (const auto& a : options_.args) argv.push_back(a);
  std::vector<std::pair<std::string, std::string>> env = {{"PARLEY_FAST_HASH", "1"}};
  if (options_.create_admin) {
    env.emplace_back("PARLEY_ADMIN_USER", kAdminUser);
    env.emplace_back("PARLEY_ADMIN_PASSWORD", kAdminPassword);
  }
  for (const auto& kv : options_.env) env.push_back(kv);
  if (!file_exists(argv[0])) throw std::runtime_error("relay binary not found: " + argv[0]);
  pid_ = spawn(argv, child_env(env), dir_ + "/relay.stdout", stderr_path());

  // Ready = the port file names a port that accepts connections. Bounded wait (20 s: the first
  // start creates the database).
  auto deadline = Clock::now() + 20s;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("relay exited during start-up (status " +
                               std::to_string(decode_status(status)) + "); stderr:\n" +
                               tail(stderr_text(), 6000));
    }
    std::string content = read_file(port_file);
    int port = 0;
    if (!content.empty() && content.find_first_not_of("0123456789 \r\n") == std::string::npos) {
      port = std::atoi(content.c_str());
    }
    if (port > 0 && port < 65536 && tcp_connects(static_cast<std::uint16_t>(port))) {
      port_ = static_cast<std::uint16_t>(port);
      return;
    }
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      wait_pid_exit(pid_, kTimeout);
      pid_ = -1;
      throw std::runtime_error("relay did not write a usable port file in time; stderr:\n" +
                               tail(stderr_text(), 6000));
    }
    poll_pause();
  }
}

int Relay::terminate() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  auto st = wait_pid_exit(pid_, 20s);
  if (!st) {
    ::kill(pid_, SIGKILL);
    wait_pid_exit(pid_, kTimeout);
    pid_ = -1;
    return -2;  // did not exit on SIGTERM
  }
  pid_ = -1;
  return *st;
}

void Relay::kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  wait_pid_exit(pid_, kTimeout);
  pid_ = -1;
}

void Relay::restart() {
  if (running()) terminate();
  start();
}

bool Relay::exited() {
  if (!running()) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return true;
  }
  return false;
}

void Relay::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> Relay::wait_exit(Duration timeout) {
  if (!running()) return std::nullopt;
  auto st = wait_pid_exit(pid_, timeout);
  if (st) pid_ = -1;
  return st;
}

ProcessResult Relay::ctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {ctl_bin(), "--db", db_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!file_exists(argv[0])) {
    ProcessResult r;
    r.err = "parleyctl not found: " + argv[0];
    return r;
  }
  return run_process(argv, {{"PARLEY_FAST_HASH", "1"}});
}

void Relay::create_user(const std::string& name, const std::string& password, const std::string& role) {
  auto r = ctl({"users", "create", name, "--role", role, "--password", password});
  if (r.exit_code != 0) {
    throw std::runtime_error("parleyctl users create failed (" + std::to_string(r.exit_code) + "): " + r.out +
                             r.err);
  }
}

Relay::ApiKeyMade Relay::create_api_key_with_id(const std::string& name, const std::string& scopes,
                                                const std::string& tenant) {
  std::vector<std::string> args;
  if (!tenant.empty()) args = {"--tenant", tenant};
  for (const char* a : {"apikey", "create"}) args.emplace_back(a);
  args.push_back(name);
  args.emplace_back("--scope");
  args.push_back(scopes);
  auto r = ctl(args);
  if (r.exit_code != 0) {
    throw std::runtime_error("parleyctl apikey create failed: " + r.out + r.err);
  }
  ApiKeyMade made;
  // The key is the longest whitespace-separated token of stdout; stderr names its id
  // ("API key ID 'NAME' ...").
  std::istringstream in(r.out);
  std::string tok;
  while (in >> tok) {
    if (tok.size() > made.key.size()) made.key = tok;
  }
  if (made.key.size() < 16) throw std::runtime_error("no API key in parleyctl output: " + r.out);
  std::istringstream err(r.err);
  std::string prev;
  while (err >> tok) {
    if (prev == "key" && made.id.empty()) made.id = tok;
    prev = tok;
  }
  return made;
}

std::string Relay::create_api_key(const std::string& name, const std::string& scopes) {
  return create_api_key_with_id(name, scopes).key;
}

std::string Relay::first_start_api_key() const {
  std::istringstream in(read_file(data_dir_ + "/first-admin.txt"));
  std::string line;
  while (std::getline(in, line)) {
    const auto at = line.find("API key:");
    if (at == std::string::npos) continue;
    std::istringstream rest(line.substr(at + 8));
    std::string key;
    rest >> key;
    return key;
  }
  return "";
}

Json Relay::counters() const {
  auto r = http(port_, "GET", "/api/v1/debug/counters");
  if (r.status != 200) {
    throw std::runtime_error("GET /api/v1/debug/counters: HTTP " + std::to_string(r.status) + " " + r.body);
  }
  return r.json();
}

// ---- HTTP ------------------------------------------------------------------------------------------

std::string HttpResult::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

Json HttpResult::json() const { return Json::parse(body, nullptr, false); }

HttpResult http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const Headers& headers, Duration timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(bhttp::field::user_agent, "parley-it");
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.keep_alive(false);
  req.prepare_payload();

  HttpResult out;
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
    if (ec) return;
    bhttp::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
      if (ec) return;
      bhttp::async_read(stream, buf, parser, [&](beast::error_code ec, std::size_t) {
        if (ec) return;
        auto& res = parser.get();
        out.status = res.result_int();
        for (const auto& f : res) {
          std::string name(f.name_string());
          std::transform(name.begin(), name.end(), name.begin(), ::tolower);
          out.headers.emplace(name, std::string(f.value()));
        }
        out.body = res.body();
      });
    });
  });
  ioc.run();  // bounded by the stream's expiry
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

HttpResult http_get(std::uint16_t port, const std::string& target, const Headers& headers) {
  return http(port, "GET", target, "", headers);
}

HttpResult http_post_json(std::uint16_t port, const std::string& target, const Json& body,
                          const Headers& headers) {
  return http(port, "POST", target, body.dump(), headers);
}

HttpResult login_request(const Relay& relay, const std::string& user, const std::string& password,
                         const Headers& headers) {
  Headers h = {{"Origin", relay.origin()}};
  h.insert(h.end(), headers.begin(), headers.end());
  return http(relay.port(), "POST", "/api/login", Json{{"username", user}, {"password", password}}.dump(), h);
}

std::string set_cookie_header(const HttpResult& r, const std::string& name) {
  for (auto [it, end] = r.headers.equal_range("set-cookie"); it != end; ++it) {
    if (it->second.rfind(name + "=", 0) == 0) return it->second;
  }
  return "";
}

std::string set_cookie_pair(const HttpResult& r, const std::string& name) {
  const std::string v = set_cookie_header(r, name);
  return v.substr(0, v.find(';'));
}

bool wait_until(const std::function<bool()>& cond, Duration timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (cond()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

std::string login(const Relay& relay, const std::string& user, const std::string& password) {
  auto r = http(relay.port(), "POST", "/api/login", Json{{"username", user}, {"password", password}}.dump(),
                {{"Origin", relay.origin()}});
  if (r.status != 200) {
    throw std::runtime_error("login as " + user + " failed: HTTP " + std::to_string(r.status) + " " + r.body);
  }
  for (auto [it, end] = r.headers.equal_range("set-cookie"); it != end; ++it) {
    const std::string& v = it->second;
    if (v.rfind("parley_session=", 0) == 0) return v.substr(0, v.find(';'));
  }
  throw std::runtime_error("login response has no parley_session cookie");
}

// ---- WebSocket ------------------------------------------------------------------------------------

struct WsClient::Impl {
  WsClient* owner;
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer rbuf;
  bool reading = false;
  int close_code = 0;
  std::string close_reason;

  explicit Impl(WsClient* o) : owner(o) {}

  void start_read() {
    if (reading || owner->closed_) return;
    reading = true;
    ws.async_read(rbuf, [this](beast::error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        owner->closed_ = true;
        if (ec == websocket::error::closed || ws.reason().code != websocket::close_code::none) {
          // A close frame was received (also when answering it failed because the relay had
          // already closed the TCP connection: the code is still the relay's).
          close_code = ws.reason().code;
          close_reason = std::string(ws.reason().reason.c_str());
        } else {
          close_code = 1006;
          close_reason = ec.message();
        }
        return;
      }
      std::string text = beast::buffers_to_string(rbuf.data());
      rbuf.consume(rbuf.size());
      Json j = Json::parse(text, nullptr, false);
      if (j.is_discarded()) j = Json{{"type", "_unparsed"}, {"raw", text}};
      owner->all_.push_back(j);
      owner->pending_.push_back(std::move(j));
      start_read();
    });
  }

  // Connect + handshake. Returns the HTTP status (101 on success) or 0 when no answer.
  int handshake(std::uint16_t port, const WsOptions& o, Duration timeout) {
    ws.set_option(websocket::stream_base::decorator([o](websocket::request_type& req) {
      req.set(bhttp::field::user_agent, "parley-it");
      if (!o.cookie.empty()) req.set(bhttp::field::cookie, o.cookie);
      if (!o.origin.empty()) req.set(bhttp::field::origin, o.origin);
      if (!o.host.empty()) req.set(bhttp::field::host, o.host);
    }));
    ws.read_message_max(64 * 1024 * 1024);
    ws.auto_fragment(false);
    bool done = false;
    beast::error_code result;
    auto res = std::make_shared<websocket::response_type>();
    beast::get_lowest_layer(ws).expires_after(timeout);
    beast::get_lowest_layer(ws).async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                              [&, res](beast::error_code ec) {
                                                if (ec) {
                                                  result = ec;
                                                  done = true;
                                                  return;
                                                }
                                                ws.async_handshake(*res, "127.0.0.1:" + std::to_string(port),
                                                                   o.target, [&, res](beast::error_code ec) {
                                                                     result = ec;
                                                                     done = true;
                                                                   });
                                              });
    run_until(
        ioc, [&] { return done; }, timeout + 1s);
    beast::get_lowest_layer(ws).expires_never();
    if (!done) return 0;
    if (!result) return 101;
    return res->result_int();
  }
};

WsClient::WsClient(std::uint16_t port, const WsOptions& options) : impl_(std::make_unique<Impl>(this)) {
  int status = impl_->handshake(port, options, kTimeout);
  if (status != 101) {
    closed_ = true;
    throw std::runtime_error("WebSocket upgrade refused or failed: HTTP " + std::to_string(status));
  }
  impl_->start_read();
}

WsClient::~WsClient() {
  if (!closed_) drop();
}

int WsClient::try_upgrade(std::uint16_t port, const WsOptions& options) {
  WsClient* none = nullptr;
  Impl impl(none);
  int status = impl.handshake(port, options, kTimeout);
  beast::error_code ec;
  beast::get_lowest_layer(impl.ws).socket().close(ec);
  return status;
}

namespace {
void write_frame(net::io_context& ioc, websocket::stream<beast::tcp_stream>& ws, bool closed,
                 const std::string& p, bool text) {
  if (closed) return;  // the relay already closed: nothing to send to
  auto payload = std::make_shared<std::string>(p);
  auto done = std::make_shared<bool>(false);
  ws.text(text);
  ws.async_write(net::buffer(*payload), [payload, done](beast::error_code, std::size_t) { *done = true; });
  // A failed write (the relay closed on us) shows up as a close on the read side.
  run_until(
      ioc, [&] { return *done; }, kTimeout);
}
}  // namespace

void WsClient::send_json(const Json& frame) { send_text(frame.dump()); }
void WsClient::send_text(const std::string& payload) {
  write_frame(impl_->ioc, impl_->ws, closed_, payload, true);
}
void WsClient::send_binary(const std::string& payload) {
  write_frame(impl_->ioc, impl_->ws, closed_, payload, false);
}

bool WsClient::pump(Duration timeout) {
  std::size_t before = all_.size();
  if (closed_) return false;
  return run_until(
             impl_->ioc, [&] { return all_.size() > before || closed_; }, timeout) &&
         all_.size() > before;
}

std::optional<Json> WsClient::next_frame(Duration timeout) {
  if (pending_.empty()) pump(timeout);
  if (pending_.empty()) return std::nullopt;
  Json j = std::move(pending_.front());
  pending_.erase(pending_.begin());
  return j;
}

std::optional<Json> WsClient::try_wait_for(const std::function<bool(const Json&)>& pred, Duration timeout) {
  auto deadline = Clock::now() + timeout;
  std::size_t scanned = 0;
  for (;;) {
    for (std::size_t i = scanned; i < pending_.size(); ++i) {
      if (pred(pending_[i])) {
        Json j = std::move(pending_[i]);
        pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
        return j;
      }
    }
    scanned = pending_.size();
    auto now = Clock::now();
    if (now >= deadline || closed_) return std::nullopt;
    if (!pump(std::chrono::duration_cast<Duration>(deadline - now))) {
      if (closed_ || Clock::now() >= deadline) {
        // One last scan of what arrived with the close.
        for (std::size_t i = scanned; i < pending_.size(); ++i) {
          if (pred(pending_[i])) {
            Json j = std::move(pending_[i]);
            pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
            return j;
          }
        }
        return std::nullopt;
      }
    }
  }
}

Json WsClient::wait_for(const std::function<bool(const Json&)>& pred, const std::string& what,
                        Duration timeout) {
  auto j = try_wait_for(pred, timeout);
  if (!j) {
    std::ostringstream ss;
    ss << "timed out / connection closed waiting for: " << what
       << (closed_ ? " (connection closed, code " : "")
       << (closed_ ? std::to_string(impl_->close_code) + ")" : "") << "\nunconsumed frames ("
       << pending_.size() << "):";
    std::size_t from = pending_.size() > 12 ? pending_.size() - 12 : 0;
    for (std::size_t i = from; i < pending_.size(); ++i) ss << "\n  " << frame_summary(pending_[i]);
    FAIL(ss.str());
  }
  return *j;
}

std::string WsClient::send_command(Json c) {
  if (!c.contains("v")) c["v"] = 1;
  if (!c.contains("id")) c["id"] = "r" + std::to_string(next_id_++);
  send_json(c);
  return c["id"].get<std::string>();
}

WsClient::Reply WsClient::wait_reply(const std::string& id, Duration timeout) {
  auto pred = [&](const Json& f) {
    auto t = f.value("type", "");
    return (t == "ack" || t == "error") && f.value("re", "") == id;
  };
  Reply r;
  r.frame = wait_for(pred, "reply to request " + id, timeout);
  return r;
}

WsClient::Reply WsClient::request(Json c, Duration timeout) {
  std::size_t mark = all_.size();
  std::string id = send_command(std::move(c));
  Reply r = wait_reply(id, timeout);
  for (std::size_t i = mark; i < all_.size(); ++i) {
    const Json& f = all_[i];
    auto t = f.value("type", "");
    if ((t == "ack" || t == "error") && f.value("re", "") == id) break;
    r.before.push_back(f);
  }
  return r;
}

int WsClient::wait_close(Duration timeout) {
  if (!closed_)
    run_until(
        impl_->ioc, [&] { return closed_; }, timeout);
  if (!closed_) return -1;
  return impl_->close_code;
}

std::string WsClient::close_reason() const { return impl_->close_reason; }

void WsClient::close() {
  if (closed_) return;
  bool done = false;
  impl_->ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  run_until(
      impl_->ioc, [&] { return done && closed_; }, kTimeout);
  if (!done || !closed_) drop();
}

void WsClient::drop() {
  beast::error_code ec;
  auto& sock = beast::get_lowest_layer(impl_->ws).socket();
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
  closed_ = true;
  // Let the aborted operations finish so nothing refers to the stream afterwards.
  impl_->ioc.restart();
  impl_->ioc.run_for(2s);
}

std::vector<Json> WsClient::take_pending() {
  std::vector<Json> out = std::move(pending_);
  pending_.clear();
  return out;
}

// ---- protocol helpers -----------------------------------------------------------------------------

Json cmd(const std::string& type, Json fields) {
  Json j = std::move(fields);
  if (!j.is_object()) j = Json::object();
  j["v"] = 1;
  j["type"] = type;
  return j;
}

std::function<bool(const Json&)> is_type(const std::string& type) {
  return [type](const Json& f) { return f.value("type", "") == type; };
}

std::function<bool(const Json&)> is_event(const std::string& type, const std::string& conversation_id) {
  return [type, conversation_id](const Json& f) {
    return f.value("type", "") == type && f.value("conversation_id", "") == conversation_id;
  };
}

std::function<bool(const Json&)> is_inbox_change(const std::string& conversation_id, const std::string& status) {
  return [conversation_id, status](const Json& f) {
    if (f.value("type", "") != "inbox.changes" || !f.contains("data")) return false;
    const Json& list = f["data"].value("conversations", Json::array());
    for (const Json& c : list) {
      if (c.value("id", "") == conversation_id && (status.empty() || c.value("status", "") == status)) return true;
    }
    return false;
  };
}

std::function<bool(const Json&)> is_message(const std::string& conversation_id, const std::string& text) {
  return [conversation_id, text](const Json& f) {
    if (f.value("type", "") != "chat.new_message" || f.value("conversation_id", "") != conversation_id)
      return false;
    const Json* m = &f;
    if (f.contains("data") && f["data"].contains("message")) m = &f["data"]["message"];
    return m->value("text", "") == text;
  };
}

Customer Customer::connect(const Relay& relay, const std::string& token, const std::string& tenant) {
  Customer c;
  c.ws = std::make_unique<WsClient>(relay.port(), WsOptions{"", relay.origin(), "/ws"});
  Json h = cmd("hello", {{"tenant", tenant}});
  if (!token.empty()) h["token"] = token;
  auto r = c.ws->request(h);
  if (!r.ok()) FAIL("hello refused: " << r.frame.dump());
  c.hello_ack = r.data();
  c.token = r.data().value("visitor_token", "");
  if (c.token.empty()) FAIL("hello ack has no visitor_token: " << r.frame.dump());
  return c;
}

std::string Customer::start(const Json& fields) {
  auto r = ws->request(cmd("chat.start", fields));
  if (!r.ok()) FAIL("chat.start refused: " << r.frame.dump());
  std::string id = r.data().value("conversation_id", "");
  if (id.empty()) FAIL("chat.start ack without conversation_id: " << r.frame.dump());
  return id;
}

WsClient::Reply Customer::send(const std::string& conversation_id, const std::string& text,
                               const std::string& client_msg_id) {
  return ws->request(
      cmd("chat.send_message", {{"conversation_id", conversation_id},
                                {"client_msg_id", client_msg_id.empty() ? unique_id("m") : client_msg_id},
                                {"text", text}}));
}

Staff Staff::connect(const Relay& relay, const std::string& user, const std::string& password) {
  return connect_cookie(relay, login(relay, user, password));
}

Staff Staff::connect_cookie(const Relay& relay, const std::string& cookie) {
  Staff s;
  s.cookie = cookie;
  s.ws = std::make_unique<WsClient>(relay.port(), WsOptions{cookie, relay.origin(), "/ws/inbox"});
  s.snapshot = s.ws->wait_for(is_type("inbox.snapshot"), "inbox.snapshot on staff connect")["data"];
  return s;
}

// ---- database ---------------------------------------------------------------------------------------

namespace {
struct Sqlite {
  sqlite3* db = nullptr;
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db, 10000);
  }
  ~Sqlite() { sqlite3_close(db); }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db) + " in " + sql);
    }
    return st;
  }
};
std::string col_text(sqlite3_stmt* st, int i) {
  auto p = sqlite3_column_text(st, i);
  return p ? reinterpret_cast<const char*>(p) : "";
}
}  // namespace

std::vector<StoredMessage> stored_messages(const Relay& relay, const std::string& conversation_id) {
  Sqlite db(relay.db_path());
  sqlite3_stmt* st = db.prepare(
      "SELECT seq, sender_role, kind, text, COALESCE(client_msg_id, '') FROM messages "
      "WHERE conversation_id = ? ORDER BY seq");
  sqlite3_bind_text(st, 1, conversation_id.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<StoredMessage> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    out.push_back(
        {sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2), col_text(st, 3), col_text(st, 4)});
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db.db));
  return out;
}

std::int64_t stored_message_count(const Relay& relay) {
  Sqlite db(relay.db_path());
  sqlite3_stmt* st = db.prepare("SELECT COUNT(*) FROM messages");
  std::int64_t n = -1;
  if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

std::int64_t db_int(const Relay& relay, const std::string& sql, const std::vector<std::string>& binds) {
  Sqlite db(relay.db_path());
  sqlite3_stmt* st = db.prepare(sql.c_str());
  for (std::size_t i = 0; i < binds.size(); ++i) {
    sqlite3_bind_text(st, static_cast<int>(i + 1), binds[i].c_str(), -1, SQLITE_TRANSIENT);
  }
  std::int64_t n = -1;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db.db));
  return n;
}

const Json& message_of(const Json& frame) {
  static const Json null_json;
  if (frame.contains("data") && frame["data"].is_object() && frame["data"].contains("message")) {
    return frame["data"]["message"];
  }
  return null_json;
}

std::vector<Json> events_of(const std::vector<Json>& frames, const std::string& conversation_id) {
  std::vector<Json> out;
  for (const auto& f : frames) {
    if (f.value("conversation_id", "") == conversation_id && f.contains("seq") && f["seq"].is_number() &&
        f["seq"].get<std::int64_t>() > 0) {
      out.push_back(f);
    }
  }
  return out;
}

std::int64_t max_seq(const std::vector<Json>& frames, const std::string& conversation_id) {
  std::int64_t m = 0;
  for (const auto& f : events_of(frames, conversation_id)) m = std::max(m, f["seq"].get<std::int64_t>());
  return m;
}

void flush(WsClient& ws) {
  auto r = ws.request(cmd("ping"));
  if (!r.ok()) FAIL("ping not acked: " << r.frame.dump());
}

std::string unique_id(const std::string& prefix) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t salt = std::random_device{}();
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(salt % 100000) + "-" +
         std::to_string(++counter);
}

}  // namespace parley::it
