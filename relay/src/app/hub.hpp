// relay/src/app/hub.hpp: the hub, the one owner of the relay's live state (DESIGN.md rule 2).
//
// Threads. main() runs one asio::io_context on one thread (the "loop"). The Server (net/) and the
// Hub both live on it: every Application callback, every public method below and every completion
// callback runs on the loop thread. Nothing in the Hub is locked; other threads talk to it by
// posting work to the loop:
//   - the store's writer thread completes writes by posting back (Hub::write);
//   - a small worker pool (2 threads) runs slow or large work: argon2 verification, REST list and
//     search queries on its own read-only connection (Hub::on_worker), and posts back.
//   - the hub also keeps one read-only connection of its own and uses it synchronously, on the
//     loop, for small indexed look-ups (visitor by token hash, session by token hash, a replay page
//     of events_after with a limit, a conversation's client_msg_ids). Trade-off: these block the
//     loop for a few tens of microseconds each (WAL readers never wait for the writer), in
//     exchange for ordering that is trivially correct (a join's replay and the live broadcast are
//     decided on the same thread). Anything that can scan many rows goes to the worker pool.
//
// Persist, then acknowledge, then broadcast (rule 3). A command is decoded, authorised, and applied
// as a pure transition (parley/conversation.hpp) to the conversation's *live* state, which becomes
// `next` at once (so later commands see it and seq numbers are handed out in order). ONE store op
// then upserts the conversation and appends its events. When the commit is posted back, the
// conversation's *committed* state and `committed_seq` advance, the sender gets its ack, the
// events go to the subscribers allowed to see them, and staff of the tenant get inbox.changes
// (one frame per staff socket per group commit, listing every conversation the batch changed).
// Writes of one conversation commit in submission order (one writer, FIFO), so committed_seq only
// grows. A chat.join replays from the database up to committed_seq and then receives the
// in-flight events live when they commit: never twice, never a gap.
//
// Store failure: the first write that comes back ErrorCode::unavailable is answered with
// `unavailable`, logged loudly, and from then on every write is refused (store.failed());
// /healthz answers 503. The database is the truth on restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/assistant.hpp"
#include "app/http_util.hpp"
#include "net/server.hpp"
#include "parley/assistant_rules.hpp"
#include "parley/conversation.hpp"
#include "parley/model.hpp"
#include "parley/protocol.hpp"
#include "parley/queue.hpp"
#include "parley/result.hpp"
#include "store/repo.hpp"
#include "store/store.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace parley::relay {

using SteadyClock = std::chrono::steady_clock;

struct HubOptions {
  Limits limits;           // frame decoding limits (max_frame_bytes mirrors the server's)
  double rate_per_s = 20;  // commands per connection, sustained
  double burst = 40;       // bucket size
  int max_refusals = 100;  // rate-limit refusals before the socket is closed with 1008
  Millis session_ttl_ms = 12LL * 3600 * 1000;
  Millis agent_grace_ms = 120'000;         // assigned agent without any connection -> requeue
  Millis abandon_after_ms = 600'000;       // waiting customer without any connection -> abandoned
  int login_max_failures = 5;              // per remote address and per username ...
  Millis login_window_ms = 5 * 60 * 1000;  // ... within this window -> 429
  std::string public_url;                  // "https://chat.example.com" ("" = trust the Host header)
  std::string web_dir = "web";             // static files
  std::string data_dir = "data";
  // Clocks, injectable for tests. wall: unix ms (stored times); steady: timers, rate buckets.
  std::function<Millis()> wall_now;
  std::function<SteadyClock::time_point()> steady_now;
};

// A logged-in staff member as seen by HTTP handlers and staff connections.
struct StaffIdentity {
  User user;                 // password_hash cleared
  std::string session_hash;  // sha256 hex of the session cookie ("" for API-key callers)
  Millis expires_at = 0;
};

struct LoginResult {
  std::string token;  // cookie value; never logged or stored
  User user;          // password_hash cleared
  Millis expires_at = 0;
};
struct LoginError {
  int http_status = 401;  // 400 bad input, 401 wrong credentials, 429 rate limited, 503 store
  std::string code;       // "unauthorized", "rate_limited", "bad_field", "unavailable"
  std::string message;
  int retry_after_s = 0;  // for 429
};

struct SyncResult {
  bool success = true;
  std::string conversation_id;
  bool saved = true;  // false: duplicate message_id, nothing stored
  Seq seq = 0;
};

