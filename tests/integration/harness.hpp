// tests/integration/harness.hpp: the integration-test harness. Starts the real relay binary as a
// child process on port 0 with its own temporary data directory, and talks to it over loopback
// with real clients: a WebSocket client (Boost.Beast, driven synchronously with bounded waits) and a
// small HTTP client.
//
// Rules the harness keeps (tests/ CI hygiene): every wait is for a state with a generous timeout
// (kTimeout, 10 s), never a fixed sleep; a timeout fails the test with what was seen so far; nothing
// asserts how long something took. On a failed assertion the relay's stderr is printed and the
// temporary directory is kept (set PARLEY_IT_KEEP=1 to keep it always).
//
// The JSON frames are built and read with nlohmann::json directly (not with shared/'s codecs), so
// the tests check the wire format of docs/protocol.md independently of the relay's own code.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parley::it {

using Json = nlohmann::json;
using namespace std::chrono_literals;
using Duration = std::chrono::milliseconds;

inline constexpr Duration kTimeout = 10s;

// Passwords used by the harness's users.
inline constexpr const char* kAdminUser = "admin";
inline constexpr const char* kAdminPassword = "admin-password-1";

// ---- processes ------------------------------------------------------------------------------------

struct ProcessResult {
  int exit_code = -1;  // -1 when it could not be run or was killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};
// Runs `argv` to completion (bounded by `timeout`; killed past it), capturing stdout and stderr.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env = {},
                          Duration timeout = 30s);

// The relay and parleyctl binaries the harness runs (PARLEY_RELAY_BIN / PARLEY_CTL_BIN override).
std::string relay_binary();
std::string ctl_binary();

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
bool file_exists(const std::string& path);

struct RelayOptions {
  std::vector<std::string> args;                         // extra command-line flags
  std::vector<std::pair<std::string, std::string>> env;  // extra environment
  bool create_admin = true;                              // PARLEY_ADMIN_USER/PASSWORD on first start

  static RelayOptions with_args(std::vector<std::string> a) {
    RelayOptions o;
    o.args = std::move(a);
    return o;
  }
};

// One relay process with its own temporary data directory. Not copyable; destroying it stops the
// process (SIGTERM, then SIGKILL if it does not exit) and removes the directory.
class Relay {
 public:
  explicit Relay(RelayOptions options = {});
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Starts the process and waits (bounded) until it has written its port file. Throws (with the
  // relay's stderr in the message) when it exits or does not get ready in time.
  void start();
  // SIGTERM and wait for the exit. Returns the exit status (128+signal when killed by a signal).
  int terminate();
  // SIGKILL and reap: a crash.
  void kill9();
  // terminate() (if running) and start() again on the same data directory.
  void restart();
  bool running() const { return pid_ > 0; }
  // True when the process has exited on its own (reaps it).
  bool exited();
  // kill(pid, sig) without waiting, and a bounded wait for the exit (status, or nullopt on timeout).
  void signal(int sig);
  std::optional<int> wait_exit(Duration timeout = 20s);

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::string origin() const;  // "http://127.0.0.1:PORT"
  const std::string& dir() const { return dir_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string db_path() const { return data_dir_ + "/parley.db"; }
  std::string stderr_text() const;
  std::string stderr_path() const { return dir_ + "/relay.stderr"; }
  std::string stdout_text() const;  // everything the relay wrote to stdout (a file, not a terminal)

  // parleyctl --db DB ARGS... (before or while the relay runs).
  ProcessResult ctl(const std::vector<std::string>& args) const;
  // parleyctl users create NAME --role ROLE --password PW; throws on failure.
  void create_user(const std::string& name, const std::string& password, const std::string& role = "agent");
  // A fresh API key (parleyctl apikey create NAME --scope SCOPES; throws on failure). The
  // default scope is what /api/chat/sync needs.
  std::string create_api_key(const std::string& name = "it", const std::string& scopes = "sync");
  struct ApiKeyMade {
    std::string key;  // the secret (printed once on stdout)
    std::string id;   // its id (named on stderr), for list / revoke
  };
  // `tenant`: a tenant slug ("" = the default tenant).
  ApiKeyMade create_api_key_with_id(const std::string& name, const std::string& scopes = "sync",
                                    const std::string& tenant = "");
  // The API key the first start wrote to data/first-admin.txt ("" when absent).
  std::string first_start_api_key() const;
  // GET /api/v1/debug/counters (the relay must run with --test-counters true).
  Json counters() const;

  // Dumps stderr to the test output once (called by the failure listener).
  void report_failure();

 private:
  RelayOptions options_;
  std::string dir_, data_dir_, web_dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int starts_ = 0;
  bool reported_ = false;
};

// ---- HTTP ------------------------------------------------------------------------------------------

struct HttpResult {
  int status = 0;                                   // 0: no answer (connection failed / timed out)
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_name) const;  // first value or ""
  Json json() const;                                        // parsed body (discarded value when not JSON)
};
using Headers = std::vector<std::pair<std::string, std::string>>;
HttpResult http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = "", const Headers& headers = {}, Duration timeout = kTimeout);
HttpResult http_get(std::uint16_t port, const std::string& target, const Headers& headers = {});
HttpResult http_post_json(std::uint16_t port, const std::string& target, const Json& body,
                          const Headers& headers = {});

