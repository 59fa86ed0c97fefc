// relay/src/store/repo_conversations.cpp: conversations, their events and messages (see
// repo.hpp), and the conversation row reader shared with repo_queries.cpp (repo_rows.hpp).
// Every statement binds its parameters; no SQL text is ever built from data.
#include <cctype>
#include <string_view>

#include "store/repo.hpp"
#include "store/repo_helpers.hpp"
#include "store/repo_rows.hpp"

namespace parley::relay {

using repo_helpers::clamp_count;
using repo_helpers::dump_json;
using repo_helpers::fts_query;
using repo_helpers::read_enum;
using repo_helpers::Savepoint;

namespace {


}  // namespace

// Shared with repo_queries.cpp (declared in store/repo_rows.hpp).
std::optional<Error> read_conversation(const Stmt& q, Conversation& c) {
  c.id = q.col_text(0);
  c.tenant_id = q.col_text(1);
  c.contact_id = q.col_text(2);
  if (auto e = read_enum(q, 3, &parse_channel, "channel", c.channel)) return e;
  if (auto e = read_enum(q, 4, &parse_status, "status", c.status)) return e;
  if (auto e = read_enum(q, 5, &parse_ending, "ending", c.ending)) return e;
  if (auto e = read_enum(q, 6, &parse_priority, "priority", c.priority)) return e;
  if (auto e = read_enum(q, 7, &parse_answerer, "answered_by", c.answered_by)) return e;
  c.topic = q.col_text(8);
  c.issue_type = q.col_text(9);
  c.assignee_id = q.col_text(10);
  c.assignee_name = q.col_text(11);
  c.previous_agent_id = q.col_text(12);
  c.resolution = q.col_text(13);
  c.handoff_summary = q.col_text(14);
  c.unanswered_turns = static_cast<int>(q.col_int(15));
  c.created_at = q.col_int(16);
  c.updated_at = q.col_int(17);
  c.handed_off_at = q.col_int(18);
  c.assigned_at = q.col_int(19);
  c.first_agent_response_at = q.col_int(20);
  c.resolved_at = q.col_int(21);
  c.head_seq = static_cast<Seq>(q.col_int(22));
  c.page_url = q.col_text(23);
  c.page_title = q.col_text(24);
  c.page_referrer = q.col_text(25);
  c.team = q.col_text(26);
  c.csat_rating = static_cast<int>(q.col_int(27));
  c.csat_comment = q.col_text(28);
  c.csat_at = q.col_int(29);
  c.csat_requested_at = q.col_int(30);
  c.previous_conversation_id = q.col_text(31);
  return std::nullopt;
}

Result<std::vector<Conversation>> collect_conversations(Stmt& q) {
  std::vector<Conversation> out;
  while (q.step()) {
    Conversation c;
    if (auto e = read_conversation(q, c)) return *e;
    out.push_back(std::move(c));
  }
  if (q.error()) return *q.error();
  return out;
}

std::optional<Error> upsert_conversation(Db& db, const Conversation& c) {
  // The tenant of an existing row never changes: the WHERE makes a cross-tenant id clash a no-op,
  // reported below.
  Stmt q =
      db.prepare(std::string("INSERT INTO conversations(") + kConversationCols +
                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
                 " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)"
                 " ON CONFLICT(id) DO UPDATE SET contact_id = excluded.contact_id,"
                 " channel = excluded.channel, status = excluded.status, ending = excluded.ending,"
                 " priority = excluded.priority, answered_by = excluded.answered_by,"
                 " topic = excluded.topic, issue_type = excluded.issue_type,"
                 " assignee_id = excluded.assignee_id, assignee_name = excluded.assignee_name,"
                 " previous_agent_id = excluded.previous_agent_id, resolution = excluded.resolution,"
                 " handoff_summary = excluded.handoff_summary,"
                 " unanswered_turns = excluded.unanswered_turns, created_at = excluded.created_at,"
                 " updated_at = excluded.updated_at, handed_off_at = excluded.handed_off_at,"
                 " assigned_at = excluded.assigned_at,"
                 " first_agent_response_at = excluded.first_agent_response_at,"
                 " resolved_at = excluded.resolved_at, head_seq = excluded.head_seq,"
                 " page_url = excluded.page_url, page_title = excluded.page_title,"
                 " page_referrer = excluded.page_referrer, team = excluded.team,"
                 " csat_rating = excluded.csat_rating, csat_comment = excluded.csat_comment,"
                 " csat_at = excluded.csat_at, csat_requested_at = excluded.csat_requested_at,"
                 " previous_conversation_id = excluded.previous_conversation_id"
                 " WHERE conversations.tenant_id = excluded.tenant_id");
  q.bind(1, c.id)
      .bind(2, c.tenant_id)
      .bind(3, c.contact_id)
      .bind(4, to_string(c.channel))
      .bind(5, to_string(c.status))
      .bind(6, to_string(c.ending))
      .bind(7, to_string(c.priority))
      .bind(8, to_string(c.answered_by))
      .bind(9, c.topic)
      .bind(10, c.issue_type)
      .bind(11, c.assignee_id)
      .bind(12, c.assignee_name)
      .bind(13, c.previous_agent_id)
      .bind(14, c.resolution)
      .bind(15, c.handoff_summary)
      .bind(16, std::int64_t{c.unanswered_turns})
      .bind(17, c.created_at)
      .bind(18, c.updated_at)
      .bind(19, c.handed_off_at)
      .bind(20, c.assigned_at)
      .bind(21, c.first_agent_response_at)
      .bind(22, c.resolved_at)
      .bind(23, static_cast<std::int64_t>(c.head_seq))
      .bind(24, c.page_url)
      .bind(25, c.page_title)
      .bind(26, c.page_referrer)
      .bind(27, c.team)
      .bind(28, std::int64_t{c.csat_rating})
      .bind(29, c.csat_comment)
      .bind(30, c.csat_at)
      .bind(31, c.csat_requested_at)
      .bind(32, c.previous_conversation_id);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) {
    return make_error(ErrorCode::internal, "conversation " + c.id + " belongs to another tenant");
  }
  return std::nullopt;
}

