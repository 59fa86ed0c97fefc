// relay/src/app/hub.hpp: the hub facade, the one owner of the relay's live state (DESIGN.md rule 2).
//
// Threads. main() runs one asio::io_context on one thread (the "loop"). The Server (net/), the
// Hub and every module it owns (app/hub_state.hpp) live on it: every Application callback, every
// method below and every callback they take runs on the loop thread. Nothing is locked. Other
// threads reach live state only through post(): the store's writer posts completions, the
// worker pool (on_worker) and the argon2 hash pool post their results, bridges and HTTP
// handlers call the methods below from the loop.
//
// Layout (docs/architecture.md "The hub"): live/ holds the conversation registry, the inbox
// index and counts, connections, presence, the write pipeline (persist -> ack -> broadcast,
// chained writes per conversation) and the inbox feed; commands/ the WebSocket commands as a
// table; auth/ sessions, logins and API keys; tenants/ the tenant registry; assistant/ the
// assistant and its runner. The HTTP side (app/http/) and the bridges (app/bridges/) are
// clients of this facade: the hub includes neither.
//
// Store failure: a write refused because the database was busy answers `busy` (retry); once
// a commit failed the store refuses every write (`unavailable`) and /healthz says so.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/assistant/assistant.hpp"
#include "app/auth/identity.hpp"
#include "app/auth/sessions.hpp"
#include "app/channel_message.hpp"
#include "app/channels/hooks.hpp"
#include "app/hub_options.hpp"
#include "domain/store_api.hpp"
#include "net/server.hpp"
#include "parley/offline.hpp"
#include "parley/protocol.hpp"
#include "parley/replies.hpp"

namespace parley::relay {

struct HubState;
class LlmService;
struct HubTimers;
class StaffAccess;

// Counts of a tenant's inbox for GET /api/v1/stats. "today" starts at midnight in the tenant's
// time zone (UTC when it is unknown).
struct InboxCounts {
  int bot = 0, waiting = 0, active = 0, resolved = 0;
  int resolved_today = 0;
  std::int64_t wait_sum_ms = 0, wait_n = 0, first_response_sum_ms = 0, first_response_n = 0;
  Millis day_start = 0;
  bool time_zone_known = true;
};

class Hub : public Application {
 public:
  using HttpHandler = std::function<void(HttpRequest, HttpReply)>;
  Hub(boost::asio::io_context& io, DataStore& store, HubOptions options,
      std::unique_ptr<Assistant> assistant = nullptr);
  ~Hub() override;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Loads tenants, knowledge bases, open conversations and counts; starts timers and the change
  // watcher. Call once, on the loop thread, before the server accepts.
  std::optional<Error> start();
  // Stops timers, the worker pool and the hash pool (waits for running jobs).
  void stop();
  // Every HTTP request goes to `handler` (app/http/router.hpp installs itself here).
  void set_http_handler(HttpHandler handler) { http_ = std::move(handler); }

  // ---- Application (net/server.hpp) ----
  void handle_http(HttpRequest req, HttpReply reply) override;
  UpgradeDecision authorize_upgrade(const HttpRequest& req) override;
  void on_open(std::shared_ptr<Connection> conn, const std::string& principal) override;
  void on_message(std::uint64_t conn_id, std::string text) override;
  void on_close(std::uint64_t conn_id) override;

  // =====================================================================================
  // Operations for the HTTP side and the bridges. Loop thread only; callbacks run on the loop
  // thread, exactly once. Errors use the protocol's ErrorCodes (docs/protocol.md "Errors").
  // =====================================================================================

  // -- plumbing --
  void post(std::function<void()> fn);
  Millis now() const;
  const HubOptions& options() const;
  bool store_failed() const;
  StoreStats store_stats() const;
  // Runs `work` on a worker thread with that thread's own reader (null when none could be
  // opened); the function it returns then runs on the loop thread.
  void on_worker(std::function<std::function<void()>(StoreReader* reader)> work);
  // A write that belongs to no conversation (audit, settings, ...), completion on the loop.
  void write(std::vector<Mutation> ops, std::function<void(std::optional<Error>)> done);
  // The relay's own origin for a request ("" when its Host is not believed; app/origin.hpp).
  std::string own_origin(const HttpRequest& req) const;
  bool same_origin(const HttpRequest& req) const;
  // A per-address token bucket for REST requests; false when the address is over its rate.
  bool rest_allowed(const std::string& remote_addr);
  // The same for provider webhooks (/webhooks/*), counted apart with a larger allowance.
  bool webhook_allowed(const std::string& remote_addr);

  // -- identity --
  Sessions& sessions();

