// relay/src/store/backup_files.cpp: backup_attachment_files (backup.hpp).
#include <filesystem>
#include <system_error>

#include "store/auth.hpp"
#include "store/backup.hpp"
#include "store/db.hpp"
#include "store/repo_attachments.hpp"

namespace parley::relay {

std::optional<Error> backup_attachment_files(const std::string& db_copy, const std::string& src_files,
                                             const std::string& dest_files, std::size_t* copied) {
  namespace fs = std::filesystem;
  if (copied) *copied = 0;
  auto db = Db::open(db_copy, /*readonly=*/true);
  if (!db) return db.error();
  // A copy made before schema v10 has no attachments table: nothing to copy.
  {
    Stmt t = (*db)->prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'");
    const bool has = t.step();
    if (t.error()) return *t.error();
    t.reset();
    if (!has) return std::nullopt;
  }
  auto hashes = attachment_hashes(**db);
  if (!hashes) return hashes.error();
  std::error_code ec;
  if (fs::exists(dest_files, ec)) return make_error(ErrorCode::bad_field, "backup: " + dest_files + " already exists");
  if (hashes->empty()) return std::nullopt;
  fs::create_directories(dest_files, ec);
  if (ec) return make_error(ErrorCode::unavailable, "backup: cannot create " + dest_files + ": " + ec.message());
  for (const std::string& sha : *hashes) {
    if (sha.size() != 64) return make_error(ErrorCode::internal, "backup: a stored sha256 is malformed: " + sha);
    const fs::path from = fs::path(src_files) / sha.substr(0, 2) / sha;
    const fs::path dir = fs::path(dest_files) / sha.substr(0, 2);
    const fs::path to = dir / sha;
    fs::create_directories(dir, ec);
    if (ec) return make_error(ErrorCode::unavailable, "backup: cannot create " + dir.string() + ": " + ec.message());
    fs::create_hard_link(from, to, ec);
    if (ec) {
      ec.clear();
      fs::copy_file(from, to, ec);
      if (ec) {
        return make_error(ErrorCode::unavailable,
                          "backup: attachment file " + from.string() + " cannot be copied: " + ec.message());
      }
    }
    if (copied) ++*copied;
  }
  return std::nullopt;
}

}  // namespace parley::relay
