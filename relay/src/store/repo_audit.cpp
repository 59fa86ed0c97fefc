// relay/src/store/repo_audit.cpp: the audit table, changes that belong to no conversation (see
// repo.hpp). Every statement binds its parameters; no SQL text is ever built from data.
#include "store/repo.hpp"
#include "store/repo_helpers.hpp"

namespace parley::relay {

using repo_helpers::dump_json;

std::optional<Error> append_audit(Db& db, const AuditEntry& a) {
  Stmt q = db.prepare(
      "INSERT INTO audit(tenant_id, actor_type, actor_id, action, target, data_json, at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  q.bind(1, a.tenant_id)
      .bind(2, a.actor_type)
      .bind(3, a.actor_id)
      .bind(4, a.action)
      .bind(5, a.target)
      .bind(6, dump_json(a.data.is_null() ? Json::object() : a.data))
      .bind(7, a.at);
  return q.run();
}

}  // namespace parley::relay