// POST /api/login; returns the cookie pair "parley_session=VALUE" (throws when login fails).
std::string login(const Relay& relay, const std::string& user, const std::string& password);
// POST /api/login with the relay's Origin plus `headers`; the whole answer.
HttpResult login_request(const Relay& relay, const std::string& user, const std::string& password,
                         const Headers& headers = {});
// The "NAME=VALUE" pair of the Set-Cookie header setting cookie `name` ("" when none).
std::string set_cookie_pair(const HttpResult& r, const std::string& name);
// The whole Set-Cookie header value for cookie `name` ("" when none).
std::string set_cookie_header(const HttpResult& r, const std::string& name);

// Polls `cond` (every few ms) until it holds or `timeout` passes; returns whether it held. A
// bounded wait for a state, never a fixed sleep.
bool wait_until(const std::function<bool()>& cond, Duration timeout = kTimeout);

// ---- WebSocket ------------------------------------------------------------------------------------

struct WsOptions {
  std::string cookie;  // Cookie header ("" = none)
  std::string origin;  // Origin header ("" = none)
  std::string target = "/ws";
  std::string host;    // Host header ("" = 127.0.0.1:PORT)
};

// A WebSocket client driven synchronously: each call runs the client's own event loop until its
// condition holds or the timeout passes. Reading runs continuously in the background of those
// calls, so frames are never missed; every frame received is kept in `all()`.
class WsClient {
 public:
  // Connects and completes the handshake; throws when refused (the message has the HTTP status).
  WsClient(std::uint16_t port, const WsOptions& options = {});
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Tries the upgrade and returns the HTTP status of the answer (101 on success, then closes).
  static int try_upgrade(std::uint16_t port, const WsOptions& options);

  void send_json(const Json& frame);
  void send_text(const std::string& payload);  // any bytes, as a text frame
  void send_binary(const std::string& payload);

  // The next unconsumed frame, or nullopt on timeout / when the connection is closed.
  std::optional<Json> next_frame(Duration timeout = kTimeout);
  // Consumes and returns the first unconsumed frame matching `pred` (earlier non-matching frames
  // stay unconsumed). Fails the test (doctest FAIL) on timeout or close, printing `what`.
  Json wait_for(const std::function<bool(const Json&)>& pred, const std::string& what,
                Duration timeout = kTimeout);
  // Like wait_for, but returns nullopt instead of failing.
  std::optional<Json> try_wait_for(const std::function<bool(const Json&)>& pred, Duration timeout);

  struct Reply {
    Json frame;                // the ack or error answering the request
    std::vector<Json> before;  // frames that arrived after sending it and before the reply
                               // (copies: they also stay unconsumed for wait_for)
    bool ok() const { return frame.value("type", "") == "ack"; }
    const Json& data() const { return frame["data"]; }
    std::string code() const { return frame.value("code", ""); }
  };
  // Sends a command with a fresh request id (set unless `cmd` has one; "v":1 added) and waits for
  // its ack or error. Fails the test on timeout.
  Reply request(Json cmd, Duration timeout = kTimeout);
  // Sends a command without waiting; returns its request id.
  std::string send_command(Json cmd);
  // Waits for the ack or error with re == id.
  Reply wait_reply(const std::string& id, Duration timeout = kTimeout);

