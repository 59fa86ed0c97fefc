// tools/parleyctl/cmd_backup.cpp: backup DEST, with SQLite's online backup API (store/backup.hpp).
#include <cstdio>
#include <filesystem>
#include <string>

#include "ctl.hpp"
#include "store/backup.hpp"

namespace parley::ctl {

int cmd_backup(const Args& a) {
  if (a.pos.size() != 2) return usage("backup needs exactly one DEST", "backup");
  if (auto o = unexpected_options(a, {})) return usage("backup does not take " + *o, "backup");
  const std::string src = db_path(a);
  // No Store::open here: a backup of a missing database must fail, not create one.
  if (auto e = relay::backup_database(src, a.pos[1])) return fail(*e);
  std::printf("backed up %s to %s\n", src.c_str(), a.pos[1].c_str());
  // Attachments (issue 9): their bytes are files beside the database, <dir of DB>/files; the
  // ones the copy names go to DEST.files (restore: DEST as parley.db, DEST.files as files/).
  const std::string src_files = (std::filesystem::path(src).parent_path() / "files").string();
  const std::string dest_files = a.pos[1] + ".files";
  std::size_t n = 0;
  if (auto e = relay::backup_attachment_files(a.pos[1], src_files, dest_files, &n)) return fail(*e);
  if (n > 0) std::printf("copied %zu attachment file(s) to %s\n", n, dest_files.c_str());
  return kOk;
}

}  // namespace parley::ctl
