// relay/src/domain/store_api.hpp: the store interface between the app and a database. The app
// writes typed Mutations through a DataStore and reads through a StoreReader; SQLite implements
// both (store/sqlite_store.hpp), a PostgreSQL store can implement them later without touching
// the app's call sites. Nothing here names SQLite.
//
// Contracts every implementation keeps:
//  - Persist, then acknowledge. DataStore::write(ops, done) stores ALL of `ops` or NONE of them
//    (one savepoint / sub-transaction for the vector), and calls `done` exactly once, after the
//    transaction that holds them is durable (or failed). Separate write() calls may be grouped
//    into one transaction (group commit); a failing vector never takes another one down with it,
//    unless the whole commit fails (then every vector of that batch gets ErrorCode::unavailable).
//  - Order: vectors are applied in submission order (a write submitted after another one's
//    write() returned sees its effects); `done` callbacks run in the same order.
//  - Threads: write(), drain(), set_batch_done(), failed(), stats() and open_reader() are
//    thread-safe. `done` and the batch-done hook run on the store's writer thread: they must be
//    short and must not block on the store (post to your own loop instead). A StoreReader is
//    used by one thread at a time; each call reads a consistent committed snapshot, and sees
//    every write whose `done` reported success before the call started.
//  - Ownership: the DataStore owns its writer and connections; the caller owns each StoreReader
//    it opened and must destroy it before the DataStore. Mutations are taken by value.
//  - Errors (no exceptions cross this interface):
//      nullopt                  committed;
//      ErrorCode::unavailable   nothing stored: the store failed (disk full, I/O error; it then
//                               refuses every later write until restarted: failed() is true) or
//                               the database was busy;
//      a duplicate (is_duplicate(e), see below): a uniqueness rule refused the vector (a
//                               client_msg_id already used in the conversation, a username taken,
//                               a seq already stored, a primary key reused); nothing stored;
//      ErrorCode::not_found     an update found no row (SaveTenantSettings, PatchTenantSettings,
//                               SetPasswordHash, SetUserDisabled, UpdateContact, RevokeApiKey);
//      ErrorCode::bad_field / missing_field   a malformed mutation (e.g. a chat.new_message
//                               event without a valid data.message); nothing stored;
//      ErrorCode::internal      anything else (a bug, a cross-tenant id clash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/routing_types.hpp"
#include "domain/store_stats.hpp"
#include "domain/types.hpp"
#include "parley/kb_search.hpp"
#include "parley/tickets.hpp"

