// relay/src/store/change_log.cpp: see change_log.hpp.
#include "store/change_log.hpp"

#include <algorithm>
#include <limits>

namespace parley::relay {

std::optional<Error> append_change(Db& db, std::string_view kind, const std::string& tenant_id,
                                   const std::string& target, Millis at) {
  const bool known = kind == change_kind::sessions || kind == change_kind::user || kind == change_kind::tenant ||
                     kind == change_kind::kb || kind == change_kind::apikey;
  if (!known) return make_error(ErrorCode::bad_field, "unknown change kind '" + std::string(kind) + "'", "kind");
  Stmt q = db.prepare("INSERT INTO change_log(at, tenant_id, kind, target) VALUES (?1, ?2, ?3, ?4)");
  q.bind(1, at).bind(2, tenant_id).bind(3, kind).bind(4, target);
  return q.run();
}

Result<std::vector<Change>> changes_after(Db& db, std::int64_t after_id, std::size_t limit) {
  const auto n = static_cast<std::int64_t>(
      std::clamp<std::size_t>(limit, 1, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
  Stmt q = db.prepare(
      "SELECT id, at, tenant_id, kind, target FROM change_log WHERE id > ?1 ORDER BY id LIMIT ?2");
  q.bind(1, after_id).bind(2, n);
  std::vector<Change> out;
  while (q.step()) out.push_back(Change{q.col_int(0), q.col_int(1), q.col_text(2), q.col_text(3), q.col_text(4)});
  if (q.error()) return *q.error();
  return out;
}

Result<std::int64_t> last_change_id(Db& db) {
  // sqlite_sequence keeps the high-water mark even when every row was pruned.
  Stmt q = db.prepare(
      "SELECT MAX(COALESCE((SELECT MAX(id) FROM change_log), 0),"
      " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'change_log'), 0))");
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::int64_t{0};
  }
  return q.col_int(0);
}

std::optional<Error> prune_changes_before(Db& db, Millis before) {
  Stmt q = db.prepare("DELETE FROM change_log WHERE at < ?1");
  q.bind(1, before);
  return q.run();
}

}  // namespace parley::relay
