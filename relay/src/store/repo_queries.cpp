// relay/src/store/repo_queries.cpp: the newer typed queries (see repo_queries.hpp). Every
// statement binds its parameters; no SQL text is ever built from data.
#include "store/repo_queries.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>

#include "store/repo_rows.hpp"

namespace parley::relay {

namespace {

// Row counts as SQLite integers; leaves room for the +1 of "is there more".
std::int64_t clamp_limit(std::size_t n) {
  constexpr std::size_t kMax = std::size_t{1} << 40;
  return static_cast<std::int64_t>(std::min(n, kMax));
}

template <class E>
std::optional<Error> read_enum(const Stmt& q, int col, std::optional<E> (*parse)(std::string_view),
                               std::string_view what, E& out) {
  const std::string s = q.col_text(col);
  const auto v = parse(s);
  if (!v) {
    return make_error(ErrorCode::internal, "stored " + std::string(what) + " has an unknown value '" + s + "'");
  }
  out = *v;
  return std::nullopt;
}

// A read transaction on a reader connection: the statements in its scope see one snapshot.
// Inside a transaction already (a writer's op) it does nothing.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db& db) : db_(db) { began_ = !db_.exec_cached("BEGIN"); }
  ~ReadSnapshot() {
    if (began_) db_.exec_cached("COMMIT");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Db& db_;
  bool began_ = false;
};

}  // namespace

std::optional<Error> read_message(const Stmt& q, Message& m) {
  m.conversation_id = q.col_text(0);
  m.seq = static_cast<Seq>(q.col_int(1));
  m.client_msg_id = q.col_text(2);
  if (auto e = read_enum(q, 3, &parse_role, "sender_role", m.sender_role)) return e;
  m.sender_id = q.col_text(4);
  m.sender_name = q.col_text(5);
  if (auto e = read_enum(q, 6, &parse_message_kind, "kind", m.kind)) return e;
  m.text = q.col_text(7);
  m.at = q.col_int(8);
  if (const std::string a = q.col_text(9); !a.empty()) {  // schema v10: a file message's attachment
    const Json j = Json::parse(a, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      AttachmentRef ref;
      ref.id = j.value("id", "");
      ref.name = j.value("name", "");
      ref.content_type = j.value("content_type", "");
      ref.size = j.value("size", std::uint64_t{0});
      m.attachment = std::move(ref);
    }
  }
  return std::nullopt;
}

// ---- conversations ----

Result<std::vector<Conversation>> load_open_conversations(Db& db) {
  Stmt q = db.prepare(std::string("SELECT ") + kConversationCols +
                      " FROM conversations WHERE status <> 'resolved' ORDER BY tenant_id, created_at, id");
  return collect_conversations(q);
}

Result<std::vector<Conversation>> contact_conversations(Db& db, const std::string& tenant_id,
                                                        const std::string& contact_id, std::size_t limit) {
  Stmt q = db.prepare(std::string("SELECT ") + kConversationCols +
                      " FROM conversations WHERE tenant_id = ?1 AND contact_id = ?2"
                      " ORDER BY created_at DESC, id DESC LIMIT ?3");
  q.bind(1, tenant_id).bind(2, contact_id).bind(3, clamp_limit(limit));
  return collect_conversations(q);
}

Result<StatusCounts> status_counts(Db& db, const std::string& tenant_id) {
  Stmt q = db.prepare("SELECT status, COUNT(*) FROM conversations WHERE tenant_id = ?1 GROUP BY status");
  q.bind(1, tenant_id);
  StatusCounts out;
  while (q.step()) {
    Status s = Status::bot;
    if (auto e = read_enum(q, 0, &parse_status, "status", s)) return *e;
    const std::int64_t n = q.col_int(1);
    switch (s) {
      case Status::bot:
        out.bot = n;
        break;
      case Status::pending:
        out.pending = n;
        break;
      case Status::active:
        out.active = n;
        break;
      case Status::resolved:
        out.resolved = n;
        break;
    }
  }
  if (q.error()) return *q.error();
  return out;
}

Result<DaySums> day_sums(Db& db, const std::string& tenant_id, Millis day_start) {
  // One pass over the tenant's rows, one statement (one snapshot). The conditions are those of
  // the hub's TenantIndex::add_today (and DaySums in domain/store_api.hpp).
  Stmt q = db.prepare(
      "SELECT"
      " COALESCE(SUM(status = 'resolved' AND resolved_at >= ?2), 0),"
      " COALESCE(SUM(CASE WHEN assigned_at >= ?2 AND handed_off_at > 0 AND assigned_at >= handed_off_at"
      "   THEN assigned_at - handed_off_at END), 0),"
      " COALESCE(SUM(assigned_at >= ?2 AND handed_off_at > 0 AND assigned_at >= handed_off_at), 0),"
      " COALESCE(SUM(CASE WHEN first_agent_response_at >= ?2 AND handed_off_at > 0"
      "   AND first_agent_response_at >= handed_off_at THEN first_agent_response_at - handed_off_at END), 0),"
      " COALESCE(SUM(first_agent_response_at >= ?2 AND handed_off_at > 0"
      "   AND first_agent_response_at >= handed_off_at), 0)"
      " FROM conversations WHERE tenant_id = ?1");
  q.bind(1, tenant_id).bind(2, day_start);
  DaySums out;
  if (!q.step()) {
    if (q.error()) return *q.error();
    return out;
  }
  out.resolved_today = q.col_int(0);
  out.wait_sum_ms = q.col_int(1);
  out.wait_n = q.col_int(2);
  out.first_response_sum_ms = q.col_int(3);
  out.first_response_n = q.col_int(4);
  q.reset();
  return out;
}

Result<RecentPage> recent_page(Db& db, const std::string& tenant_id, const RecentQuery& query) {
  ReadSnapshot snapshot(db);
  const bool by_assignee = !query.assignee_id.empty();
  // Rows after the cursor in (updated_at DESC, id ASC): an older update, or the same one and a
  // greater id. No cursor: every row (updated_at < INT64_MAX, and "" sorts before every id).
  // `updated_at <= ?3` is the index range; the OR only trims its first updated_at value.
  const std::string where = std::string(" WHERE tenant_id = ?1") +
                            (by_assignee ? " AND assignee_id = ?6" : " AND ?6 = ''") +
                            " AND (?2 IS NULL OR status = ?2)";
  Stmt q = db.prepare(std::string("SELECT ") + kConversationCols + " FROM conversations" + where +
                      " AND updated_at <= ?3 AND (updated_at < ?3 OR id > ?4)"
                      " ORDER BY updated_at DESC, id ASC LIMIT ?5");
  q.bind(1, tenant_id);
  if (query.status) {
    q.bind(2, to_string(*query.status));
  } else {
    q.bind_null(2);
  }
  if (query.after) {
    q.bind(3, query.after->updated_at).bind(4, query.after->id);
  } else {
    q.bind(3, std::numeric_limits<std::int64_t>::max()).bind(4, std::string_view(""));
  }
  q.bind(5, clamp_limit(query.limit)).bind(6, query.assignee_id);
  auto rows = collect_conversations(q);
  if (!rows) return rows.error();

  Stmt count = db.prepare("SELECT COUNT(*) FROM conversations" + where);
  count.bind(1, tenant_id);
  if (query.status) {
    count.bind(2, to_string(*query.status));
  } else {
    count.bind_null(2);
  }
  count.bind(6, query.assignee_id);
  RecentPage page;
  if (count.step()) page.total = count.col_int(0);
  if (count.error()) return *count.error();
  count.reset();
  page.conversations = std::move(rows).value();
  return page;
}

// ---- messages ----

Result<std::optional<MessageRef>> find_message_by_client_msg_id(Db& db, const std::string& tenant_id,
                                                                const std::string& client_msg_id) {
  if (client_msg_id.empty()) return std::optional<MessageRef>{};  // stored as NULL: never matches
  Stmt q = db.prepare(
      "SELECT conversation_id, seq FROM messages WHERE tenant_id = ?1 AND client_msg_id = ?2"
      " ORDER BY id LIMIT 1");
  q.bind(1, tenant_id).bind(2, client_msg_id);
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<MessageRef>{};
  }
  MessageRef ref{q.col_text(0), static_cast<Seq>(q.col_int(1))};
  q.reset();
  return std::optional<MessageRef>{std::move(ref)};
}