// Counts of a tenant's inbox (inbox.snapshot / inbox.changes "counts", GET /api/v1/stats).
// Kept incrementally by the hub (no scan per commit); "today" starts at midnight in the tenant's
// time zone (UTC when it is unknown) and is recomputed once when the day changes.
struct InboxCounts {
  int bot = 0, waiting = 0, active = 0, resolved = 0;  // committed conversations by status
  int resolved_today = 0;                              // resolved, resolved_at today
  int avg_wait_s = 0;  // mean handed_off -> assigned of conversations assigned today (whole s)
  // Raw sums behind the averages (stats): handed_off -> assigned of conversations assigned
  // today, handed_off -> first agent response of those first answered today.
  std::int64_t wait_sum_ms = 0, wait_n = 0, first_response_sum_ms = 0, first_response_n = 0;
  Millis day_start = 0;
  bool time_zone_known = true;  // false: the tenant's time_zone did not resolve, UTC was used
};

class Hub : public Application {
 public:
  Hub(boost::asio::io_context& io, Store& store, HubOptions options,
      std::unique_ptr<Assistant> assistant = nullptr);
  ~Hub() override;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Loads tenants, settings, knowledge bases, users count and every conversation; starts timers.
  // Call once, on the loop thread, before the server accepts.
  std::optional<Error> start();
  // Stops timers and the worker pool (waits for running jobs). Connections are closed by
  // Server::shutdown.
  void stop();

  // ---- Application (net/server.hpp) --------------------------------------------------------
  // Serves /healthz, /metrics, /api/login, /api/logout, /api/me and static files; every other
  // /api/* and /webhooks/* path goes to handle_api() (app/http_api.hpp).
  void handle_http(HttpRequest req, HttpReply reply) override;
  UpgradeDecision authorize_upgrade(const HttpRequest& req) override;
  void on_open(std::shared_ptr<Connection> conn, const std::string& principal) override;
  void on_message(std::uint64_t conn_id, std::string text) override;
  void on_close(std::uint64_t conn_id) override;

  // =====================================================================================
  // Operations for HTTP handlers (app/http_api.cpp). Loop thread only; callbacks run on the
  // loop thread, exactly once. Errors use the protocol's ErrorCodes (docs/protocol.md "Errors"),
  // which http_api maps to HTTP statuses.
  // =====================================================================================

  // -- plumbing --
  Millis now() const;
  Store& store() { return store_; }
  const HubOptions& options() const { return options_; }
  boost::asio::io_context& io() { return io_; }
  // Runs `work` on a worker thread with that thread's own read-only connection (null when it
  // could not be opened); the function it returns then runs on the loop thread.
  void on_worker(std::function<std::function<void()>(Db* reader)> work);
  // Store::write with the completion posted to the loop. Refused at once (unavailable) when the
  // store has failed. Use for writes that belong to no conversation (users, settings, audit...).
  void write(Store::Op op, std::function<void(std::optional<Error>)> done);

  // -- identity --
  // The staff member behind the request's parley_session cookie (valid, unexpired, user enabled),
  // or nullopt. Synchronous (cached; a miss costs one indexed read).
  std::optional<StaffIdentity> authenticate(const HttpRequest& req);
  // The tenant id an API key (Authorization: Bearer <key> / X-Api-Key) belongs to, or nullopt.
  std::optional<std::string> tenant_for_api_key(const std::string& key);
  // Verifies the password on the worker pool, applies the login rate limits, creates a session.
  void login(const std::string& username, const std::string& password, const std::string& remote_addr,
             std::function<void(Result<LoginResult>, std::optional<LoginError>)> cb);
  // Deletes the session of `token` (cookie value) and closes its sockets (1008 "logged out").
  void logout(const std::string& token);
  // Deletes every session of `user_id` except `keep_session_hash` ("" = all) and closes their
  // sockets (password change, user disabled).
  void revoke_user_sessions(const std::string& user_id, const std::string& keep_session_hash,
                            std::function<void(std::optional<Error>)> done);
  // Note: none of the writes below appends an AuditEntry; callers (REST) add their own.
  // Hashes on the worker pool, then stores. Username unique per deployment (bad_field otherwise).
  void create_user(const std::string& tenant_id, const std::string& username, const std::string& display_name,
                   StaffRole role, const std::string& password, std::function<void(Result<User>)> cb);
  // Sets a new password hash and revokes the user's other sessions.
  void change_password(const std::string& user_id, const std::string& new_password,
                       const std::string& keep_session_hash, std::function<void(std::optional<Error>)> cb);

