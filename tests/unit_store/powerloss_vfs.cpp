// tests/unit_store/powerloss_vfs.cpp: see powerloss_vfs.hpp.
#include "powerloss_vfs.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace parley::relay::test::powerloss {

namespace {

struct Undo {
  sqlite3_int64 offset = 0;
  std::string bytes;  // what was there before the unsynced write / truncation
};

struct FileState {
  sqlite3_int64 synced_size = 0;  // size at the last sync (or when first seen)
  std::vector<Undo> undo;         // in write order; replayed backwards
};

std::mutex g_mu;
std::map<std::string, FileState> g_files;  // by full path
std::atomic<bool> g_cut{false};
Stats g_stats;
sqlite3_vfs* g_base = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

struct PlFile {
  sqlite3_file base;    // must be first
  sqlite3_file* real;   // the wrapped file, allocated right after this struct
  const char* path;     // tracked files only (SQLite keeps zName valid until xClose); else null
};

PlFile* pl(sqlite3_file* f) { return reinterpret_cast<PlFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return pl(f)->real; }

// Saves [from, to) of the real file (clipped to its size) into the undo log. g_mu held.
int save_range(sqlite3_file* r, FileState& st, sqlite3_int64 from, sqlite3_int64 to) {
  sqlite3_int64 size = 0;
  if (int rc = r->pMethods->xFileSize(r, &size); rc != SQLITE_OK) return rc;
  if (to > size) to = size;
  if (from >= to) return SQLITE_OK;
  Undo u;
  u.offset = from;
  u.bytes.resize(static_cast<std::size_t>(to - from));
  const int rc = r->pMethods->xRead(r, u.bytes.data(), static_cast<int>(to - from), from);
  if (rc != SQLITE_OK) return rc;
  st.undo.push_back(std::move(u));
  return SQLITE_OK;
}

// ---- io methods ----

int x_close(sqlite3_file* f) {
  sqlite3_file* r = real(f);
  const int rc = r->pMethods != nullptr ? r->pMethods->xClose(r) : SQLITE_OK;
  return rc;
}

int x_read(sqlite3_file* f, void* buf, int amt, sqlite3_int64 off) {
  return real(f)->pMethods->xRead(real(f), buf, amt, off);
}

int x_write(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 off) {
  if (pl(f)->path == nullptr) return real(f)->pMethods->xWrite(real(f), buf, amt, off);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_cut.load()) {
    ++g_stats.dropped_writes;
    return SQLITE_OK;
  }
  FileState& st = g_files[pl(f)->path];
  if (int rc = save_range(real(f), st, off, off + amt); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xWrite(real(f), buf, amt, off);
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (pl(f)->path == nullptr) return real(f)->pMethods->xTruncate(real(f), size);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_cut.load()) {
    ++g_stats.dropped_writes;
    return SQLITE_OK;
  }
  FileState& st = g_files[pl(f)->path];
  if (int rc = save_range(real(f), st, size, INT64_MAX); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xTruncate(real(f), size);
}

int x_sync(sqlite3_file* f, int flags) {
  if (pl(f)->path == nullptr) return real(f)->pMethods->xSync(real(f), flags);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_cut.load()) return SQLITE_OK;  // never reaches the disk
  const int rc = real(f)->pMethods->xSync(real(f), flags);
  if (rc != SQLITE_OK) return rc;
  FileState& st = g_files[pl(f)->path];
  sqlite3_int64 size = 0;
  if (int rc2 = real(f)->pMethods->xFileSize(real(f), &size); rc2 != SQLITE_OK) return rc2;
  st.synced_size = size;
  st.undo.clear();
  ++g_stats.syncs;
  return SQLITE_OK;
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int x_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int x_check_reserved(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
// The wal-index (-shm) is shared memory the unix VFS manages itself: not durable, passed through.
int x_shm_map(sqlite3_file* f, int pg, int pgsz, int extend, void volatile** p) {
  return real(f)->pMethods->xShmMap(real(f), pg, pgsz, extend, p);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** pp) {
  return real(f)->pMethods->xFetch(real(f), off, amt, pp);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return real(f)->pMethods->xUnfetch(real(f), off, p); }

// ---- vfs methods ----

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  PlFile* p = pl(f);
  p->base.pMethods = nullptr;
  p->real = reinterpret_cast<sqlite3_file*>(p + 1);
  p->real->pMethods = nullptr;
  p->path = nullptr;
  const int rc = g_base->xOpen(g_base, name, p->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // Our pMethods stays null, so SQLite will not call x_close: close the real file here.
    if (p->real->pMethods != nullptr) p->real->pMethods->xClose(p->real);
    return rc;
  }
  const bool durable = (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)) != 0;
  if (name != nullptr && durable) {
    p->path = name;
    std::lock_guard<std::mutex> lock(g_mu);
    if (g_files.find(name) == g_files.end()) {
      FileState st;
      p->real->pMethods->xFileSize(p->real, &st.synced_size);  // what is there now counts as synced
      g_files.emplace(name, std::move(st));
    }
  }
  p->base.pMethods = &g_methods;
  return SQLITE_OK;
}

