// relay/src/store/repo_contacts.cpp: contacts and visitors (see repo.hpp). Every statement binds its
// parameters; no SQL text is ever built from data.
#include "store/repo.hpp"
#include "store/repo_helpers.hpp"

namespace parley::relay {

using repo_helpers::read_enum;

namespace {

constexpr const char* kContactCols = "id, tenant_id, name, email, phone, external_id, channel, created_at";

Result<std::optional<Contact>> one_contact(Stmt& q) {
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<Contact>{};
  }
  Contact c;
  c.id = q.col_text(0);
  c.tenant_id = q.col_text(1);
  c.name = q.col_text(2);
  c.email = q.col_text(3);
  c.phone = q.col_text(4);
  c.external_id = q.col_text(5);
  if (auto e = read_enum(q, 6, &parse_channel, "channel", c.channel)) return *e;
  c.created_at = q.col_int(7);
  return std::optional<Contact>{std::move(c)};
}

}  // namespace

std::optional<Error> insert_contact(Db& db, const Contact& c) {
  Stmt q = db.prepare(
      "INSERT INTO contacts(id, tenant_id, name, email, phone, external_id, channel, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  q.bind(1, c.id)
      .bind(2, c.tenant_id)
      .bind(3, c.name)
      .bind(4, c.email)
      .bind(5, c.phone)
      .bind(6, c.external_id)
      .bind(7, to_string(c.channel))
      .bind(8, c.created_at);
  return q.run();
}

std::optional<Error> update_contact(Db& db, const Contact& c) {
  Stmt q =
      db.prepare("UPDATE contacts SET name = ?3, email = ?4, phone = ?5 WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, c.tenant_id).bind(2, c.id).bind(3, c.name).bind(4, c.email).bind(5, c.phone);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no contact " + c.id);
  return std::nullopt;
}

Result<std::optional<Contact>> find_contact(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q =
      db.prepare(std::string("SELECT ") + kContactCols + " FROM contacts WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  return one_contact(q);
}

Result<std::optional<Contact>> find_contact_by_external(Db& db, const std::string& tenant_id, Channel channel,
                                                        const std::string& external_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kContactCols +
                      " FROM contacts WHERE tenant_id = ?1 AND channel = ?2 AND external_id = ?3"
                      " ORDER BY created_at LIMIT 1");
  q.bind(1, tenant_id).bind(2, to_string(channel)).bind(3, external_id);
  return one_contact(q);
}

std::optional<Error> insert_visitor(Db& db, const Visitor& v) {
  Stmt q = db.prepare(
      "INSERT INTO visitors(token_hash, tenant_id, contact_id, created_at) VALUES (?1, ?2, ?3, ?4)");
  q.bind(1, v.token_hash).bind(2, v.tenant_id).bind(3, v.contact_id).bind(4, v.created_at);
  return q.run();
}

Result<std::optional<Visitor>> find_visitor(Db& db, const std::string& token_hash) {
  Stmt q =
      db.prepare("SELECT token_hash, tenant_id, contact_id, created_at FROM visitors WHERE token_hash = ?1");
  q.bind(1, token_hash);
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<Visitor>{};
  }
  return std::optional<Visitor>{Visitor{q.col_text(0), q.col_text(1), q.col_text(2), q.col_int(3)}};
}

}  // namespace parley::relay
