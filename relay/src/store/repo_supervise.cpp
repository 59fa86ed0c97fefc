// relay/src/store/repo_supervise.cpp: the SQLite reads of issue 9's supervision features (see
// domain/store_api.hpp, "issue 9, supervise"): the dashboard's day of events and the
// conversations view with full-text search. Every statement binds its parameters; absent filters
// are bound as NULL so one statement serves every combination.
#include <cctype>
#include <string>
#include <string_view>

#include "parley/metrics.hpp"
#include "store/repo_helpers.hpp"
#include "store/repo_rows.hpp"
#include "store/sqlite_store.hpp"

namespace parley::relay {

using repo_helpers::clamp_count;
using repo_helpers::fts_query;
using repo_helpers::read_enum;

namespace {

// Filters shared by the page and its count: ?1 tenant, ?2 status, ?3 assignee, ?4 priority,
// ?5 issue type, ?6 channel, ?7 from, ?8 to, ?12 contact, ?13 team. The search adds ?9 (its FTS
// query), ?10 and ?11 (the page), ?14 (the count's cap) and ?15 (the messages read).
constexpr const char* kFilters =
    " WHERE tenant_id = ?1 AND (?2 IS NULL OR status = ?2)"
    " AND (?3 IS NULL OR assignee_id = ?3 OR (assignee_id = '' AND previous_agent_id = ?3))"
    " AND (?4 IS NULL OR priority = ?4) AND (?5 IS NULL OR issue_type = ?5)"
    " AND (?6 IS NULL OR channel = ?6) AND (?7 IS NULL OR created_at >= ?7)"
    " AND (?8 IS NULL OR created_at < ?8)"
    " AND (?12 IS NULL OR contact_id = ?12)"  // issue 9: a contact's history (context panel)
    " AND (?13 IS NULL OR team = ?13)";

// Matching messages' conversations with their first matching seq (?9 the FTS query). Only the
// tenant's newest ?15 matching messages are read (FTS5 walks its index in rowid order and the
// LIMIT stops it): a word in nearly every message no longer groups hundreds of thousands of rows
// (docs/benchmarks.md "Supervision"). `matched` counts what was read, to tell a capped search.
constexpr const char* kHits =
    "WITH matched AS (SELECT m.conversation_id AS cid, m.seq AS seq FROM messages_fts"
    " JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?9 AND m.tenant_id = ?1"
    " ORDER BY messages_fts.rowid DESC LIMIT ?15),"
    " hits AS (SELECT cid, MIN(seq) AS match_seq FROM matched GROUP BY cid) ";

void bind_filters(Stmt& q, const std::string& tenant_id, const ConversationSearch& f) {
  q.bind(1, tenant_id);
  if (f.status) q.bind(2, to_string(*f.status)); else q.bind_null(2);
  q.bind_opt(3, f.assignee_id);
  if (f.priority) q.bind(4, to_string(*f.priority)); else q.bind_null(4);
  q.bind_opt(5, f.issue_type);
  if (f.channel) q.bind(6, to_string(*f.channel)); else q.bind_null(6);
  if (f.from > 0) q.bind(7, f.from); else q.bind_null(7);
  if (f.to > 0) q.bind(8, f.to); else q.bind_null(8);
  q.bind_opt(12, f.contact_id);
  q.bind_opt(13, f.team);
}

}  // namespace

Result<std::vector<Event>> SqliteReader::day_events(const std::string& tenant_id, Millis from, Millis to) {
  std::string types;
  for (std::string_view t : counted_event_types()) {
    if (!types.empty()) types += ',';
    types += '\'' + std::string(t) + '\'';  // constants of this build, not data
  }
  Stmt q = db().prepare(
      "SELECT conversation_id, seq, type, audience, actor_role, actor_id, actor_name, data_json, at FROM events"
      " WHERE tenant_id = ?1 AND at >= ?2 AND at < ?3 AND (type IN (" + types +
      ") OR (type = 'chat.new_message' AND data_json LIKE '%\"first_response_ms\"%'))"
      " ORDER BY at, conversation_id, seq");
  q.bind(1, tenant_id).bind(2, from).bind(3, to);
  std::vector<Event> out;
  while (q.step()) {
    Event e;
    e.conversation_id = q.col_text(0);
    e.seq = static_cast<Seq>(q.col_int(1));
    e.type = q.col_text(2);
    if (auto err = read_enum(q, 3, &parse_audience, "audience", e.audience)) return *err;
    if (auto err = read_enum(q, 4, &parse_role, "actor_role", e.actor.role)) return *err;
    e.actor.id = q.col_text(5);
    e.actor.name = q.col_text(6);
    e.data = Json::parse(q.col_text(7), nullptr, /*allow_exceptions=*/false);
    if (!e.data.is_object()) e.data = Json::object();
    e.at = q.col_int(8);
    out.push_back(std::move(e));
  }
  if (q.error()) return *q.error();
  return out;
}

Result<SearchPage> SqliteReader::search_conversations(const std::string& tenant_id, const ConversationSearch& f) {
  const std::string match = fts_query(f.query);
  SearchPage page;
  const std::string from = match.empty() ? " FROM conversations" : " FROM conversations JOIN hits ON hits.cid = id";
  const std::string with = match.empty() ? "" : kHits;
  if (match.empty()) {
    Stmt n = db().prepare("SELECT COUNT(*)" + from + kFilters);
    bind_filters(n, tenant_id, f);
    if (n.step()) page.total = n.col_int(0);
    if (n.error()) return *n.error();
  } else {
    // Counted up to one past the cap, and how many messages were read (the cap reached?).
    Stmt n = db().prepare(with + "SELECT (SELECT COUNT(*) FROM (SELECT 1" + from + kFilters +
                          " LIMIT ?14)), (SELECT COUNT(*) FROM matched)");
    bind_filters(n, tenant_id, f);
    n.bind(9, match).bind(15, kSearchMessageCap).bind(14, kSearchCountCap + 1);
    if (n.step()) {
      page.total = n.col_int(0);
      page.total_capped = page.total > kSearchCountCap || n.col_int(1) >= kSearchMessageCap;
      if (page.total > kSearchCountCap) page.total = kSearchCountCap;
    }
    if (n.error()) return *n.error();
  }
  Stmt q = db().prepare(with + "SELECT " + kConversationCols + (match.empty() ? ", 0" : ", match_seq") + from +
                        kFilters + " ORDER BY updated_at DESC, id DESC LIMIT ?10 OFFSET ?11");
  bind_filters(q, tenant_id, f);
  if (!match.empty()) q.bind(9, match).bind(15, kSearchMessageCap); else q.bind_null(9);
  q.bind(10, clamp_count(f.limit)).bind(11, clamp_count(f.offset));
  while (q.step()) {
    SearchHit h;
    if (auto e = read_conversation(q, h.conversation)) return *e;
    h.match_seq = static_cast<Seq>(q.col_int(32));  // after the 32 columns of kConversationCols
    page.hits.push_back(std::move(h));
  }
  if (q.error()) return *q.error();
  if (match.empty()) return page;
  for (SearchHit& h : page.hits) {
    Stmt s = db().prepare(
        "SELECT snippet(messages_fts, 0, '[', ']', '…', 12) FROM messages_fts WHERE messages_fts MATCH ?1"
        " AND rowid = (SELECT id FROM messages WHERE conversation_id = ?2 AND seq = ?3 AND tenant_id = ?4)");
    s.bind(1, match).bind(2, h.conversation.id).bind(3, static_cast<std::int64_t>(h.match_seq)).bind(4, tenant_id);
    if (s.step()) h.snippet = s.col_text(0);
    if (s.error()) return *s.error();
  }
  return page;
}

}  // namespace parley::relay
