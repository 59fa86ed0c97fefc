// relay/src/store/schema.cpp: the migrations (see schema.hpp).
//
// Schema notes:
//  - tenant_id is on every row (rule 6), including sessions (copied from the user at insert).
//  - Times are unix milliseconds (INTEGER). Enums are stored as their wire names (TEXT).
//  - messages has an INTEGER PRIMARY KEY `id` and UNIQUE(conversation_id, seq): the FTS5 index is
//    an external-content table keyed by rowid, and VACUUM renumbers implicit rowids, which would
//    silently detach the index; an explicit rowid alias is stable.
//  - events and audit are append-only: triggers abort any UPDATE or DELETE.
#include "store/schema.hpp"

#include <algorithm>
#include <vector>

#include <string>
#include <vector>

namespace parley::relay {

namespace {

struct Migration {
  int version;
  const char* sql;
};

constexpr const char* kV1 = R"sql(
CREATE TABLE tenants (
  id            TEXT PRIMARY KEY,
  slug          TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  settings_json TEXT NOT NULL DEFAULT '{}',
  created_at    INTEGER NOT NULL
);

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_tenant ON users(tenant_id, username);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_keys (
  key_hash   TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE contacts (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  email       TEXT NOT NULL DEFAULT '',
  phone       TEXT NOT NULL DEFAULT '',
  external_id TEXT NOT NULL DEFAULT '',
  channel     TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX contacts_external ON contacts(tenant_id, channel, external_id);

CREATE TABLE visitors (
  token_hash TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE conversations (
  id                      TEXT PRIMARY KEY,
  tenant_id               TEXT NOT NULL,
  contact_id              TEXT NOT NULL DEFAULT '',
  channel                 TEXT NOT NULL,
  status                  TEXT NOT NULL,
  ending                  TEXT NOT NULL,
  priority                TEXT NOT NULL,
  answered_by             TEXT NOT NULL,
  topic                   TEXT NOT NULL DEFAULT '',
  issue_type              TEXT NOT NULL DEFAULT '',
  assignee_id             TEXT NOT NULL DEFAULT '',
  assignee_name           TEXT NOT NULL DEFAULT '',
  previous_agent_id       TEXT NOT NULL DEFAULT '',
  resolution              TEXT NOT NULL DEFAULT '',
  handoff_summary         TEXT NOT NULL DEFAULT '',
  unanswered_turns        INTEGER NOT NULL DEFAULT 0,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  handed_off_at           INTEGER NOT NULL DEFAULT 0,
  assigned_at             INTEGER NOT NULL DEFAULT 0,
  first_agent_response_at INTEGER NOT NULL DEFAULT 0,
  resolved_at             INTEGER NOT NULL DEFAULT 0,
  head_seq                INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_status ON conversations(tenant_id, status);
CREATE INDEX conversations_updated ON conversations(tenant_id, updated_at);
CREATE INDEX conversations_contact ON conversations(tenant_id, contact_id);

CREATE TABLE events (
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  tenant_id       TEXT NOT NULL,
  type            TEXT NOT NULL,
  audience        TEXT NOT NULL,
  actor_role      TEXT NOT NULL,
  actor_id        TEXT NOT NULL DEFAULT '',
  actor_name      TEXT NOT NULL DEFAULT '',
  data_json       TEXT NOT NULL DEFAULT '{}',
  at              INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  tenant_id       TEXT NOT NULL,
  client_msg_id   TEXT,
  sender_role     TEXT NOT NULL,
  sender_id       TEXT NOT NULL DEFAULT '',
  sender_name     TEXT NOT NULL DEFAULT '',
  kind            TEXT NOT NULL,
  text            TEXT NOT NULL DEFAULT '',
  at              INTEGER NOT NULL,
  UNIQUE (conversation_id, seq),
  UNIQUE (conversation_id, client_msg_id)
);

CREATE VIRTUAL TABLE messages_fts USING fts5(
  text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE kb_articles (
  id        TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  title     TEXT NOT NULL,
  body      TEXT NOT NULL DEFAULT '',
  keywords  TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE audit (
  id         INTEGER PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id   TEXT NOT NULL DEFAULT '',
  action     TEXT NOT NULL,
  target     TEXT NOT NULL DEFAULT '',
  data_json  TEXT NOT NULL DEFAULT '{}',
  at         INTEGER NOT NULL
);
CREATE INDEX audit_tenant_at ON audit(tenant_id, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
)sql";

// v2: the web page a conversation was started from (chat.start "page"), shown to staff.
constexpr const char* kV2 = R"sql(
ALTER TABLE conversations ADD COLUMN page_url      TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN page_title    TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN page_referrer TEXT NOT NULL DEFAULT '';
)sql";

// v3: messages are indexed for search by the code that inserts them (append_event, through
// Db::defer: once per write batch, outside the per-op savepoints at which FTS5 flushes a new
// index segment), not by a trigger.
constexpr const char* kV3 = R"sql(
DROP TRIGGER IF EXISTS messages_fts_ai;
)sql";

// v4: API keys get an id, scopes and a lifecycle (issue 6, security 1), and a change log tells a
// running relay what another process (parleyctl) changed (issue 6, security 2 / correctness 5).
//  - api_keys is rebuilt (SQLite cannot add a column with a per-row default): id "key_" + 24 hex
//    characters, scopes as a comma list of sync|read|write|admin (store/api_keys.hpp), times in
//    unix ms with 0 = never. Keys that existed before v4 acted as a tenant admin: they get every
//    scope, so they keep working exactly as before (revoke and re-create them to narrow them).
//  - change_log is append-only for writers; AUTOINCREMENT keeps ids increasing even after old
//    rows are pruned (readers remember the last id they saw).
constexpr const char* kV4 = R"sql(
CREATE TABLE api_keys_v4 (
  id           TEXT PRIMARY KEY,
  key_hash     TEXT NOT NULL UNIQUE,
  tenant_id    TEXT NOT NULL,
  name         TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0,
  revoked_at   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO api_keys_v4(id, key_hash, tenant_id, name, scopes, created_at)
  SELECT 'key_' || lower(hex(randomblob(12))), key_hash, tenant_id, name, 'sync,read,write,admin', created_at
  FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_v4 RENAME TO api_keys;
CREATE INDEX api_keys_tenant ON api_keys(tenant_id, created_at);

CREATE TABLE change_log (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  tenant_id TEXT NOT NULL,
  kind      TEXT NOT NULL,
  target    TEXT NOT NULL DEFAULT ''
);
)sql";

// v5: indexes for the reads of a relay that keeps only open conversations in memory (issue 6,
// correctness 4): the start-up load of open conversations, the "recent" list served from the
// database, and client_msg_id look-ups across a tenant's whole history (idempotent sync and
// chat.start re-sends after the conversation left memory).
constexpr const char* kV5 = R"sql(
CREATE INDEX IF NOT EXISTS conversations_open ON conversations(tenant_id, created_at, id) WHERE status <> 'resolved';
CREATE INDEX IF NOT EXISTS conversations_recent ON conversations(tenant_id, updated_at DESC, id);
CREATE INDEX IF NOT EXISTS messages_client_msg ON messages(tenant_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
)sql";

// v6: routing (issue 9, "Queue and routing", "People and presence"): each tenant's routing
// settings (mode, capacities, idle and unanswered times, which topic needs which skills or team),
// its teams (a team may own a queue and set its own mode), and each agent's profile (skills,
// teams, capacity, the status they chose). Lists are JSON arrays; -1 capacity = the default.
constexpr const char* kV6 = R"sql(
CREATE TABLE routing_settings (
  tenant_id     TEXT PRIMARY KEY,
  settings_json TEXT NOT NULL DEFAULT '{}',
  updated_at    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE teams (
  tenant_id    TEXT NOT NULL,
  id           TEXT NOT NULL,
  name         TEXT NOT NULL,
  routing_mode TEXT NOT NULL DEFAULT '',
  owns_queue   INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE TABLE agent_profiles (
  tenant_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  skills     TEXT NOT NULL DEFAULT '[]',
  teams      TEXT NOT NULL DEFAULT '[]',
  capacity   INTEGER NOT NULL DEFAULT -1,
  status     TEXT NOT NULL DEFAULT 'online',
  updated_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, user_id)
);
)sql";

// v7 (issue 9, working a conversation): the team a conversation was transferred to (a plain name
// until teams are records), and canned responses: the tenant's (owner_id '') and personal ones.
constexpr const char* kV7 = R"sql(
ALTER TABLE conversations ADD COLUMN team TEXT NOT NULL DEFAULT '';
CREATE TABLE canned_responses (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  owner_id   TEXT NOT NULL DEFAULT '',
  shortcut   TEXT NOT NULL,
  title      TEXT NOT NULL DEFAULT '',
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX canned_responses_shortcut ON canned_responses(tenant_id, owner_id, shortcut);
)sql";

// v8 (issue 9, supervise): the satisfaction survey on the conversation (rating 1..5, 0 = none),
// the link of a follow-up conversation to the resolved one it continues (the reopen window), and
// an index for the live dashboard's start-up fold of today's events (events by tenant and time)
// and for the conversations view's filters (by assignee, by contact's previous conversations).
constexpr const char* kV8 = R"sql(
ALTER TABLE conversations ADD COLUMN csat_rating       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN csat_comment      TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN csat_at           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN csat_requested_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN previous_conversation_id TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS events_tenant_at ON events(tenant_id, at);
CREATE INDEX IF NOT EXISTS conversations_assignee ON conversations(tenant_id, assignee_id, updated_at);
)sql";

// v9 (issue 7): conversations_updated (tenant_id, updated_at) is covered by conversations_recent
// (tenant_id, updated_at DESC, id), which every updated_at query can use in either direction, and
// updated_at changes with every message: one index write per message saved. (6-8 are the chat
// centre's.)
constexpr const char* kV9 = R"sql(
DROP INDEX IF EXISTS conversations_updated;
)sql";

// v10 (issue 9, attachments; docs/architecture.md "Attachments"): the metadata of uploaded files.
// The bytes are files beside the database (<data-dir>/files/<sha256[0:2]>/<sha256>), written and
// fsynced before the row commits. A file message carries its attachment (id, name, type, size) in
// messages.attachment_json, so transcripts read it without a join; the attachments row is the
// authority for downloads (tenant, conversation, hash).
constexpr const char* kV10 = R"sql(
CREATE TABLE attachments (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  sha256          TEXT NOT NULL,
  size            INTEGER NOT NULL,
  content_type    TEXT NOT NULL,
  name            TEXT NOT NULL,
  uploader_role   TEXT NOT NULL,
  uploader_id     TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  scan_status     TEXT NOT NULL DEFAULT 'not_scanned'
);
CREATE INDEX attachments_conversation ON attachments(tenant_id, conversation_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);
ALTER TABLE messages ADD COLUMN attachment_json TEXT NOT NULL DEFAULT '';
)sql";

// v11 (issue 9, mail and the offline path): a customer's message left while nobody was
// available, with the address the staff answer goes to (app/offline/offline.hpp).
constexpr const char* kV11 = R"sql(
CREATE TABLE IF NOT EXISTS offline_requests (
  conversation_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS offline_requests_tenant ON offline_requests(tenant_id, created_at);
)sql";

// v12 (issue 9, tickets and blocks; parley/tickets.hpp): tickets made from chats (one per
// conversation; the transcript is the conversation's messages) and blocks of abusive visitors by
// contact or by address.
constexpr const char* kV12 = R"sql(
CREATE TABLE IF NOT EXISTS tickets (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  contact_id      TEXT NOT NULL,
  title           TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'open',
  priority        TEXT NOT NULL DEFAULT 'normal',
  assignee_id     TEXT NOT NULL DEFAULT '',
  created_by      TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  solved_at       INTEGER NOT NULL DEFAULT 0,
  closed_at       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS tickets_conversation ON tickets(tenant_id, conversation_id);
CREATE INDEX IF NOT EXISTS tickets_recent ON tickets(tenant_id, updated_at);
CREATE INDEX IF NOT EXISTS tickets_contact ON tickets(tenant_id, contact_id, updated_at);
CREATE TABLE IF NOT EXISTS blocks (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  kind       TEXT NOT NULL,
  target     TEXT NOT NULL,
  reason     TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0,
  lifted_at  INTEGER NOT NULL DEFAULT 0,
  lifted_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS blocks_tenant ON blocks(tenant_id, created_at);
)sql";

// v15 (issue 10, knowledge-base management; parley/kb_admin.hpp, parley/kb_query.hpp): articles
// gain category, language, active flag, times and a usage count, and an explicit INTEGER PRIMARY
// KEY `n` (the FTS5 tables are keyed by it; VACUUM may renumber implicit rowids, see the top of
// this file), so the table is rebuilt, keeping every row in its order. Full-text search in two
// FTS5 tables kept in step by triggers (any writer, the relay or parleyctl, keeps them right):
// kb_fts_en (porter stemmer: English, and articles of no stated language) and kb_fts_intl
// (unicode61 alone: every other language; the question's side stems those, kb_query.hpp). A
// usage bump (UPDATE OF usage_count) does not touch the index. Synonyms per tenant: a word and the
// words (JSON array) it also searches for.
constexpr const char* kV15 = R"sql(
CREATE TABLE kb_articles_v15 (
  n           INTEGER PRIMARY KEY,
  id          TEXT NOT NULL,
  tenant_id   TEXT NOT NULL,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL DEFAULT '',
  keywords    TEXT NOT NULL DEFAULT '[]',
  category    TEXT NOT NULL DEFAULT '',
  language    TEXT NOT NULL DEFAULT '',
  active      INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL DEFAULT 0,
  updated_at  INTEGER NOT NULL DEFAULT 0,
  usage_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, id)
);
INSERT INTO kb_articles_v15(id, tenant_id, title, body, keywords)
  SELECT id, tenant_id, title, body, keywords FROM kb_articles ORDER BY rowid;
DROP TABLE kb_articles;
ALTER TABLE kb_articles_v15 RENAME TO kb_articles;
CREATE INDEX kb_articles_category ON kb_articles(tenant_id, category);

CREATE VIRTUAL TABLE kb_fts_en USING fts5(
  title, body, keywords, content='kb_articles', content_rowid='n',
  tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE kb_fts_intl USING fts5(
  title, body, keywords, content='kb_articles', content_rowid='n',
  tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER kb_fts_ai AFTER INSERT ON kb_articles BEGIN
  INSERT INTO kb_fts_en(rowid, title, body, keywords)
    SELECT new.n, new.title, new.body, new.keywords WHERE new.language IN ('', 'en');
  INSERT INTO kb_fts_intl(rowid, title, body, keywords)
    SELECT new.n, new.title, new.body, new.keywords WHERE new.language NOT IN ('', 'en');
END;
CREATE TRIGGER kb_fts_ad AFTER DELETE ON kb_articles BEGIN
  INSERT INTO kb_fts_en(kb_fts_en, rowid, title, body, keywords)
    SELECT 'delete', old.n, old.title, old.body, old.keywords WHERE old.language IN ('', 'en');
  INSERT INTO kb_fts_intl(kb_fts_intl, rowid, title, body, keywords)
    SELECT 'delete', old.n, old.title, old.body, old.keywords WHERE old.language NOT IN ('', 'en');
END;
CREATE TRIGGER kb_fts_au AFTER UPDATE OF title, body, keywords, language ON kb_articles BEGIN
  INSERT INTO kb_fts_en(kb_fts_en, rowid, title, body, keywords)
    SELECT 'delete', old.n, old.title, old.body, old.keywords WHERE old.language IN ('', 'en');
  INSERT INTO kb_fts_intl(kb_fts_intl, rowid, title, body, keywords)
    SELECT 'delete', old.n, old.title, old.body, old.keywords WHERE old.language NOT IN ('', 'en');
  INSERT INTO kb_fts_en(rowid, title, body, keywords)
    SELECT new.n, new.title, new.body, new.keywords WHERE new.language IN ('', 'en');
  INSERT INTO kb_fts_intl(rowid, title, body, keywords)
    SELECT new.n, new.title, new.body, new.keywords WHERE new.language NOT IN ('', 'en');
END;
INSERT INTO kb_fts_en(rowid, title, body, keywords) SELECT n, title, body, keywords FROM kb_articles;

CREATE TABLE kb_synonyms (
  tenant_id TEXT NOT NULL,
  word      TEXT NOT NULL,
  synonyms  TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (tenant_id, word)
);
)sql";

// v14 (issue 11, channels): the webhook inbox (verified raw bodies, stored before the provider
// is answered, processed from here; a restart processes rows with processed_at 0), channel
// accounts per tenant (WhatsApp phone number ids with their settings), every delivery status
// reported (deduplicated by message id + state, pricing kept), and the generic outbox (one row per
// outbound message of any channel; app/channels/outbox.hpp).
constexpr const char* kV14 = R"sql(
CREATE TABLE IF NOT EXISTS webhook_inbox (
  id           TEXT PRIMARY KEY,
  provider     TEXT NOT NULL,
  tenant_id    TEXT NOT NULL DEFAULT '',
  received_at  INTEGER NOT NULL,
  raw          BLOB NOT NULL,
  processed_at INTEGER NOT NULL DEFAULT 0,
  error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS webhook_inbox_todo ON webhook_inbox(processed_at, received_at);
CREATE TABLE IF NOT EXISTS channel_accounts (
  tenant_id  TEXT NOT NULL,
  provider   TEXT NOT NULL,
  account_id TEXT NOT NULL,
  config     TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, provider),
  UNIQUE (provider, account_id)
);
CREATE TABLE IF NOT EXISTS delivery_statuses (
  tenant_id    TEXT NOT NULL,
  provider     TEXT NOT NULL,
  provider_id  TEXT NOT NULL,
  state        TEXT NOT NULL,
  recipient_id TEXT NOT NULL DEFAULT '',
  at           INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  error_code   INTEGER NOT NULL DEFAULT 0,
  error_title  TEXT NOT NULL DEFAULT '',
  error_detail TEXT NOT NULL DEFAULT '',
  pricing      TEXT NOT NULL DEFAULT 'null',
  PRIMARY KEY (tenant_id, provider, provider_id, state)
);
CREATE TABLE IF NOT EXISTS outbox (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,
  channel         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL DEFAULT 0,
  lane            TEXT NOT NULL,
  recipient       TEXT NOT NULL,
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  error_code      INTEGER NOT NULL DEFAULT 0,
  error_class     TEXT NOT NULL DEFAULT '',
  provider_id     TEXT NOT NULL DEFAULT '',
  delivery        TEXT NOT NULL DEFAULT 'pending',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_open ON outbox(state);
CREATE INDEX IF NOT EXISTS outbox_conversation ON outbox(conversation_id);
CREATE INDEX IF NOT EXISTS outbox_provider ON outbox(channel, provider_id);
CREATE UNIQUE INDEX IF NOT EXISTS outbox_message ON outbox(conversation_id, seq) WHERE seq > 0;
)sql";

// v13 (issue 9, staff accounts by mail; parley/staff_access.hpp): users get an e-mail address
// (stored normalised, "" when none); invitations and password resets are one-time tokens stored
// as their sha256 only, tenant-scoped, with their expiry and when they were used or withdrawn.
constexpr const char* kV13 = R"sql(
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS users_email ON users(email);
CREATE TABLE IF NOT EXISTS invitations (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  email       TEXT NOT NULL,
  role        TEXT NOT NULL,
  token_hash  TEXT NOT NULL UNIQUE,
  invited_by  TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  accepted_at INTEGER NOT NULL DEFAULT 0,
  user_id     TEXT NOT NULL DEFAULT '',
  revoked_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS invitations_tenant ON invitations(tenant_id, created_at);
CREATE TABLE IF NOT EXISTS password_resets (
  token_hash TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS password_resets_user ON password_resets(user_id);
)sql";

// v16 (issue 10, LLM providers; app/assistant/llm_service.hpp): each tenant's provider settings
// (the key is a secret: never exported or audited) and every provider call's tokens and cost.
// Amounts are integers (thousandths of the temperature, micro-USD prices and budget, nano-USD per
// call) so sums are exact.
constexpr const char* kV16 = R"sql(
CREATE TABLE IF NOT EXISTS llm_settings (
  tenant_id           TEXT PRIMARY KEY,
  provider            TEXT NOT NULL DEFAULT 'builtin',
  base_url            TEXT NOT NULL DEFAULT '',
  model               TEXT NOT NULL DEFAULT '',
  cheap_model         TEXT NOT NULL DEFAULT '',
  api_key             TEXT NOT NULL DEFAULT '',
  temperature_milli   INTEGER NOT NULL DEFAULT 300,
  max_tokens          INTEGER NOT NULL DEFAULT 512,
  budget_micro_usd    INTEGER NOT NULL DEFAULT 0,
  input_micro_usd_per_mtok  INTEGER NOT NULL DEFAULT 0,
  output_micro_usd_per_mtok INTEGER NOT NULL DEFAULT 0,
  updated_at          INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS llm_usage (
  id                INTEGER PRIMARY KEY,
  tenant_id         TEXT NOT NULL,
  conversation_id   TEXT NOT NULL,
  model             TEXT NOT NULL,
  prompt_tokens     INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cost_nano_usd     INTEGER NOT NULL,
  outcome           TEXT NOT NULL,
  at                INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_usage_tenant ON llm_usage(tenant_id, at);
CREATE INDEX IF NOT EXISTS llm_usage_conversation ON llm_usage(tenant_id, conversation_id, at);
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
    {2, kV2},
    {3, kV3},
    {4, kV4},
    {5, kV5},
    {6, kV6},
    {7, kV7},
    {8, kV8},
    {9, kV9},
    {10, kV10},
    {11, kV11},
    {12, kV12},
    {13, kV13},
    {14, kV14},
    {15, kV15},
    {16, kV16},
};

constexpr const char* kCreateMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";

// Applies `m` unless another connection applied it first. One IMMEDIATE transaction.
std::optional<Error> apply_one(Db& db, const Migration& m, Millis now) {
  if (auto e = db.exec("BEGIN IMMEDIATE")) return e;
  auto fail = [&](Error e) -> std::optional<Error> {
    db.exec("ROLLBACK");
    e.message = "migration " + std::to_string(m.version) + ": " + e.message;
    return e;
  };
  {
    Stmt q = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
    q.bind(1, std::int64_t{m.version});
    const bool applied = q.step();
    if (q.error()) return fail(*q.error());
    if (applied) {
      q.reset();
      db.exec("ROLLBACK");
      return std::nullopt;
    }
  }
  if (auto e = db.exec(m.sql)) return fail(*e);
  {
    Stmt ins = db.prepare("INSERT INTO schema_migrations(version, applied_at) VALUES (?1, ?2)");
    ins.bind(1, std::int64_t{m.version}).bind(2, now);
    if (auto e = ins.run()) return fail(*e);
  }
  if (auto e = db.exec("COMMIT")) return fail(*e);
  return std::nullopt;
}

}  // namespace

int latest_schema_version() {
  int v = 0;
  for (const Migration& m : kMigrations) v = std::max(v, m.version);
  return v;
}
int schema_migration_count() { return static_cast<int>(std::size(kMigrations)); }

Result<int> schema_version(Db& db) {
  if (auto e = db.exec(kCreateMigrations)) return *e;
  Stmt q = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!q.step()) {
    if (q.error()) return *q.error();
    return 0;
  }
  return static_cast<int>(q.col_int(0));
}

std::optional<Error> migrate(Db& db, Millis now) {
  auto current = schema_version(db);
  if (!current) return current.error();
  if (*current > latest_schema_version()) {
    return make_error(ErrorCode::unavailable, "database schema version " + std::to_string(*current) +
                                                  " is newer than this build (" +
                                                  std::to_string(latest_schema_version()) + ")");
  }
  // Every known migration not recorded yet, in the table's order. Migrations are numbered by the
  // change that brought them and land in either order (v15 reached main before v13 and v14), so a
  // database at v15 may still lack v13: every one not applied yet is applied, not only those above the highest
  // applied number. The recorded set is read once; apply_one checks again inside its transaction
  // (another connection may be migrating too).
  std::vector<int> applied;
  {
    Stmt q = db.prepare("SELECT version FROM schema_migrations");
    while (q.step()) applied.push_back(static_cast<int>(q.col_int(0)));
    if (q.error()) return *q.error();
  }
  for (const Migration& m : kMigrations) {
    if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) continue;
    if (auto e = apply_one(db, m, now)) return e;
  }
  return std::nullopt;
}

}  // namespace parley::relay
