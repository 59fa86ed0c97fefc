// tools/parleyctl/cmd_backup.cpp: backup DEST, with SQLite's online backup API (store/backup.hpp).
#include <cstdio>
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
  return kOk;
}

}  // namespace parley::ctl