Result<std::vector<std::pair<std::string, Seq>>> recent_client_msg_ids(Db& db, const std::string& tenant_id,
                                                                       const std::string& conversation_id,
                                                                       std::size_t limit) {
  Stmt q = db.prepare(
      "SELECT client_msg_id, seq FROM messages WHERE conversation_id = ?2 AND tenant_id = ?1"
      " AND client_msg_id IS NOT NULL ORDER BY seq DESC LIMIT ?3");
  q.bind(1, tenant_id).bind(2, conversation_id).bind(3, clamp_limit(limit));
  std::vector<std::pair<std::string, Seq>> out;
  while (q.step()) out.emplace_back(q.col_text(0), static_cast<Seq>(q.col_int(1)));
  if (q.error()) return *q.error();
  return out;
}

Result<std::vector<std::string>> last_customer_messages(Db& db, const std::string& tenant_id,
                                                        const std::string& conversation_id, std::size_t n) {
  Stmt q = db.prepare(
      "SELECT text FROM messages WHERE conversation_id = ?2 AND tenant_id = ?1 AND sender_role = 'customer'"
      " ORDER BY seq DESC LIMIT ?3");
  q.bind(1, tenant_id).bind(2, conversation_id).bind(3, clamp_limit(n));
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.col_text(0));
  if (q.error()) return *q.error();
  std::reverse(out.begin(), out.end());
  return out;
}