  // -- tenants, settings, knowledge base --
  const Tenant* tenant(const std::string& id_or_slug) const;  // nullptr when unknown
  const Tenant& default_tenant() const;
  PublicTenantConfig public_config(const Tenant& t) const;
  // Merges `patch` into the stored settings field by field (another writer's change of another
  // field survives) and makes the result live once committed.
  void update_settings(const std::string& tenant_id, const Json& patch, std::function<void(Result<TenantSettings>)> cb);
  const std::vector<KbArticle>& kb(const std::string& tenant_id) const;
  void replace_kb(const std::string& tenant_id, std::vector<KbArticle> articles,
                  std::function<void(std::optional<Error>)> cb);
  // Issue 10: writes `ops` (knowledge-base mutations and their audit) and, once committed, makes
  // the tenant's articles and synonyms live again (re-read from the store: the assistant's index
  // is rebuilt on its next use). Then `cb`.
  void change_kb(const std::string& tenant_id, std::vector<Mutation> ops, std::function<void(std::optional<Error>)> cb);

  // -- conversations --
  // Committed state, in memory or read back (a resolved one); nullptr when not in this tenant.
  const Conversation* find_conversation(const std::string& tenant_id, const std::string& id);
  // The full staff view: to_json(c, staff=true) + contact, preview, last_customer_seq.
  Json conversation_summary(const Conversation& c);
  InboxCounts counts(const std::string& tenant_id);
  // Issue 9: the tenant's live dashboard now (parley/metrics.hpp Dashboard JSON).
  Json dashboard(const std::string& tenant_id);
  // Longest current wait in the queue, ms (the queue's first entry by waiting time).
  Millis longest_wait_ms(const std::string& tenant_id);
  // Runs a staff command exactly as if it came over a WebSocket (send_message, accept, resolve,
  // handoff, set_priority, inbox.list; join/leave/typing/hello need a socket: bad_field).
  // `who` is trusted as given (REST passes the API key's synthetic identity).
  void staff_command(const StaffIdentity& who, Command command, std::function<void(Result<Json>)> cb);
  // bot -> pending without assigning anyone (API keys, the mirror's hand-off). cb gets
  // {"conversation_id","head_seq","status"} after the commit.
  void queue_handoff(const std::string& tenant_id, const std::string& conversation_id, const Actor& by,
                     const std::string& reason, std::function<void(Result<Json>)> cb);
  // The open conversation answered by `answered_by` of the contact (tenant, channel,
  // external id), or nullopt. Reads on a worker.
  void find_channel_conversation(const std::string& tenant_id, Channel channel, const std::string& external_id,
                                 std::function<void(Result<std::optional<std::string>>)> cb);
  // Stores a channel message (see ChannelMessage): finds or creates the contact, continues its
  // open conversation on that channel (or starts one), posts the message. Idempotent on
  // client_msg_id across the tenant's whole history. Database reads run on a worker.
  void ingest(ChannelMessage m, std::function<void(Result<IngestResult>)> cb);

  // -- routing (issue 9; live/router.hpp has the rules' contract) --
  // Queue figures by priority with waiting times, the tenant's wait threshold and agents online.
  Json queue_stats(const std::string& tenant_id);
  // {"agent_id","status","active","capacity","free_slots","conversation_ids"} (any user id of the
  // tenant; the caller checks who may ask).
  Json workload(const std::string& tenant_id, const std::string& user_id);
  // A supervisor's or admin's assignment of any chat to any agent of the tenant (not capacity
  // bound). cb gets {"conversation_id","head_seq","assignee"} after the commit; not_found for a
  // conversation or agent outside the tenant.
  void assign(const std::string& tenant_id, const std::string& conversation_id, const std::string& agent_id,
              const Actor& by, std::function<void(Result<Json>)> cb);
  const RoutingConfig& routing_config(const std::string& tenant_id);
  void save_routing_settings(const std::string& tenant_id, const Json& patch,
                             std::function<void(Result<RoutingSettings>)> cb);
  void save_team(const std::string& tenant_id, const std::string& team_id, const Json& patch,
                 std::function<void(Result<Team>)> cb);
  void save_agent_profile(const std::string& tenant_id, const std::string& user_id, const Json& patch,
                          std::function<void(Result<AgentProfile>)> cb);
  AgentStatus agent_status(const std::string& tenant_id, const std::string& user_id);
  // -- issue 9, working a conversation --
  // True while the user has a staff socket open (the transfer picker shows who is online).
  bool staff_online(const std::string& user_id) const;
  // -- issue 9: the offline path and mail (app/offline/offline.hpp) --
  // Whether people can answer the tenant's customers now (agents online, business hours).
  Availability availability(const std::string& tenant_id);
  // Queues the customer-visible transcript to `email`; cb(nullopt) once queued (unavailable
  // when mail is off). The caller has checked that the conversation is visible to it.
  void mail_transcript(const std::string& tenant_id, const std::string& conversation_id, const std::string& email,
                       std::function<void(std::optional<Error>)> cb);
  // The address an open conversation's offline request left (nullopt when none).
  std::optional<std::string> offline_email(const std::string& conversation_id) const;

