// relay/src/store/repo_attachments.cpp: see repo_attachments.hpp.
#include "store/repo_attachments.hpp"

#include "store/repo_helpers.hpp"

namespace parley::relay {

using namespace repo_helpers;

std::optional<Error> insert_attachment(Db& db, const Attachment& a) {
  Stmt q = db.prepare(
      "INSERT INTO attachments(id, tenant_id, conversation_id, sha256, size, content_type, name, uploader_role,"
      " uploader_id, created_at, scan_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  q.bind(1, a.id)
      .bind(2, a.tenant_id)
      .bind(3, a.conversation_id)
      .bind(4, a.sha256)
      .bind(5, static_cast<std::int64_t>(a.size))
      .bind(6, a.content_type)
      .bind(7, a.name)
      .bind(8, to_string(a.uploader_role))
      .bind(9, a.uploader_id)
      .bind(10, a.created_at)
      .bind(11, a.scan_status);
  return q.run();
}

namespace {
constexpr const char* kCols =
    "SELECT id, tenant_id, conversation_id, sha256, size, content_type, name, uploader_role, uploader_id,"
    " created_at, scan_status FROM attachments ";

std::optional<Error> read_row(const Stmt& q, Attachment& a) {
  a.id = q.col_text(0);
  a.tenant_id = q.col_text(1);
  a.conversation_id = q.col_text(2);
  a.sha256 = q.col_text(3);
  a.size = static_cast<std::uint64_t>(q.col_int(4));
  a.content_type = q.col_text(5);
  a.name = q.col_text(6);
  if (auto e = read_enum(q, 7, &parse_role, "uploader_role", a.uploader_role)) return e;
  a.uploader_id = q.col_text(8);
  a.created_at = q.col_int(9);
  a.scan_status = q.col_text(10);
  return std::nullopt;
}
}  // namespace

Result<std::optional<Attachment>> find_attachment(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare(std::string(kCols) + "WHERE id = ?1 AND tenant_id = ?2");
  q.bind(1, id).bind(2, tenant_id);
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<Attachment>();
  }
  Attachment a;
  if (auto e = read_row(q, a)) return *e;
  q.reset();
  return std::optional<Attachment>(std::move(a));
}

Result<std::vector<Attachment>> conversation_attachments(Db& db, const std::string& tenant_id,
                                                         const std::string& conversation_id) {
  std::vector<Attachment> out;
  {
    Stmt t = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'");
    const bool has = t.step();
    if (t.error()) return *t.error();
    t.reset();
    if (!has) return out;
  }
  Stmt q = db.prepare(std::string(kCols) + "WHERE tenant_id = ?1 AND conversation_id = ?2 ORDER BY created_at, id");
  q.bind(1, tenant_id).bind(2, conversation_id);
  while (q.step()) {
    Attachment a;
    if (auto e = read_row(q, a)) return *e;
    out.push_back(std::move(a));
  }
  if (q.error()) return *q.error();
  return out;
}

Result<std::vector<std::string>> attachment_hashes(Db& db) {
  Stmt q = db.prepare("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256");
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.col_text(0));
  if (q.error()) return *q.error();
  return out;
}

}  // namespace parley::relay