namespace parley::relay {

// ---- duplicates ----
// shared/'s ErrorCode has no "conflict" code yet. Until it has, a uniqueness violation is
// reported as ErrorCode::bad_field whose message starts with "duplicate " and whose `field` names
// the clashing column ("client_msg_id", "username", "seq", "id", "token_hash", "key_hash", ...).
// Producers use duplicate_error() and consumers is_duplicate(), so only these two change when the
// code arrives.
Error duplicate_error(std::string field, std::string_view detail);
// True for an error made by duplicate_error(); with `field` non-empty, only for that column.
bool is_duplicate(const Error& e, std::string_view field = {});
// A precondition of the vector did not hold (UpsertConversation::expect_head): nothing stored.
Error stale_error(std::string_view detail);
bool is_stale(const Error& e);

// ---- writes ----
// One plain struct per kind of change the app makes. Every row carries its tenant.
struct InsertTenant {
  Tenant tenant;
  Millis created_at = 0;
};
struct SaveTenantSettings {  // not_found when the tenant does not exist
  std::string tenant_id;
  TenantSettings settings;
};
// Merges `patch` (a JSON object of settings, validated like apply_settings_json) into the stored
// settings field by field, so a concurrent change of another field is kept. bad_json/bad_field for
// an invalid patch, not_found for an unknown tenant. Read the result back with find_tenant.
struct PatchTenantSettings {
  std::string tenant_id;
  Json patch = Json::object();
};
struct InsertUser {  // duplicate "username" when the name is taken (deployment-wide)
  User user;
};
struct SetPasswordHash {  // not_found for an unknown user
  std::string user_id;
  std::string password_hash;
};
struct SetUserDisabled {  // not_found for an unknown user
  std::string user_id;
  bool disabled = true;
};
struct InsertSession {  // the session's tenant is the user's; an unknown user fails (internal)
  Session session;
};
struct DeleteSession {  // deleting a missing session is not an error
  std::string token_hash;
};
struct DeleteUserSessions {  // every session of the user except `keep_token_hash` ("" = none kept)
  std::string user_id;
  std::string keep_token_hash;
};
struct InsertApiKey {  // key.id set (new_api_key_id), key.scopes non-empty (else bad_field)
  ApiKey key;
  std::string key_hash;  // hex sha256 of the secret; the secret itself is never stored
};
struct RevokeApiKey {  // not_found when the tenant has no such key; revoking twice keeps the first time
  std::string tenant_id;
  std::string id;
  Millis at = 0;
};
struct TouchApiKey {  // last_used_at = at; an unknown id is not an error
  std::string id;
  Millis at = 0;
};
struct InsertContact {
  Contact contact;
};
struct UpdateContact {  // name, email, phone of (contact.tenant_id, contact.id)
  Contact contact;
};
struct InsertVisitor {
  Visitor visitor;
};
struct UpsertConversation {  // an existing id of another tenant fails (internal), never moves
  Conversation conversation;
  // When set, the stored conversation's head_seq must equal it (no row: 0), else the vector fails
  // with stale_error() and nothing of it is stored: a write decided on top of another write that
  // failed can never commit (the hub chains writes of one conversation, write_pipeline.hpp).
  std::optional<Seq> expect_head;
};
// The common write of a message: only the head and what moves with it (updated_at, the first
// agent response, the assistant's unanswered turns) change. One UPDATE of those columns instead of
// the whole row; the row must exist (else internal). `expect_head` as in UpsertConversation.
struct AdvanceConversation {
  std::string id;
  std::string tenant_id;
  Seq head_seq = 0;
  Millis updated_at = 0;
  Millis first_agent_response_at = 0;
  int unanswered_turns = 0;
  std::optional<Seq> expect_head;
};
// True when `next` differs from `base` only in what AdvanceConversation writes.
bool only_advances(const Conversation& base, const Conversation& next);
AdvanceConversation advance_of(const Conversation& next, std::optional<Seq> expect_head);
// One sequenced event (seq > 0); a chat.new_message event also stores its message (and indexes
// it for search). Duplicate "seq" or "client_msg_id" within the conversation.
struct AppendEvent {
  std::string tenant_id;
  Event event;
};
struct ReplaceKb {  // the tenant's articles become exactly `articles`
  std::string tenant_id;
  std::vector<KbArticle> articles;
};
struct AppendAudit {
  AuditEntry entry;
};

// ---- routing (issue 9: queue and routing, people and presence; migration v6) ----
// The tenant's routing settings, whole (an insert or a replace).
struct SaveRoutingSettings {
  std::string tenant_id;
  RoutingSettings settings;
  Millis at = 0;
};
// A team, whole (insert or replace by (tenant_id, id)).
struct SaveTeam {
  Team team;
};
// An agent's profile, whole (insert or replace by (tenant_id, user_id)). The user must belong to
// the tenant (else not_found).
struct SaveAgentProfile {
  AgentProfile profile;
};

// ---- issue 9, working a conversation: canned responses (schema v7) ----
// A canned response of a tenant (owner_id "") or a user's personal one (owner_id = the user).
// `shortcut` is unique per tenant and owner (a personal one may reuse a tenant shortcut; the
// composer lists both).
struct CannedResponse {
  std::string id;  // "cr_" + hex
  std::string tenant_id;
  std::string owner_id;  // "" = the tenant's
  std::string shortcut;  // what the agent types after "/": letters, digits, '-', '_'
  std::string title;
  std::string body;  // the template (parley/templates.hpp)
  Millis created_at = 0, updated_at = 0;
};
// Inserts or replaces (tenant_id, id); the tenant and owner of an existing id never change (a
// clash is internal). Duplicate "shortcut" when the owner already has that shortcut.
struct UpsertCanned {
  CannedResponse canned;
};
struct DeleteCanned {  // not_found when the tenant has no such canned response
  std::string tenant_id;
  std::string id;
};
// ==== Attachments (issue 9; docs/architecture.md "Attachments") ==============================
// The metadata of one uploaded file. Its bytes are NOT in the database: they are the file
// <data-dir>/files/<sha256[0:2]>/<sha256> (app/attachments/file_store.hpp), written and fsynced
// before this row is submitted, so a committed row always has its bytes.
struct Attachment {
  std::string id;  // "att_" + 24 hex
  std::string tenant_id;
  std::string conversation_id;
  std::string sha256;  // 64 lower-case hex of the bytes
  std::uint64_t size = 0;
  std::string content_type;  // parley::content_type_of(sniffed type)
  std::string name;          // parley::clean_file_name of the uploader's name
  Role uploader_role = Role::customer;  // customer or agent (staff, API keys)
  std::string uploader_id;              // contact id, user id or API key id
  Millis created_at = 0;
  std::string scan_status = "not_scanned";  // not_scanned | clean (infected files are never stored)
};
// Duplicate "id". Stored in the same write as the chat.new_message event that announces it.
struct InsertAttachment {
  Attachment attachment;
};
// ==== end of attachments =====================================================================
// ---- issue 9, offline messages and mail (app/offline/offline.hpp) ----
// A conversation whose customer left a message with an email address while nobody was available:
// it waits in the queue (exempt from the abandon rule) and staff answers go out by email. One row
// per conversation; storing it again replaces the address.
struct OfflineRequest {
  std::string tenant_id;
  std::string conversation_id;
  std::string contact_id;
  std::string email;
  Millis created_at = 0;
};
struct UpsertOfflineRequest {
  OfflineRequest request;
};

// ==== issue 9, tickets and blocks (schema v12; parley/tickets.hpp has the rules) ===============
// A ticket made from a chat. Its transcript is the conversation's stored messages (linked by
// conversation_id, read with messages_page): one ticket per conversation.
struct Ticket {
  std::string id;  // "tk_" + hex
  std::string tenant_id;
  std::string conversation_id;
  std::string contact_id;
  std::string title, description;
  TicketStatus status = TicketStatus::open;
  Priority priority = Priority::normal;
  std::string assignee_id;  // "" = nobody
  std::string created_by;   // user id, or the API key's synthetic user
  Millis created_at = 0, updated_at = 0, solved_at = 0, closed_at = 0;
};
// Duplicate "conversation_id" when the conversation already has a ticket; duplicate "id".
struct InsertTicket {
  Ticket ticket;
};
// status, priority, assignee_id, updated_at, solved_at, closed_at of (tenant_id, id); not_found
// when the tenant has no such ticket.
struct UpdateTicket {
  Ticket ticket;
};
// A block of a visitor (BlockRule) with who made it, why, and who lifted it.
struct Block {
  std::string tenant_id;
  BlockRule rule;
  std::string reason;
  std::string created_by;
  std::string lifted_by;  // "" while not lifted
};
struct InsertBlock {  // duplicate "id"
  Block block;
};
// Sets lifted_at/lifted_by once (lifting twice keeps the first); not_found when the tenant has no
// such block.
struct LiftBlock {
  std::string tenant_id;
  std::string id;
  std::string by;
  Millis at = 0;
};
struct TicketQuery {
  std::optional<TicketStatus> status;
  std::string assignee_id;  // "" = any
  std::string contact_id;   // "" = any
  std::size_t limit = 50;
  std::size_t offset = 0;
};
struct TicketPage {
  std::vector<Ticket> tickets;  // updated_at DESC, id DESC
  std::int64_t total = 0;       // every ticket matching (limit/offset ignored)
};
// ==== end of tickets and blocks =============================================================

// ==== issue 10: knowledge-base management (schema v15; store/repo_kb.cpp) =================
// One article created (duplicate "id" when the tenant has it) or changed (not_found when it has
// not): every field but usage_count is written; updated_at comes from the article.
struct UpsertKbArticle {
  std::string tenant_id;
  KbArticle article;
  bool create = false;  // true: INSERT (POST); false: UPDATE (PATCH)
};
struct DeleteKbArticle {  // not_found when the tenant has no such article
  std::string tenant_id;
  std::string id;
};
// usage_count += by (the assistant answered with it, or staff shared it); unknown ids are not errors.
struct BumpKbUsage {
  std::string tenant_id;
  std::string article_id;
  std::int64_t by = 1;
};
struct SaveKbSynonyms {  // the tenant's synonyms become exactly `synonyms`
  std::string tenant_id;
  Synonyms synonyms;
};
// GET /api/v1/kb/search: FTS5 with BM25 (parley/kb_query.hpp says how a question is matched).
struct KbSearchQuery {
  std::string q;
  std::size_t limit = 5;
  bool include_inactive = false;  // admins' list; the assistant's and staff's sharing never see them
  std::string category;           // "" = any
};
struct KbSearchHit {
  KbArticle article;        // body left empty (the passage is the part that matters)
  double score = 0;         // -bm25(): larger is better; comparable within one answer only
  double confidence = 0;    // parley::kb_match_confidence: the share of the question matched
  std::string passage;      // the best passage of the body, matched words between ** **
  std::string title_marked; // the title with matched words between ** **
};
// ==== end of issue 10 knowledge base =====================================================
// ==== issue 11, channels (schema v14; app/channels/): the webhook inbox, channel accounts, =====
// delivery statuses and the generic outbox. docs/architecture.md "Channels and the outbox".
// A verified webhook body, stored before the provider is answered; processed from this row.
struct WebhookRecord {
  std::string id;         // "wh_" + hex
  std::string provider;   // "whatsapp", ...
  std::string tenant_id;  // the tenant whose secret verified it ("" when several could)
  Millis received_at = 0;
  std::string raw;        // the body exactly as received
  Millis processed_at = 0;  // 0 = not processed yet
  std::string error;        // why processing failed or skipped parts ("" = all fine)
};
struct InsertWebhook {  // duplicate "id"
  WebhookRecord record;
};
struct MarkWebhookProcessed {  // an unknown id is not an error
  std::string id;
  Millis at = 0;
  std::string error;
};
// A tenant's account on a provider (WhatsApp: the phone number id). `config` holds the settings
// including secrets: it never leaves the relay whole (the REST view masks the secrets).
struct ChannelAccount {
  std::string tenant_id;
  std::string provider;
  std::string account_id;  // unique per provider across tenants
  Json config = Json::object();
  Millis updated_at = 0;
};
struct SaveChannelAccount {  // insert or replace (tenant, provider); duplicate "account_id" when another tenant has it
  ChannelAccount account;
};
// One delivery status as the provider reported it (every one is kept, pricing included).
struct DeliveryStatus {
  std::string tenant_id, provider, provider_id;  // provider_id: the provider's message id (wamid)
  std::string state;                             // sent | delivered | read | played | failed
  std::string recipient_id;
  Millis at = 0, received_at = 0;
  int error_code = 0;
  std::string error_title, error_detail;
  Json pricing;  // null when absent
};
struct InsertDeliveryStatus {  // duplicate "state" for the same (tenant, provider, provider_id, state)
  DeliveryStatus status;
};
// A job of the outbox: one outbound message of any channel (app/channels/outbox.hpp).
enum class OutboxState { pending, sending, sent, failed, unknown };
std::string_view to_string(OutboxState);
std::optional<OutboxState> parse_outbox_state(std::string_view);
struct OutboxJob {
  std::string id;  // "ob_" + hex
  std::string tenant_id;
  std::string channel;  // "whatsapp", ...
  std::string conversation_id;
  Seq seq = 0;         // the message it carries (0 = none: a template sent over REST before its message)
  std::string lane;    // jobs of one lane go out strictly in order (the conversation)
  std::string recipient;  // the channel's address (WhatsApp: wa_id)
  Json payload = Json::object();  // what the channel's sender sends
  OutboxState state = OutboxState::pending;
  int attempts = 0;
  Millis next_attempt_at = 0, created_at = 0, updated_at = 0;
  std::string last_error;
  int error_code = 0;
  std::string error_class;  // parley::wa::SendClass name of the last failure ("" = none)
  std::string provider_id;  // the provider's message id once accepted
  std::string delivery = "pending";  // the furthest delivery state (parley::wa::furthest)
};
struct InsertOutboxJob {  // duplicate "id"; duplicate "seq" when the message already has a job
  OutboxJob job;
};
// Every mutable field of (tenant_id, id); not_found when absent. `delivery` is only written over
// pending/unknown (a provider's status recorded meanwhile by SetOutboxDelivery wins).
struct UpdateOutboxJob {
  OutboxJob job;
};
// The furthest delivery state from a provider's status (parley::wa::furthest, decided by the app).
struct SetOutboxDelivery {
  std::string tenant_id, id, delivery;
  int error_code = 0;
  std::string last_error;
  Millis updated_at = 0;
};
// ==== end of channels =======================================================================
// ==== issue 9, staff accounts by mail (schema v13; parley/staff_access.hpp has the rules) =====
// Invitations and password resets are one-time tokens stored by their sha256 only.
struct Invitation {
  std::string id;  // "inv_..."
  std::string tenant_id;
  std::string email;  // normalised
  StaffRole role = StaffRole::agent;
  std::string token_hash;
  std::string invited_by;  // user id (or "api:<key id>")
  Millis created_at = 0, expires_at = 0, accepted_at = 0, revoked_at = 0;
  std::string user_id;  // the account made by accepting it
};
struct InsertInvitation {  // duplicate "id" / "token_hash"
  Invitation invitation;
};
// Withdraws a pending invitation: not_found when the tenant has none with that id, stale_error()
// when it was accepted or withdrawn already.
struct RevokeInvitation {
  std::string tenant_id;
  std::string id;
  Millis at = 0;
};
// Marks the invitation accepted by `user_id`, only while it is pending and unexpired at `at`
// (one statement: two accepts of one token cannot both pass); stale_error() otherwise. Put it in
// the same vector as the InsertUser it makes, so a refused accept stores no user.
struct AcceptInvitation {
  std::string token_hash;
  std::string user_id;
  Millis at = 0;
};
struct PasswordReset {
  std::string token_hash;
  std::string tenant_id;
  std::string user_id;
  Millis created_at = 0, expires_at = 0, used_at = 0;
};
struct InsertPasswordReset {  // the tenant is the user's (an unknown user fails: internal)
  PasswordReset reset;
};
// Marks the reset used, only while unused and unexpired at `at`; stale_error() otherwise. Put it
// in the vector that sets the password and deletes the user's sessions.
struct UsePasswordReset {
  std::string token_hash;
  Millis at = 0;
};
// The user's role, unless that leaves the tenant without an enabled admin (checked in the same
// statement as the change): not_found for a user outside the tenant, forbidden (field "role")
// for the last admin.
struct SetUserRole {
  std::string tenant_id;
  std::string user_id;
  StaffRole role = StaffRole::agent;
};
struct SetUserEmail {  // not_found for a user outside the tenant
  std::string tenant_id;
  std::string user_id;
  std::string email;  // normalised or ""
};
// ==== end of staff accounts by mail ==========================================================
// ==== issue 10, LLM providers (schema v16; app/assistant/llm_service.hpp) ====================
// A tenant's provider settings. api_key is a secret: write-only through the API (only its last
// four characters are shown), never logged, exported or audited.
struct LlmSettings {
  std::string tenant_id;
  std::string provider = "builtin";  // "builtin" (no network) or "openai" (OpenAI-compatible)
  std::string base_url;              // e.g. "https://api.openai.com" (checked by the outbound URL rule)
  std::string model;                 // the (strong) model
  std::string cheap_model;           // hybrid routing: "" = `model` answers everything
  std::string api_key;
  double temperature = 0.3;
  int max_tokens = 512;
  double monthly_budget_usd = 0;  // 0 = no limit; past it the assistant falls back to the queue
  double input_usd_per_mtok = 0, output_usd_per_mtok = 0;  // prices, for the recorded cost
  Millis updated_at = 0;
};
struct SaveLlmSettings {  // insert or replace the tenant's row
  LlmSettings settings;
};
// One provider call's usage (a turn may make several: tool calls, retries that got an answer).
struct LlmUsage {
  std::string tenant_id;
  std::string conversation_id;
  std::string model;
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
  double cost_usd = 0;
  std::string outcome;  // "ok" or a parley/llm.hpp FailureKind name
  Millis at = 0;
};
struct RecordLlmUsage {
  LlmUsage usage;
};
struct LlmUsageTotals {
  std::int64_t calls = 0, prompt_tokens = 0, completion_tokens = 0;
  double cost_usd = 0;
};
struct LlmUsageReport {
  LlmUsageTotals tenant;  // every call at or after `since`
  std::vector<std::pair<std::string, LlmUsageTotals>> conversations;  // the costliest first, at most `limit`
};
// ==== end of LLM providers ================================================================

using Mutation =
    std::variant<InsertTenant, SaveTenantSettings, PatchTenantSettings, InsertUser, SetPasswordHash,
                 SetUserDisabled, InsertSession, DeleteSession, DeleteUserSessions, InsertApiKey, RevokeApiKey,
                 TouchApiKey, InsertContact, UpdateContact, InsertVisitor, UpsertConversation,
                 AdvanceConversation, AppendEvent, ReplaceKb, AppendAudit,
                 // issue 9: routing; canned responses
                 SaveRoutingSettings, SaveTeam, SaveAgentProfile, UpsertCanned, DeleteCanned,
                 InsertAttachment, UpsertOfflineRequest,
                 // issue 9: tickets and blocks (schema v12)
                 InsertTicket, UpdateTicket, InsertBlock, LiftBlock,
                 // issue 10: knowledge-base management (schema v15)
                 UpsertKbArticle, DeleteKbArticle, BumpKbUsage, SaveKbSynonyms,
                 // issue 11: channels (schema v14)
                 InsertWebhook, MarkWebhookProcessed, SaveChannelAccount, InsertDeliveryStatus, InsertOutboxJob,
                 UpdateOutboxJob, SetOutboxDelivery,
                 // issue 9: staff accounts by mail (schema v13)
                 InsertInvitation, RevokeInvitation, AcceptInvitation, InsertPasswordReset, UsePasswordReset,
                 SetUserRole, SetUserEmail,
                 // issue 10: LLM providers (schema v16)
                 SaveLlmSettings, RecordLlmUsage>;
// The struct's name ("AppendEvent", ...), for logs and tests.
std::string_view mutation_name(const Mutation&);

// ---- read models (results of the StoreReader queries below) ----
struct StatusCounts {
  std::int64_t bot = 0, pending = 0, active = 0, resolved = 0;
  std::int64_t of(Status s) const;
};

// Today's sums over ALL conversations of a tenant, for a day that starts at `day_start`
// (the same rule as the hub's in-memory counters):
//  resolved_today   status resolved and resolved_at >= day_start;
//  wait             assigned_at >= day_start, handed_off_at > 0, assigned_at >= handed_off_at:
//                   sum of (assigned_at - handed_off_at) and how many;
//  first response   the same with first_agent_response_at in place of assigned_at.
struct DaySums {
  std::int64_t resolved_today = 0;
  std::int64_t wait_sum_ms = 0, wait_n = 0;
  std::int64_t first_response_sum_ms = 0, first_response_n = 0;
};

// A position in the "recent" order: updated_at DESC, then id ASC (parley::recent_before in
// shared/include/parley/queue.hpp, the order of the inbox's recent list).
struct RecentCursor {
  Millis updated_at = 0;
  std::string id;
};
struct RecentQuery {
  std::optional<RecentCursor> after;  // the page starts right after this position
  std::size_t limit = 50;
  std::string assignee_id;       // "" = any assignee
  std::optional<Status> status;  // nullopt = any status
};
struct RecentPage {
  std::vector<Conversation> conversations;  // at most `limit`, in recent order
  std::int64_t total = 0;                   // every row matching assignee/status (cursor ignored)
};

struct MessageRef {
  std::string conversation_id;
  Seq seq = 0;
};

// What the inbox shows of a conversation without loading its transcript.
struct ConversationPreview {
  std::string last_customer_text;  // "" when the customer has not written
  Seq last_customer_seq = 0;       // 0 when the customer has not written
  std::string last_visible_text;   // the last customer-visible message of anyone ("" = none)
};

struct MessagePage {
  std::vector<Message> messages;  // seq > after_seq, ascending, at most `limit`
  bool more = false;              // more rows follow the page
};

// ==== issue 9, supervise: the conversations view and the dashboard's day (read models) ====
// The conversations view (GET /api/live-chat/conversations): every filter optional; `query` is a
// full-text search over message text (FTS5; staff notes included: the view is staff-only).
struct ConversationSearch {
  std::optional<Status> status;
  std::string assignee_id;  // the current assignee, or for resolved ones the last (previous_agent_id)
  std::optional<Priority> priority;
  std::string issue_type;
  std::optional<Channel> channel;
  Millis from = 0, to = 0;  // created_at in [from, to); 0 = unbounded
  std::string query;
  std::size_t limit = 50;
  std::size_t offset = 0;
  std::string contact_id;  // issue 9 (tickets/context): "" = any contact
  std::string team;        // a team's id: conversations transferred to it ("" = any)
};
// One conversation of the view; with a query, the best (first) matching message: its seq and a
// snippet with the match between [ and ].
struct SearchHit {
  Conversation conversation;
  Seq match_seq = 0;
  std::string snippet;
};
struct SearchPage {
  std::vector<SearchHit> hits;  // updated_at DESC, id DESC; at most `limit`
  std::int64_t total = 0;       // every conversation matching (limit/offset ignored)
  // Issue 9 (search cost): with a query, only the tenant's newest kSearchMessageCap matching
  // messages are read, and at most kSearchCountCap conversations are counted. total_capped is
  // true when either cap was reached: total is then a lower bound ("1000+"), and a conversation
  // whose only matches are older than those messages is not listed.
  bool total_capped = false;
};
inline constexpr std::int64_t kSearchMessageCap = 20000;
inline constexpr std::int64_t kSearchCountCap = 1000;

// ---- reads ----
// One connection's worth of reads. Not thread-safe: one thread at a time (the hub keeps one per
// worker thread and one for its loop). Every call filters by tenant where the row has one; a row
// of another tenant reads as absent. Errors: ErrorCode::internal (a stored value this build cannot
// read, an SQL error) or unavailable (the database cannot be read).
class StoreReader {
 public:
  virtual ~StoreReader() = default;

