// relay/src/store/backup.cpp: see backup.hpp.
#include "store/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "store/db.hpp"

namespace parley::relay {

namespace {

void remove_partial(const std::string& dest) {
  std::error_code ec;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(dest + suffix, ec);
}

std::optional<Error> copy(Db& src, Db& dest) {
  sqlite3_backup* b = sqlite3_backup_init(dest.raw(), "main", src.raw(), "main");
  if (b == nullptr) return dest.error_from(sqlite3_errcode(dest.raw()), "backup init");
  // All pages in one step: one read transaction on the source = one consistent snapshot. Retry
  // while a lock is held elsewhere (at most ~10 s).
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 200; ++attempt) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    return make_error(error_code_for_sqlite(rc), std::string("backup step: ") + sqlite3_errstr(rc));
  }
  return std::nullopt;
}

std::optional<Error> check(Db& dest) {
  Stmt q = dest.prepare("PRAGMA quick_check");
  if (!q.step())
    return q.error() ? *q.error() : make_error(ErrorCode::internal, "quick_check returned nothing");
  const std::string result = q.col_text(0);
  if (result != "ok") return make_error(ErrorCode::internal, "backup copy failed quick_check: " + result);
  return std::nullopt;
}

}  // namespace

std::optional<Error> backup_database(const std::string& src_path, const std::string& dest_path) {
  if (src_path.empty() || dest_path.empty()) return make_error(ErrorCode::bad_field, "backup: empty path");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(src_path, ec)) {
    return make_error(ErrorCode::not_found, "backup: no database at " + src_path);
  }
  auto src = Db::open(src_path, /*readonly=*/true);
  if (!src) return src.error();

  // Claim the destination atomically: never overwrite, never race another backup.
  const int fd = ::open(dest_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return make_error(ErrorCode::bad_field, "backup: " + dest_path + " already exists");
    return make_error(ErrorCode::unavailable,
                      "backup: cannot create " + dest_path + ": " + std::strerror(err));
  }
  ::close(fd);

  std::optional<Error> result;
  {
    auto dest = Db::open(dest_path);
    if (!dest) {
      result = dest.error();
    } else {
      result = copy(**src, **dest);
      if (!result) result = check(**dest);
    }
  }  // dest closed here (and its journal, if any, cleaned up) before a failure removes the files
  if (result) remove_partial(dest_path);
  return result;
}

}  // namespace parley::relay