  // -- tenants, settings, knowledge base --
  const Tenant* tenant(const std::string& id_or_slug) const;  // nullptr when unknown
  const Tenant& default_tenant() const;
  std::vector<const Tenant*> tenants() const;
  // Applies `patch` (apply_settings_json), stores it, and makes it live when committed.
  void update_settings(const std::string& tenant_id, const Json& patch,
                       std::function<void(Result<TenantSettings>)> cb);
  const std::vector<KbArticle>& kb(const std::string& tenant_id) const;
  // Replaces the tenant's articles (stored, then live).
  void replace_kb(const std::string& tenant_id, std::vector<KbArticle> articles,
                  std::function<void(std::optional<Error>)> cb);
  // Creates an API key for the tenant; returns the key (shown once; only its hash is stored).
  void create_api_key(const std::string& tenant_id, const std::string& name,
                      std::function<void(Result<std::string>)> cb);

  // -- conversations --
  // Committed state (what has been acknowledged), or nullptr when not in this tenant.
  const Conversation* find_conversation(const std::string& tenant_id, const std::string& id) const;
  // Committed states of the tenant's conversations, optionally only one status.
  std::vector<const Conversation*> conversations(const std::string& tenant_id,
                                                 std::optional<Status> status = std::nullopt) const;
  // The full staff view of one conversation (chat.join ack, REST): to_json(conversation,
  // staff=true) + "contact":{id,name,email,phone} + "preview" + "last_customer_seq".
  Json conversation_summary(const Conversation& c);
  // The compact list item of a committed conversation (inbox lists and notices).
  ConversationItem list_item(const Conversation& c);
  // O(1) (plus one recount of the tenant when its day changed).
  InboxCounts counts(const std::string& tenant_id);
  Json counts_json(const std::string& tenant_id);
  // Longest current wait in the queue, ms (O(waiting); for stats).
  Millis longest_wait_ms(const std::string& tenant_id);
  // One page of an inbox list for `who` (the inbox.list ack): {"list","items","total","offset"}.
  // O(position + page) over the hub's ordered sets.
  Json list_page(const StaffIdentity& who, const InboxList& request);
  // Runs a staff command exactly as if it came over a WebSocket (send_message, accept, resolve,
  // handoff, set_priority; join/leave/typing are connection-bound and refused with bad_field).
  // `who` is trusted as given (no session or database look-up), so REST may pass a synthetic
  // identity for API-key callers (user.id "api", role admin, tenant of the key).
  // `cb` gets the ack data (the same JSON as the WebSocket ack) after the commit.
  void staff_command(const StaffIdentity& who, Command command, std::function<void(Result<Json>)> cb);
  // bot -> pending (parley::hand_off) without assigning anyone: the mirror's explicit hand-off
  // (POST /api/chat/handoff) and API-key callers. Summary as the assistant's (the conversation's
  // recent customer messages). Errors: not_found, invalid_transition (not in bot).
  // cb gets {"conversation_id","head_seq","status"} after the commit.
  void queue_handoff(const std::string& tenant_id, const std::string& conversation_id, const Actor& by,
                     const std::string& reason, std::function<void(Result<Json>)> cb);
  // The open (not resolved) mirrored conversation of external user `user_id` (contact channel
  // api, external_id user_id), committed state, or nullptr.
  const Conversation* find_mirror_conversation(const std::string& tenant_id, const std::string& user_id);
  // POST /api/chat/sync (request decoded by http::decode_sync). Finds or creates the contact by
  // (tenant, channel api, external id user_id), finds its open conversation answered_by external
  // or creates one (answered_by external: the built-in assistant stays silent; staff take over
  // with chat.handoff), and posts the message with client_msg_id "sync:"+message_id when given
  // (idempotent: a repeat answers saved=false). Sender roles: customer as the contact, bot as the
  // tenant's assistant, agent as an agent message posted by the system actor. The message's `at`
  // is req.at (or now).
  void mirror_sync(const std::string& tenant_id, http::SyncRequest req,
                   std::function<void(Result<SyncResult>)> cb);

 private:
  struct ConnState;
  struct ConvState;
  struct Pending;
  struct Principal;
  struct TenantIndex;
  using AckFn = std::function<void(Result<Json>)>;

  // Commands.
  void dispatch(ConnState* c, const std::string& rid, Command cmd, SteadyClock::time_point arrived);
  void execute(const Principal& who, ConnState* conn, Command cmd, AckFn ack);
  void cmd_hello(ConnState& c, const Hello& h, AckFn ack);
  void cmd_start(const Principal& who, ConnState* conn, const ChatStart& s, AckFn ack);
  void cmd_send(const Principal& who, const SendMessage& s, AckFn ack);
  void cmd_join(ConnState& c, const Join& j, AckFn ack);
  void cmd_ephemeral(const Principal& who, ConnState* conn, const std::string& conv_id, std::string_view type,
                     Json data, AckFn ack);