  // ---- tenants and knowledge base ----
  virtual Result<std::vector<Tenant>> load_tenants() = 0;  // every tenant, oldest first
  virtual Result<std::optional<Tenant>> find_tenant(const std::string& id_or_slug) = 0;
  virtual Result<std::vector<KbArticle>> load_kb(const std::string& tenant_id) = 0;  // insertion order

  // ---- staff, sessions, API keys ----
  // Users carry their password hash: callers clear it before it leaves the relay.
  virtual Result<std::optional<User>> find_user_by_username(const std::string& username) = 0;
  virtual Result<std::optional<User>> find_user(const std::string& user_id) = 0;
  virtual Result<std::vector<User>> list_users(const std::string& tenant_id) = 0;  // by username
  virtual Result<std::optional<Session>> find_session(const std::string& token_hash) = 0;
  // The key with this hash, revoked ones included (the caller refuses them), or nullopt.
  virtual Result<std::optional<ApiKey>> find_api_key_by_hash(const std::string& key_hash) = 0;
  // Every key of the tenant, revoked ones included, oldest first.
  virtual Result<std::vector<ApiKey>> list_api_keys(const std::string& tenant_id) = 0;

  // ---- changes made by other processes (store/change_log.hpp has the protocol) ----
  // A number that moves whenever another connection than this reader's committed (the relay's
  // own writer included; SQLite: PRAGMA data_version); compare for equality only. Cheap: no
  // table is read.
  virtual Result<std::int64_t> data_version() = 0;
  // Change-log rows with id > after_id, oldest first, at most `limit`.
  virtual Result<std::vector<Change>> changes_after(std::int64_t after_id, std::size_t limit) = 0;
  // The newest change-log id (0 when empty): where a starting relay begins watching.
  virtual Result<std::int64_t> last_change_id() = 0;