std::optional<Error> append_event(Db& db, const std::string& tenant_id, const Event& e) {
  if (e.seq == 0) return make_error(ErrorCode::internal, "ephemeral events (seq 0) are not stored");
  std::optional<Message> msg;
  if (e.type == ev::new_message) {
    const Json* mj = e.data.is_object() && e.data.contains("message") ? &e.data["message"] : nullptr;
    if (mj == nullptr)
      return make_error(ErrorCode::missing_field, "chat.new_message without data.message", "message");
    auto m = message_from_json(*mj);
    if (!m) return m.error();
    if (m->conversation_id != e.conversation_id || m->seq != e.seq) {
      return make_error(ErrorCode::bad_field, "message conversation_id/seq differ from its event's",
                        "message");
    }
    msg = std::move(*m);
  }

  Savepoint sp(db);
  if (sp.error()) return sp.error();
  {
    Stmt q = db.prepare(
        "INSERT INTO events(conversation_id, seq, tenant_id, type, audience, actor_role, actor_id, "
        "actor_name,"
        " data_json, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    q.bind(1, e.conversation_id)
        .bind(2, static_cast<std::int64_t>(e.seq))
        .bind(3, tenant_id)
        .bind(4, e.type)
        .bind(5, to_string(e.audience))
        .bind(6, to_string(e.actor.role))
        .bind(7, e.actor.id)
        .bind(8, e.actor.name)
        .bind(9, dump_json(e.data.is_object() ? e.data : Json::object()))
        .bind(10, e.at);
    if (auto err = q.run()) return err;
  }
  if (msg) {
    Stmt q = db.prepare(
        "INSERT INTO messages(conversation_id, seq, tenant_id, client_msg_id, sender_role, sender_id,"
        " sender_name, kind, text, at, attachment_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    q.bind(1, msg->conversation_id)
        .bind(2, static_cast<std::int64_t>(msg->seq))
        .bind(3, tenant_id)
        .bind_opt(4, msg->client_msg_id)
        .bind(5, to_string(msg->sender_role))
        .bind(6, msg->sender_id)
        .bind(7, msg->sender_name)
        .bind(8, to_string(msg->kind))
        .bind(9, msg->text)
        .bind(10, msg->at)
        .bind(11, msg->attachment ? dump_json(to_json(*msg->attachment)) : std::string());  // schema v10
    if (auto err = q.run()) return err;
    // The search index (schema v3 replaced the AFTER INSERT trigger): outside the writer's
    // savepoints, once per batch (Db::defer).
    const std::int64_t rowid = db.last_insert_rowid();
    if (auto err = db.defer([rowid, text = msg->text](Db& d) -> std::optional<Error> {
          Stmt f = d.prepare("INSERT INTO messages_fts(rowid, text) VALUES (?1, ?2)");
          f.bind(1, rowid).bind(2, text);
          return f.run();
        })) {
      return err;
    }
  }
  return sp.commit();
}

Result<std::vector<Conversation>> load_conversations(Db& db) {
  Stmt q = db.prepare(std::string("SELECT ") + kConversationCols +
                      " FROM conversations ORDER BY tenant_id, created_at, id");
  return collect_conversations(q);
}

Result<std::optional<Conversation>> find_conversation(Db& db, const std::string& tenant_id,
                                                      const std::string& id) {
  Stmt q = db.prepare(std::string("SELECT ") + kConversationCols +
                      " FROM conversations WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  auto all = collect_conversations(q);
  if (!all) return all.error();
  if (all->empty()) return std::optional<Conversation>{};
  return std::optional<Conversation>{std::move(all->front())};
}

Result<std::vector<Event>> events_after(Db& db, const std::string& tenant_id,
                                        const std::string& conversation_id, Seq after_seq, bool staff,
                                        std::size_t limit) {
  Stmt q = db.prepare(
      "SELECT conversation_id, seq, type, audience, actor_role, actor_id, actor_name, data_json, at FROM "
      "events"
      " WHERE tenant_id = ?1 AND conversation_id = ?2 AND seq > ?3 AND (?4 OR audience = 'everyone')"
      " ORDER BY seq LIMIT ?5");
  q.bind(1, tenant_id)
      .bind(2, conversation_id)
      .bind(3, static_cast<std::int64_t>(after_seq))
      .bind(4, std::int64_t{staff ? 1 : 0})
      .bind(5, clamp_count(limit));
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
    if (!e.data.is_object()) {
      return make_error(ErrorCode::internal,
                        "event " + e.conversation_id + "#" + std::to_string(e.seq) + ": bad data");
    }
    e.at = q.col_int(8);
    out.push_back(std::move(e));
  }
  if (q.error()) return *q.error();
  return out;
}

Result<std::vector<std::pair<std::string, Seq>>> client_msg_ids(Db& db, const std::string& conversation_id) {
  Stmt q = db.prepare(
      "SELECT client_msg_id, seq FROM messages WHERE conversation_id = ?1 AND client_msg_id IS NOT NULL "
      "ORDER BY seq");
  q.bind(1, conversation_id);
  std::vector<std::pair<std::string, Seq>> out;
  while (q.step()) out.emplace_back(q.col_text(0), static_cast<Seq>(q.col_int(1)));
  if (q.error()) return *q.error();
  return out;
}

Result<std::vector<Message>> load_messages(Db& db, const std::string& tenant_id,
                                           const std::string& conversation_id, bool staff) {
  // A message is visible to customers when its event is (notes are staff-only events).
  Stmt q = db.prepare(
      std::string("SELECT ") + kMessageCols +
      " FROM messages m JOIN events e ON e.conversation_id = m.conversation_id AND e.seq = m.seq"
      " WHERE m.tenant_id = ?1 AND m.conversation_id = ?2 AND (?3 OR e.audience = 'everyone')"
      " ORDER BY m.seq");
  q.bind(1, tenant_id).bind(2, conversation_id).bind(3, std::int64_t{staff ? 1 : 0});
  std::vector<Message> out;
  while (q.step()) {
    Message m;
    if (auto e = read_message(q, m)) return *e;
    out.push_back(std::move(m));
  }
  if (q.error()) return *q.error();
  return out;
}

Result<std::vector<Conversation>> list_conversations(Db& db, const std::string& tenant_id,
                                                     const ConversationFilter& f) {
  const std::string match = fts_query(f.query);
  // One statement for every filter combination: absent filters are bound as NULL.
  Stmt q = db.prepare(std::string("SELECT ") + kConversationCols +
                      " FROM conversations WHERE tenant_id = ?1 AND (?2 IS NULL OR status = ?2)"
                      " AND (?3 IS NULL OR id IN (SELECT m.conversation_id FROM messages_fts"
                      " JOIN messages m ON m.id = messages_fts.rowid"
                      " WHERE messages_fts MATCH ?3 AND m.tenant_id = ?1))"
                      " ORDER BY updated_at DESC, id DESC LIMIT ?4 OFFSET ?5");
  q.bind(1, tenant_id);
  if (f.status) {
    q.bind(2, to_string(*f.status));
  } else {
    q.bind_null(2);
  }
  q.bind_opt(3, match);
  q.bind(4, clamp_count(f.limit));
  q.bind(5, clamp_count(f.offset));
  return collect_conversations(q);
}

}  // namespace parley::relay
