// relay/src/store/repo_tickets.cpp: tickets and blocks (repo_tickets.hpp). Every statement binds
// its parameters; no SQL text is ever built from data.
#include "store/repo_tickets.hpp"

namespace parley::relay {

namespace {
constexpr const char* kTicketCols =
    "id, tenant_id, conversation_id, contact_id, title, description, status, priority, assignee_id, created_by,"
    " created_at, updated_at, solved_at, closed_at";
constexpr const char* kBlockCols =
    "id, tenant_id, kind, target, reason, created_by, created_at, expires_at, lifted_at, lifted_by";

Ticket ticket_row(const Stmt& q) {
  Ticket t;
  t.id = q.col_text(0);
  t.tenant_id = q.col_text(1);
  t.conversation_id = q.col_text(2);
  t.contact_id = q.col_text(3);
  t.title = q.col_text(4);
  t.description = q.col_text(5);
  t.status = parse_ticket_status(q.col_text(6)).value_or(TicketStatus::open);
  t.priority = parse_priority(q.col_text(7)).value_or(Priority::normal);
  t.assignee_id = q.col_text(8);
  t.created_by = q.col_text(9);
  t.created_at = q.col_int(10);
  t.updated_at = q.col_int(11);
  t.solved_at = q.col_int(12);
  t.closed_at = q.col_int(13);
  return t;
}

Block block_row(const Stmt& q) {
  Block b;
  b.rule.id = q.col_text(0);
  b.tenant_id = q.col_text(1);
  b.rule.kind = parse_block_kind(q.col_text(2)).value_or(BlockKind::contact);
  b.rule.target = q.col_text(3);
  b.reason = q.col_text(4);
  b.created_by = q.col_text(5);
  b.rule.created_at = q.col_int(6);
  b.rule.expires_at = q.col_int(7);
  b.rule.lifted_at = q.col_int(8);
  b.lifted_by = q.col_text(9);
  return b;
}

template <class T, class Row>
Result<std::vector<T>> all(Stmt& q, Row row) {
  std::vector<T> out;
  while (q.step()) out.push_back(row(q));
  if (q.error()) return *q.error();
  return out;
}

template <class T, class Row>
Result<std::optional<T>> one(Stmt& q, Row row) {
  if (q.step()) return std::optional<T>(row(q));
  if (q.error()) return *q.error();
  return std::optional<T>{};
}
}  // namespace

std::optional<Error> insert_ticket(Db& db, const Ticket& t) {
  Stmt q = db.prepare(std::string("INSERT INTO tickets(") + kTicketCols +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  q.bind(1, t.id).bind(2, t.tenant_id).bind(3, t.conversation_id).bind(4, t.contact_id).bind(5, t.title);
  q.bind(6, t.description).bind(7, std::string(to_string(t.status))).bind(8, std::string(to_string(t.priority)));
  q.bind(9, t.assignee_id).bind(10, t.created_by).bind(11, t.created_at).bind(12, t.updated_at);
  q.bind(13, t.solved_at).bind(14, t.closed_at);
  return q.run();
}

std::optional<Error> update_ticket(Db& db, const Ticket& t) {
  Stmt q = db.prepare(
      "UPDATE tickets SET status = ?3, priority = ?4, assignee_id = ?5, updated_at = ?6, solved_at = ?7,"
      " closed_at = ?8 WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, t.tenant_id).bind(2, t.id).bind(3, std::string(to_string(t.status)));
  q.bind(4, std::string(to_string(t.priority))).bind(5, t.assignee_id).bind(6, t.updated_at);
  q.bind(7, t.solved_at).bind(8, t.closed_at);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no such ticket");
  return std::nullopt;
}

std::optional<Error> insert_block(Db& db, const Block& b) {
  Stmt q = db.prepare(std::string("INSERT INTO blocks(") + kBlockCols +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  q.bind(1, b.rule.id).bind(2, b.tenant_id).bind(3, std::string(to_string(b.rule.kind))).bind(4, b.rule.target);
  q.bind(5, b.reason).bind(6, b.created_by).bind(7, b.rule.created_at).bind(8, b.rule.expires_at);
  q.bind(9, b.rule.lifted_at).bind(10, b.lifted_by);
  return q.run();
}

std::optional<Error> lift_block(Db& db, const LiftBlock& m) {
  Stmt q = db.prepare(
      "UPDATE blocks SET lifted_at = CASE WHEN lifted_at = 0 THEN ?3 ELSE lifted_at END,"
      " lifted_by = CASE WHEN lifted_at = 0 THEN ?4 ELSE lifted_by END WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, m.tenant_id).bind(2, m.id).bind(3, m.at).bind(4, m.by);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no such block");
  return std::nullopt;
}

Result<std::optional<Ticket>> find_ticket(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare(std::string("SELECT ") + kTicketCols + " FROM tickets WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  return one<Ticket>(q, ticket_row);
}

Result<std::optional<Ticket>> find_conversation_ticket(Db& db, const std::string& tenant_id,
                                                       const std::string& conversation_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kTicketCols +
                      " FROM tickets WHERE tenant_id = ?1 AND conversation_id = ?2");
  q.bind(1, tenant_id).bind(2, conversation_id);
  return one<Ticket>(q, ticket_row);
}

Result<TicketPage> list_tickets(Db& db, const std::string& tenant_id, const TicketQuery& tq) {
  // Empty filters match everything: (?2 = '' OR status = ?2) keeps one statement text.
  constexpr const char* kWhere =
      " FROM tickets WHERE tenant_id = ?1 AND (?2 = '' OR status = ?2) AND (?3 = '' OR assignee_id = ?3)"
      " AND (?4 = '' OR contact_id = ?4)";
  const std::string status = tq.status ? std::string(to_string(*tq.status)) : std::string();
  TicketPage page;
  {
    Stmt q = db.prepare(std::string("SELECT ") + kTicketCols + kWhere +
                        " ORDER BY updated_at DESC, id DESC LIMIT ?5 OFFSET ?6");
    q.bind(1, tenant_id).bind(2, status).bind(3, tq.assignee_id).bind(4, tq.contact_id);
    q.bind(5, static_cast<std::int64_t>(tq.limit)).bind(6, static_cast<std::int64_t>(tq.offset));
    auto rows = all<Ticket>(q, ticket_row);
    if (!rows) return rows.error();
    page.tickets = std::move(rows).value();
  }
  Stmt c = db.prepare(std::string("SELECT COUNT(*)") + kWhere);
  c.bind(1, tenant_id).bind(2, status).bind(3, tq.assignee_id).bind(4, tq.contact_id);
  if (c.step()) page.total = c.col_int(0);
  if (c.error()) return *c.error();
  return page;
}

Result<std::vector<Ticket>> contact_tickets(Db& db, const std::string& tenant_id, const std::string& contact_id,
                                            std::size_t limit) {
  Stmt q = db.prepare(std::string("SELECT ") + kTicketCols +
                      " FROM tickets WHERE tenant_id = ?1 AND contact_id = ?2 ORDER BY updated_at DESC, id DESC"
                      " LIMIT ?3");
  q.bind(1, tenant_id).bind(2, contact_id).bind(3, static_cast<std::int64_t>(limit));
  return all<Ticket>(q, ticket_row);
}

Result<std::vector<Block>> load_blocks(Db& db) {
  Stmt q = db.prepare(std::string("SELECT ") + kBlockCols + " FROM blocks WHERE lifted_at = 0 ORDER BY created_at");
  return all<Block>(q, block_row);
}

Result<std::vector<Block>> list_blocks(Db& db, const std::string& tenant_id, std::size_t limit) {
  Stmt q = db.prepare(std::string("SELECT ") + kBlockCols +
                      " FROM blocks WHERE tenant_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2");
  q.bind(1, tenant_id).bind(2, static_cast<std::int64_t>(limit));
  return all<Block>(q, block_row);
}

Result<std::optional<Block>> find_block(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare(std::string("SELECT ") + kBlockCols + " FROM blocks WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  return one<Block>(q, block_row);
}

}  // namespace parley::relay