  // ---- contacts and visitors ----
  virtual Result<std::optional<Contact>> find_contact(const std::string& tenant_id, const std::string& id) = 0;
  // The oldest contact with that external id on that channel.
  virtual Result<std::optional<Contact>> find_contact_by_external(const std::string& tenant_id, Channel channel,
                                                                  const std::string& external_id) = 0;
  virtual Result<std::optional<Visitor>> find_visitor(const std::string& token_hash) = 0;

  // ---- conversations ----
  // Every conversation whose status is not resolved, all tenants, by tenant, created_at, id: the
  // start-up load.
  virtual Result<std::vector<Conversation>> load_open_conversations() = 0;
  virtual Result<std::optional<Conversation>> find_conversation(const std::string& tenant_id,
                                                                const std::string& id) = 0;
  // Offset-paged, optional status and full-text filter; updated_at DESC, id DESC.
  virtual Result<std::vector<Conversation>> list_conversations(const std::string& tenant_id,
                                                               const ConversationFilter& filter) = 0;
  // The contact's conversations, newest (created_at DESC, id DESC) first, at most `limit`.
  virtual Result<std::vector<Conversation>> contact_conversations(const std::string& tenant_id,
                                                                  const std::string& contact_id,
                                                                  std::size_t limit) = 0;
  // Keyset-paged in recent order (see RecentCursor), plus the total.
  virtual Result<RecentPage> recent_page(const std::string& tenant_id, const RecentQuery& query) = 0;
  virtual Result<StatusCounts> status_counts(const std::string& tenant_id) = 0;
  virtual Result<DaySums> day_sums(const std::string& tenant_id, Millis day_start) = 0;