int v_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_cut.load()) return SQLITE_OK;
  const int rc = g_base->xDelete(g_base, name, sync_dir);
  if (rc == SQLITE_OK) g_files.erase(name);
  return rc;
}

int v_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_base->xAccess(g_base, name, flags, out); }
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}
void* v_dlopen(sqlite3_vfs*, const char* name) { return g_base->xDlOpen(g_base, name); }
void v_dlerror(sqlite3_vfs*, int n, char* msg) { g_base->xDlError(g_base, n, msg); }
void (*v_dlsym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_base->xDlSym(g_base, h, sym); }
void v_dlclose(sqlite3_vfs*, void* h) { g_base->xDlClose(g_base, h); }
int v_randomness(sqlite3_vfs*, int n, char* out) { return g_base->xRandomness(g_base, n, out); }
int v_sleep(sqlite3_vfs*, int us) { return g_base->xSleep(g_base, us); }
int v_current_time(sqlite3_vfs*, double* t) { return g_base->xCurrentTime(g_base, t); }
int v_get_last_error(sqlite3_vfs*, int n, char* msg) { return g_base->xGetLastError(g_base, n, msg); }
int v_current_time_int64(sqlite3_vfs*, sqlite3_int64* t) { return g_base->xCurrentTimeInt64(g_base, t); }

}  // namespace

bool install() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    if (g_base == nullptr || g_base->iVersion < 2) return;
    g_methods = sqlite3_io_methods{};
    g_methods.iVersion = 3;
    g_methods.xClose = x_close;
    g_methods.xRead = x_read;
    g_methods.xWrite = x_write;
    g_methods.xTruncate = x_truncate;
    g_methods.xSync = x_sync;
    g_methods.xFileSize = x_file_size;
    g_methods.xLock = x_lock;
    g_methods.xUnlock = x_unlock;
    g_methods.xCheckReservedLock = x_check_reserved;
    g_methods.xFileControl = x_file_control;
    g_methods.xSectorSize = x_sector_size;
    g_methods.xDeviceCharacteristics = x_device_characteristics;
    g_methods.xShmMap = x_shm_map;
    g_methods.xShmLock = x_shm_lock;
    g_methods.xShmBarrier = x_shm_barrier;
    g_methods.xShmUnmap = x_shm_unmap;
    g_methods.xFetch = x_fetch;
    g_methods.xUnfetch = x_unfetch;

    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(PlFile)) + g_base->szOsFile;
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = kPowerlossVfs;
    g_vfs.xOpen = v_open;
    g_vfs.xDelete = v_delete;
    g_vfs.xAccess = v_access;
    g_vfs.xFullPathname = v_full_pathname;
    g_vfs.xDlOpen = v_dlopen;
    g_vfs.xDlError = v_dlerror;
    g_vfs.xDlSym = v_dlsym;
    g_vfs.xDlClose = v_dlclose;
    g_vfs.xRandomness = v_randomness;
    g_vfs.xSleep = v_sleep;
    g_vfs.xCurrentTime = v_current_time;
    g_vfs.xGetLastError = v_get_last_error;
    g_vfs.xCurrentTimeInt64 = v_current_time_int64;
    ok = sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0) == SQLITE_OK;
  });
  return ok;
}

void cut_power() { g_cut.store(true); }
bool power_is_cut() { return g_cut.load(); }

bool restore_synced_state() {
  std::lock_guard<std::mutex> lock(g_mu);
  bool ok = true;
  for (auto& [path, st] : g_files) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      ok = ok && errno == ENOENT;
      st.undo.clear();
      continue;
    }
    const off_t size = ::lseek(fd, 0, SEEK_END);
    bool changed = size != st.synced_size || !st.undo.empty();
    for (auto it = st.undo.rbegin(); it != st.undo.rend(); ++it) {
      const auto n = ::pwrite(fd, it->bytes.data(), it->bytes.size(), static_cast<off_t>(it->offset));
      ok = ok && n == static_cast<ssize_t>(it->bytes.size());
      g_stats.undone_bytes += it->bytes.size();
    }
    if (size > st.synced_size) g_stats.undone_bytes += static_cast<std::uint64_t>(size - st.synced_size);
    ok = ok && ::ftruncate(fd, static_cast<off_t>(st.synced_size)) == 0;
    ::close(fd);
    st.undo.clear();
    if (changed) ++g_stats.restored_files;
    // The wal-index of a database is not durable: a rebooted machine rebuilds it from the WAL.
    const std::string shm = path + "-shm";
    if (::unlink(shm.c_str()) != 0) ok = ok && errno == ENOENT;
  }
  return ok;
}

void reset() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_files.clear();
  g_stats = Stats{};
  g_cut.store(false);
}

Stats stats() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_stats;
}

}  // namespace parley::relay::test::powerloss