  // Waits until the relay closes the connection; returns the close code (1006 when the TCP
  // connection ended without a close frame), or -1 on timeout.
  int wait_close(Duration timeout = kTimeout);
  std::string close_reason() const;
  bool closed() const { return closed_; }
  // Graceful close (1000) and wait for the relay's answer (bounded).
  void close();
  // Abrupt TCP close, no close frame.
  void drop();

  const std::vector<Json>& all() const { return all_; }
  std::vector<Json> take_pending();  // every unconsumed frame, consumed

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool closed_ = false;
  std::vector<Json> all_;
  std::vector<Json> pending_;
  std::uint64_t next_id_ = 1;
  friend struct Impl;
  bool pump(Duration timeout);  // runs until one more frame arrives; false on timeout/closed
};

// ---- protocol helpers -----------------------------------------------------------------------------

// {"v":1,"type":TYPE, ...fields}
Json cmd(const std::string& type, Json fields = Json::object());

// Predicates over frames.
std::function<bool(const Json&)> is_type(const std::string& type);
std::function<bool(const Json&)> is_event(const std::string& type, const std::string& conversation_id);
// An inbox.changes notice listing the conversation (with that status, when `status` is not "").
std::function<bool(const Json&)> is_inbox_change(const std::string& conversation_id, const std::string& status = "");
// chat.new_message of the conversation whose message text equals `text`.
std::function<bool(const Json&)> is_message(const std::string& conversation_id, const std::string& text);

// A customer: a WebSocket without cookie (Origin = the relay's own) that has said hello.
struct Customer {
  std::unique_ptr<WsClient> ws;
  std::string token;
  Json hello_ack;
  // Connects and sends hello (with `token` when not empty) to tenant `tenant` (a slug).
  static Customer connect(const Relay& relay, const std::string& token = "", const std::string& tenant = "default");
  // chat.start; returns the conversation id (fails the test when not acked).
  std::string start(const Json& fields = Json::object());
  WsClient::Reply send(const std::string& conversation_id, const std::string& text,
                       const std::string& client_msg_id = "");
  WsClient* operator->() { return ws.get(); }
};

// A staff member: logged in over HTTP, WebSocket with cookie + Origin; snapshot already read.
struct Staff {
  std::unique_ptr<WsClient> ws;
  std::string cookie;
  Json snapshot;  // data of the inbox.snapshot notice
  static Staff connect(const Relay& relay, const std::string& user, const std::string& password);
  static Staff connect_cookie(const Relay& relay, const std::string& cookie);
  WsClient* operator->() { return ws.get(); }
};

// Messages stored for a conversation, read from the relay's SQLite database (read-only).
struct StoredMessage {
  std::int64_t seq = 0;
  std::string sender_role, kind, text, client_msg_id;
};
std::vector<StoredMessage> stored_messages(const Relay& relay, const std::string& conversation_id);
// SELECT COUNT(*) FROM messages (all conversations).
std::int64_t stored_message_count(const Relay& relay);
// The first column of the first row of `sql` (read-only) as an integer; `binds` are bound as
// text to ?1, ?2, ... Throws on an SQL error; -1 when there is no row.
std::int64_t db_int(const Relay& relay, const std::string& sql, const std::vector<std::string>& binds = {});

// Frame accessors and checks used by many tests.
// The message object of a chat.new_message event (data.message), or null.
const Json& message_of(const Json& frame);
// Events (frames with a conversation_id and a seq > 0) of one conversation, in arrival order.
std::vector<Json> events_of(const std::vector<Json>& frames, const std::string& conversation_id);
// Highest seq among the conversation's events in `frames` (0 when none).
std::int64_t max_seq(const std::vector<Json>& frames, const std::string& conversation_id);
// Sends a ping and waits for its ack: everything the relay sent before is then received.
void flush(WsClient& ws);

// A unique string for client_msg_ids and names.
std::string unique_id(const std::string& prefix);

}  // namespace parley::it