  // ---- events and messages ----
  // Events with seq > after_seq, ascending, at most `limit`; customer-visible ones unless `staff`.
  virtual Result<std::vector<Event>> events_after(const std::string& tenant_id,
                                                  const std::string& conversation_id, Seq after_seq,
                                                  bool staff, std::size_t limit) = 0;
  // Messages with seq > after_seq, ascending, at most `limit`; customer-visible ones (their
  // event's audience is everyone) unless `staff`.
  virtual Result<MessagePage> messages_page(const std::string& tenant_id, const std::string& conversation_id,
                                            Seq after_seq, std::size_t limit, bool staff) = 0;
  // The whole transcript (export). Prefer messages_page.
  virtual Result<std::vector<Message>> load_messages(const std::string& tenant_id,
                                                     const std::string& conversation_id, bool staff) = 0;
  // client_msg_id -> seq for every message of the conversation that has one, by seq.
  virtual Result<std::vector<std::pair<std::string, Seq>>> client_msg_ids(
      const std::string& conversation_id) = 0;
  // The last `limit` (client_msg_id, seq) pairs of the conversation, newest (highest seq) first.
  virtual Result<std::vector<std::pair<std::string, Seq>>> recent_client_msg_ids(
      const std::string& tenant_id, const std::string& conversation_id, std::size_t limit) = 0;
  // Where a client_msg_id was used anywhere in the tenant's history (the earliest use), or nullopt.
  virtual Result<std::optional<MessageRef>> find_message_by_client_msg_id(const std::string& tenant_id,
                                                                          const std::string& client_msg_id) = 0;
  // Texts of the last `n` customer messages of the conversation, oldest first.
  virtual Result<std::vector<std::string>> last_customer_messages(const std::string& tenant_id,
                                                                  const std::string& conversation_id,
                                                                  std::size_t n) = 0;
  virtual Result<ConversationPreview> conversation_preview(const std::string& tenant_id,
                                                           const std::string& conversation_id) = 0;