  // Counters for tests (GET /api/v1/debug/counters with --test-counters).
  Json test_counters() const;

  // ==== attachments (issue 9; app/attachments/, docs/architecture.md "Attachments") ==========
  // Who posts a file over REST: a staff member, or the customer (contact) of the conversation
  // (identified by their visitor token, checked by the caller).
  struct FilePoster {
    bool customer = false;
    std::string tenant_id;
    std::string contact_id;  // customer
    StaffIdentity staff;     // staff
  };
  // Posts a message of kind `file` announcing `a` (its bytes already fsynced in the file store)
  // through the write pipeline: the attachments row and the chat.new_message event commit in one
  // write, then the ack, then the broadcast. Same rules as chat.send_message (a customer only in
  // their own conversation; staff only as its assignee); client_msg_id makes it idempotent.
  // cb gets the send ack {"conversation_id","seq","duplicate"}.
  void post_file_message(const FilePoster& who, Attachment a, std::string client_msg_id,
                         std::function<void(Result<Json>)> cb);
  // The conversation `conversation_id` if `who` may see it (tenant; a customer only their own
  // contact's), else nullptr. May read the database (loop reader).
  const Conversation* file_conversation(const FilePoster& who, const std::string& conversation_id);
  // ==== end of attachments ===================================================================

  // ==== tickets and blocks (issue 9; app/tickets/tickets.hpp, parley/tickets.hpp) ============
  // Converts a chat to a ticket through the write pipeline (ticket row, audit row "ticket.created"
  // and the conversation's chat.ticket_created line in one write). cb gets the ticket's JSON;
  // not_found outside the tenant; duplicate_error("conversation_id", <existing ticket id>) when
  // the conversation has a ticket already; the draft's errors (parley::ticket_draft).
  void convert_to_ticket(const StaffIdentity& who, const std::string& actor_type, const std::string& conversation_id,
                         TicketInput in, std::function<void(Result<Json>)> cb);
  // Stores a block with its audit row, then makes it live (cb after both).
  void add_block(Block b, AuditEntry audit, std::function<void(std::optional<Error>)> cb);
  // Lifts a block (not_found when the tenant has none with that id) with its audit row.
  void lift_block(const std::string& tenant_id, const std::string& id, const std::string& by, AuditEntry audit,
                  std::function<void(std::optional<Error>)> cb);
  // The normalised address the contact's last customer socket came from ("" when unknown).
  std::string contact_address(const std::string& tenant_id, const std::string& contact_id) const;
  // True when the contact (or, with `address`, that address) is blocked now in the tenant.
  bool blocked(const std::string& tenant_id, const std::string& contact_id, const std::string& address);
  // ==== end of tickets and blocks ============================================================

  // ==== issue 11: channels (app/channels/hooks.hpp, app/channels/channels.hpp) ===============
  // Installs the channel modules' hooks. Call once, before start().
  void set_channel_hooks(ChannelHooks hooks);
  const ChannelHooks& channel_hooks() const;
  // Applies a change built by a shared/ state-machine function to a conversation of the tenant
  // through the write pipeline (persist, ack, broadcast). cb gets {"conversation_id","head_seq"}
  // after the commit; not_found when the conversation is not in the tenant. A transition with no
  // events is a no-op success.
  void change_conversation(const std::string& tenant_id, const std::string& conversation_id,
                           std::function<Result<Transition>(const Conversation& live)> change,
                           std::function<void(Result<Json>)> cb);
  // The contact of the tenant (cached or read), or nullopt.
  std::optional<Contact> contact(const std::string& tenant_id, const std::string& contact_id);
  // When the contact last wrote on `channel` (0 = never, or the read failed). A point query on
  // the loop's reader.
  Millis last_customer_message_at(const std::string& tenant_id, const std::string& contact_id, Channel channel);
  // ==== end of channels ======================================================================
  // ==== staff accounts by mail (issue 9; app/staff_access/staff_access.hpp) ==================
  StaffAccess& staff_access();
  // ==== end of staff accounts by mail ========================================================
  // ==== issue 10, LLM providers (app/assistant/llm_service.hpp; loop thread) ====
  LlmService& llm();
  // ==== end of LLM providers ==================================================================

 private:
  std::unique_ptr<HubState> s_;
  std::unique_ptr<HubTimers> timers_;
  HttpHandler http_;
};

}  // namespace parley::relay
