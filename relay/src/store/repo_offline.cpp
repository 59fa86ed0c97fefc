// relay/src/store/repo_offline.cpp: offline requests (issue 9; see OfflineRequest in
// domain/store_api.hpp). Every statement binds its parameters.
#include "store/repo.hpp"

namespace parley::relay {

std::optional<Error> upsert_offline_request(Db& db, const OfflineRequest& r) {
  Stmt q = db.prepare(
      "INSERT INTO offline_requests(conversation_id, tenant_id, contact_id, email, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT(conversation_id) DO UPDATE SET email = excluded.email"
      " WHERE offline_requests.tenant_id = excluded.tenant_id");
  q.bind(1, r.conversation_id).bind(2, r.tenant_id).bind(3, r.contact_id).bind(4, r.email).bind(5, r.created_at);
  return q.run();
}

namespace {
OfflineRequest row(const Stmt& q) {
  OfflineRequest r;
  r.conversation_id = q.col_text(0);
  r.tenant_id = q.col_text(1);
  r.contact_id = q.col_text(2);
  r.email = q.col_text(3);
  r.created_at = q.col_int(4);
  return r;
}
}  // namespace

Result<std::vector<OfflineRequest>> load_offline_requests(Db& db) {
  Stmt q = db.prepare(
      "SELECT o.conversation_id, o.tenant_id, o.contact_id, o.email, o.created_at FROM offline_requests o"
      " JOIN conversations c ON c.id = o.conversation_id AND c.tenant_id = o.tenant_id"
      " WHERE c.status <> 'resolved' ORDER BY o.created_at");
  std::vector<OfflineRequest> out;
  while (q.step()) out.push_back(row(q));
  if (q.error()) return *q.error();
  return out;
}

Result<std::optional<OfflineRequest>> find_offline_request(Db& db, const std::string& tenant_id,
                                                           const std::string& conversation_id) {
  Stmt q = db.prepare(
      "SELECT conversation_id, tenant_id, contact_id, email, created_at FROM offline_requests"
      " WHERE conversation_id = ?1 AND tenant_id = ?2");
  q.bind(1, conversation_id).bind(2, tenant_id);
  if (q.step()) return std::optional<OfflineRequest>(row(q));
  if (q.error()) return *q.error();
  return std::optional<OfflineRequest>{};
}

}  // namespace parley::relay