Result<ConversationPreview> conversation_preview(Db& db, const std::string& tenant_id,
                                                 const std::string& conversation_id) {
  ReadSnapshot snapshot(db);
  ConversationPreview out;
  {
    Stmt q = db.prepare(
        "SELECT text, seq FROM messages WHERE conversation_id = ?2 AND tenant_id = ?1"
        " AND sender_role = 'customer' ORDER BY seq DESC LIMIT 1");
    q.bind(1, tenant_id).bind(2, conversation_id);
    if (q.step()) {
      out.last_customer_text = q.col_text(0);
      out.last_customer_seq = static_cast<Seq>(q.col_int(1));
      q.reset();
    } else if (q.error()) {
      return *q.error();
    }
  }
  {
    // Visible to the customer when its event is (notes are staff-only events).
    Stmt q = db.prepare(
        "SELECT m.text FROM messages m JOIN events e ON e.conversation_id = m.conversation_id AND e.seq = m.seq"
        " WHERE m.conversation_id = ?2 AND m.tenant_id = ?1 AND e.audience = 'everyone'"
        " ORDER BY m.seq DESC LIMIT 1");
    q.bind(1, tenant_id).bind(2, conversation_id);
    if (q.step()) {
      out.last_visible_text = q.col_text(0);
      q.reset();
    } else if (q.error()) {
      return *q.error();
    }
  }
  return out;
}

Result<MessagePage> messages_page(Db& db, const std::string& tenant_id, const std::string& conversation_id,
                                  Seq after_seq, std::size_t limit, bool staff) {
  Stmt q = db.prepare(std::string("SELECT ") + kMessageCols +
                      " FROM messages m JOIN events e ON e.conversation_id = m.conversation_id AND e.seq = m.seq"
                      " WHERE m.conversation_id = ?2 AND m.tenant_id = ?1 AND m.seq > ?3"
                      " AND (?4 OR e.audience = 'everyone') ORDER BY m.seq LIMIT ?5");
  const std::int64_t n = clamp_limit(limit);
  q.bind(1, tenant_id)
      .bind(2, conversation_id)
      .bind(3, static_cast<std::int64_t>(std::min<Seq>(after_seq, std::numeric_limits<std::int64_t>::max())))
      .bind(4, std::int64_t{staff ? 1 : 0})
      .bind(5, n + 1);
  MessagePage page;
  while (q.step()) {
    if (static_cast<std::int64_t>(page.messages.size()) >= n) {
      page.more = true;
      q.reset();
      break;
    }
    Message m;
    if (auto e = read_message(q, m)) return *e;
    page.messages.push_back(std::move(m));
  }
  if (q.error()) return *q.error();
  return page;
}

// ---- staff (writers) ----

std::optional<Error> set_user_disabled(Db& db, const std::string& user_id, bool disabled) {
  Stmt q = db.prepare("UPDATE users SET disabled = ?2 WHERE id = ?1");
  q.bind(1, user_id).bind(2, std::int64_t{disabled ? 1 : 0});
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no user " + user_id);
  return std::nullopt;
}

std::optional<Error> delete_user_sessions_except(Db& db, const std::string& user_id,
                                                 const std::string& keep_token_hash) {
  Stmt q = db.prepare("DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2");
  q.bind(1, user_id).bind(2, keep_token_hash);
  return q.run();
}

}  // namespace parley::relay
