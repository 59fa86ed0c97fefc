// relay/src/store/repo_canned.cpp: canned responses (repo_canned.hpp). Every statement binds its
// parameters; no SQL text is ever built from data.
#include "store/repo_canned.hpp"

namespace parley::relay {

namespace {
constexpr const char* kCols = "id, tenant_id, owner_id, shortcut, title, body, created_at, updated_at";

CannedResponse read_row(const Stmt& q) {
  CannedResponse c;
  c.id = q.col_text(0);
  c.tenant_id = q.col_text(1);
  c.owner_id = q.col_text(2);
  c.shortcut = q.col_text(3);
  c.title = q.col_text(4);
  c.body = q.col_text(5);
  c.created_at = q.col_int(6);
  c.updated_at = q.col_int(7);
  return c;
}
}  // namespace

std::optional<Error> upsert_canned(Db& db, const CannedResponse& c) {
  // The WHERE keeps an existing row's tenant and owner: a clash of ids across them changes nothing.
  Stmt q = db.prepare(std::string("INSERT INTO canned_responses(") + kCols +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                      " ON CONFLICT(id) DO UPDATE SET shortcut = excluded.shortcut, title = excluded.title,"
                      " body = excluded.body, updated_at = excluded.updated_at"
                      " WHERE canned_responses.tenant_id = excluded.tenant_id"
                      " AND canned_responses.owner_id = excluded.owner_id");
  q.bind(1, c.id).bind(2, c.tenant_id).bind(3, c.owner_id).bind(4, c.shortcut).bind(5, c.title).bind(6, c.body);
  q.bind(7, c.created_at).bind(8, c.updated_at);
  if (auto e = q.run()) return e;
  if (db.changes() != 1) return make_error(ErrorCode::internal, "canned response " + c.id + " belongs to someone else");
  return std::nullopt;
}

std::optional<Error> delete_canned(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare("DELETE FROM canned_responses WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no such canned response");
  return std::nullopt;
}

Result<std::vector<CannedResponse>> list_canned(Db& db, const std::string& tenant_id, const std::string& user_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kCols +
                      " FROM canned_responses WHERE tenant_id = ?1 AND (owner_id = '' OR owner_id = ?2)"
                      " ORDER BY shortcut, owner_id <> '', id");
  q.bind(1, tenant_id).bind(2, user_id.empty() ? std::string("\x01") : user_id);
  std::vector<CannedResponse> out;
  while (q.step()) out.push_back(read_row(q));
  if (q.error()) return *q.error();
  return out;
}

Result<std::optional<CannedResponse>> find_canned(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare(std::string("SELECT ") + kCols + " FROM canned_responses WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, tenant_id).bind(2, id);
  if (q.step()) return std::optional<CannedResponse>(read_row(q));
  if (q.error()) return *q.error();
  return std::optional<CannedResponse>();
}

}  // namespace parley::relay