  // Writing transitions.
  ConvState* visible(const Principal& who, const std::string& conv_id);
  void commit(ConvState& cs, Transition t, AckFn ack, std::function<Json(const ConvState&)> ack_data,
              std::function<void()> after = nullptr, Store::Op extra = nullptr);
  void on_committed(const std::string& conv_id, const Conversation& next, const std::vector<Event>& events);
  void on_write_failed(const std::string& conv_id, const Error& e);
  // The only way `committed` changes once a conversation is known: keeps the tenant's ordered
  // sets and counters in step (erase under the old key, assign, insert under the new key).
  void set_committed(ConvState& cs, const Conversation& next);
  TenantIndex& index_of(const std::string& tenant_id);
  void unindex(TenantIndex& idx, const ConvState& cs);
  void index(TenantIndex& idx, const ConvState& cs);
  // Recounts the day-dependent counters when the tenant's day (or time zone) changed.
  void roll_day(TenantIndex& idx, const std::string& tenant_id);
  Json item_json(const ConvState& cs);
  void broadcast(ConvState& cs, const Event& e);
  // Marks the conversation changed for the staff lists; flush_inbox() (after each group commit)
  // sends every staff socket of a tenant ONE inbox.changes with the items changed since the last.
  void notify_staff(ConvState& cs);
  void flush_inbox();
  // Staff sockets that were backed up get their kept changes once their queue drained.
  void arm_inbox_retry();
  void flush_inbox_backlogs();
  void ensure_msg_ids(ConvState& cs);
  void wait_committed(ConvState& cs, Seq seq, std::function<void(bool ok)> fn);

  // Assistant.
  void run_assistant(const std::string& conv_id, const std::string& customer_text);
  void apply_assistant_reply(const std::string& conv_id, Assistant::Reply reply);

  // Timers and presence.
  void arm_sweep();
  void sweep();
  void staff_conn_changed(const std::string& user_id, int delta);
  void contact_conn_changed(const std::string& contact_id, int delta);

  // HTTP helpers.
  void http_login(const HttpRequest& req, HttpReply reply);
  void http_logout(const HttpRequest& req, HttpReply reply);
  void http_me(const HttpRequest& req, HttpReply reply);
  void http_static(const HttpRequest& req, HttpReply reply);
  bool origin_allowed(const HttpRequest& req) const;

  // Data helpers.
  const Contact* contact(const std::string& tenant_id, const std::string& contact_id);
  Json snapshot(const StaffIdentity& who);
  std::optional<StaffIdentity> session_identity(const std::string& token_hash);
  bool login_limited(const std::string& key, int* retry_after_s);
  void login_failed(const std::string& key);
  void close_session_sockets(const std::string& session_hash, const std::string& reason);

  boost::asio::io_context& io_;
  Store& store_;
  HubOptions options_;
  std::unique_ptr<Assistant> assistant_;
  std::unique_ptr<boost::asio::thread_pool> workers_;
  std::unique_ptr<Db> reader_;  // loop-thread read-only connection (small indexed reads only)
  struct Timers;
  std::unique_ptr<Timers> timers_;
  SteadyClock::time_point started_;
  bool stopped_ = false;

  std::map<std::string, Tenant> tenants_;  // by id
  std::map<std::string, std::vector<KbArticle>> kb_;
  std::unordered_map<std::string, std::unique_ptr<ConvState>> convs_;
  std::unordered_map<std::string, std::unique_ptr<TenantIndex>> index_;   // tenant -> lists, counters
  std::unordered_map<std::string, Contact> contacts_;                     // cache
  std::unordered_map<std::string, std::vector<std::string>> by_contact_;  // contact -> conversations
  std::unordered_map<std::string, std::set<std::uint64_t>> staff_conns_;  // tenant -> staff conns
  std::unordered_map<std::string, std::string> pending_mirror_contacts_;  // tenant\nuser_id -> contact
  std::unordered_map<std::uint64_t, std::unique_ptr<ConnState>> conns_;
  std::vector<std::string> inbox_dirty_;  // conversation ids changed since the last flush_inbox
  struct Presence {
    int conns = 0;
    SteadyClock::time_point gone_since{};
  };
  std::unordered_map<std::string, Presence> staff_presence_;    // user id
  std::unordered_map<std::string, Presence> contact_presence_;  // contact id
  struct CachedSession {
    StaffIdentity who;
  };
  std::unordered_map<std::string, CachedSession> sessions_;  // by token hash
  std::unordered_map<std::string, std::string> api_keys_;    // key hash -> tenant id
  std::unordered_map<std::string, std::deque<SteadyClock::time_point>> login_failures_;
};

}  // namespace parley::relay