  // ---- routing (issue 9) ----
  // The tenant's routing settings (defaults when none were saved), teams and agent profiles.
  // Not pure virtual so that stores written before it (test fakes) keep compiling: the default
  // answers the defaults with no teams and no profiles.
  virtual Result<RoutingConfig> load_routing(const std::string& tenant_id);
  // ---- issue 9: canned responses (stores without them answer ErrorCode::unavailable) ----
  // The tenant's canned responses and `user_id`'s personal ones ("" = the tenant's only), by
  // shortcut, then the tenant's before personal ones.
  virtual Result<std::vector<CannedResponse>> list_canned(const std::string& tenant_id, const std::string& user_id);
  virtual Result<std::optional<CannedResponse>> find_canned(const std::string& tenant_id, const std::string& id);
  // ==== issue 9, supervise (default: unavailable, for stores that do not have them yet) ====
  // The events of the tenant with at in [from, to) that parley::observe counts
  // (parley::counted_event_types(), and chat.new_message events carrying first_response_ms), by
  // at, conversation, seq: the dashboard's start-up fold of one day.
  virtual Result<std::vector<Event>> day_events(const std::string& tenant_id, Millis from, Millis to);
  virtual Result<SearchPage> search_conversations(const std::string& tenant_id, const ConversationSearch& query);
  // ---- attachments (issue 9) ----
  // The attachment with this id in this tenant, or nullopt. (Not pure: stores without
  // attachments, and test fakes, answer unavailable.)
  virtual Result<std::optional<Attachment>> find_attachment(const std::string& tenant_id, const std::string& id);
  // Every stored sha256 (for backups and the orphan sweep), all tenants, in order.
  virtual Result<std::vector<std::string>> attachment_hashes();
  // ---- issue 9, offline messages (see OfflineRequest) ----
  // The offline requests of every conversation that is not resolved, all tenants. A reader
  // without the table (a fake) answers none.
  virtual Result<std::vector<OfflineRequest>> load_offline_requests() { return std::vector<OfflineRequest>{}; }
  // The request of one conversation, whatever its status, or nullopt.
  virtual Result<std::optional<OfflineRequest>> find_offline_request(const std::string& tenant_id,
                                                                     const std::string& conversation_id) {
    (void)tenant_id, (void)conversation_id;
    return std::optional<OfflineRequest>{};
  }
  // ==== issue 9, tickets and blocks (defaults: unavailable, for stores without them) ====
  virtual Result<std::optional<Ticket>> find_ticket(const std::string& tenant_id, const std::string& id);
  // The ticket made from a conversation, or nullopt.
  virtual Result<std::optional<Ticket>> find_conversation_ticket(const std::string& tenant_id,
                                                                 const std::string& conversation_id);
  virtual Result<TicketPage> list_tickets(const std::string& tenant_id, const TicketQuery& query);
  // A contact's own tickets, newest (updated_at DESC) first, at most `limit` (the customer
  // context panel; issue 10's assistant tool lookup_ticket answers from this).
  virtual Result<std::vector<Ticket>> contact_tickets(const std::string& tenant_id, const std::string& contact_id,
                                                      std::size_t limit);
  // Every block not lifted, all tenants (expired ones included: the caller filters by time).
  virtual Result<std::vector<Block>> load_blocks();
  // The tenant's blocks, newest first, lifted and expired ones included, at most `limit`.
  virtual Result<std::vector<Block>> list_blocks(const std::string& tenant_id, std::size_t limit);
  virtual Result<std::optional<Block>> find_block(const std::string& tenant_id, const std::string& id);
  // ==== issue 10, knowledge base (defaults: unavailable / none, for stores without them) ====
  virtual Result<std::optional<KbArticle>> find_kb_article(const std::string& tenant_id, const std::string& id);
  virtual Result<Synonyms> load_kb_synonyms(const std::string& tenant_id) { (void)tenant_id; return Synonyms{}; }
  // Best first, at most query.limit; none when the question has no content word.
  virtual Result<std::vector<KbSearchHit>> search_kb(const std::string& tenant_id, const KbSearchQuery& query);
  // ==== issue 11, channels (defaults: unavailable, for stores without them) ====
  // Webhooks not processed yet, oldest first, at most `limit` (the start-up and retry scan).
  virtual Result<std::vector<WebhookRecord>> unprocessed_webhooks(std::size_t limit);
  virtual Result<std::optional<WebhookRecord>> find_webhook(const std::string& id);
  // Every account of `provider`, all tenants.
  virtual Result<std::vector<ChannelAccount>> channel_accounts(const std::string& provider);
  // Outbox jobs in state pending or sending, all tenants, in insertion order.
  virtual Result<std::vector<OutboxJob>> open_outbox_jobs();
  virtual Result<std::optional<OutboxJob>> find_outbox_by_provider_id(const std::string& channel,
                                                                      const std::string& provider_id);
  // A conversation's jobs in insertion order.
  virtual Result<std::vector<OutboxJob>> conversation_outbox(const std::string& tenant_id,
                                                             const std::string& conversation_id);
  virtual Result<std::vector<DeliveryStatus>> delivery_statuses(const std::string& tenant_id,
                                                                const std::string& provider_id);
  // When the contact last wrote on `channel` (its customer messages' newest `at`; 0 = never).
  virtual Result<Millis> last_customer_message_at(const std::string& tenant_id, const std::string& contact_id,
                                                  Channel channel);
  // ==== issue 9, staff accounts by mail (defaults: unavailable, for stores without them) ====
  // The tenant's invitations, newest first, at most `limit`.
  virtual Result<std::vector<Invitation>> list_invitations(const std::string& tenant_id, std::size_t limit);
  virtual Result<std::optional<Invitation>> find_invitation_by_token(const std::string& token_hash);
  virtual Result<std::optional<PasswordReset>> find_password_reset(const std::string& token_hash);
  // Enabled and disabled users with this (normalised) address, every tenant, at most `limit`.
  virtual Result<std::vector<User>> find_users_by_email(const std::string& email, std::size_t limit);
  // How many enabled admins the tenant has.
  virtual Result<int> count_enabled_admins(const std::string& tenant_id);
  // ==== issue 10, LLM providers (defaults: none stored / unavailable) ====
  // Every tenant's provider settings (read once at start; the service keeps them in memory).
  virtual Result<std::vector<LlmSettings>> load_llm_settings() { return std::vector<LlmSettings>{}; }
  // Usage since `since` (unix ms): the tenant's totals, and per conversation (or only
  // `conversation_id` when not ""), costliest first, at most `limit`.
  virtual Result<LlmUsageReport> llm_usage(const std::string& tenant_id, Millis since,
                                           const std::string& conversation_id, std::size_t limit);
};

// ---- the store ----
class DataStore {
 public:
  using Done = std::function<void(const std::optional<Error>&)>;

  virtual ~DataStore() = default;  // drains pending writes (their dones still run), then stops

  // Queues `ops` as one all-or-nothing unit (see the contracts at the top). Thread-safe. `done`
  // (may be empty) runs exactly once, on the writer thread. When the store has already failed,
  // `done` gets ErrorCode::unavailable (still on the writer thread).
  virtual void write(std::vector<Mutation> ops, Done done) = 0;
  void write(Mutation op, Done done) {
    std::vector<Mutation> ops;
    ops.push_back(std::move(op));
    write(std::move(ops), std::move(done));
  }

  // Blocks until every write submitted before the call has been answered. Returns at once when
  // called on the writer thread (from a done or the batch-done hook).
  virtual void drain() = 0;
  // Runs `fn` on the writer thread after each group of writes committed together, once all of
  // their dones returned (one place to coalesce what a group commit changed). nullptr removes it.
  virtual void set_batch_done(std::function<void()> fn) = 0;
  // True once a commit failed: every later write is answered ErrorCode::unavailable.
  virtual bool failed() const = 0;
  // Counters; `ops` counts write() calls (each a vector of mutations), not mutations.
  virtual StoreStats stats() const = 0;
  // A new reader (its own connection or session). Thread-safe; the reader is not.
  virtual Result<std::unique_ptr<StoreReader>> open_reader() const = 0;
};

}  // namespace parley::relay
