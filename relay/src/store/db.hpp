// relay/src/store/db.hpp: a thin RAII wrapper over one SQLite connection and its prepared statements.
// A Db is used by one thread at a time. Errors come back as parley::Error (code internal or
// unavailable), never as exceptions.
//
// Error mapping: SQLite result codes that mean "the storage cannot take this write now or ever"
// (SQLITE_FULL, SQLITE_IOERR*, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_NOMEM, SQLITE_READONLY,
// SQLITE_CANTOPEN, SQLITE_BUSY, SQLITE_LOCKED) become ErrorCode::unavailable; everything else
// (constraint violations, SQL errors, misuse) becomes ErrorCode::internal. The first
// storage-fatal failure (full, I/O, corrupt, out of memory) is also remembered by the Db
// (`storage_failed()`), so the writer can tell "this op was wrong" from "the disk is gone".
#pragma once

#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <vector>
#include <string>
#include <string_view>
#include <unordered_map>

#include "parley/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::relay {

class Db;

// One prepared statement. Either owned (finalized on destruction) or borrowed from its Db's cache
// (reset and returned to the cache on destruction). REQUIRES: the Db outlives the Stmt.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&&) noexcept;
  Stmt& operator=(Stmt&&) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binding is 1-based like SQLite. Returns *this for chaining. Text is copied (SQLITE_TRANSIENT).
  Stmt& bind(int i, std::string_view text);
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind_null(int i);
  // Binds "" as NULL (for optional text columns).
  Stmt& bind_opt(int i, std::string_view text);

  // Steps once: true when a row is ready, false when done. Errors set `error()` (and return false).
  bool step();
  // Steps to completion (for INSERT/UPDATE); returns the error, if any.
  std::optional<Error> run();
  // Makes the statement ready to be stepped again (bindings are kept; clears error()).
  void reset();

  std::int64_t col_int(int i) const;
  double col_double(int i) const;
  std::string col_text(int i) const;  // NULL reads as ""
  bool col_null(int i) const;

  const std::optional<Error>& error() const { return err_; }

 private:
  friend class Db;
  void release() noexcept;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  Db* owner_ = nullptr;           // for storage-failure bookkeeping (null for hand-made Stmts)
  bool* cache_in_use_ = nullptr;  // non-null: borrowed from the owner's cache
  std::optional<Error> err_;
};

class Db {
 public:
  // Opens (creating if needed, unless `readonly`) `path`. Every connection gets busy_timeout 5000
  // and extended result codes. `vfs`: an SQLite VFS name ("" = the default; tests use others).
  static Result<std::unique_ptr<Db>> open(const std::string& path, bool readonly = false,
                                          const std::string& vfs = {});
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results. Never use it with user data: bind instead.
  std::optional<Error> exec(std::string_view sql);
  // Runs ONE statement without results through the statement cache (no parse after the first
  // use): SAVEPOINT/RELEASE/COMMIT on the writer's hot path.
  std::optional<Error> exec_cached(std::string_view sql);
  // Prepares a statement, taking it from the connection's cache when a statement with the same
  // SQL text is cached and not currently in use (nested use of the same SQL gets a fresh one).
  // Errors are reported by the Stmt on step/run.
  Stmt prepare(std::string_view sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  sqlite3* raw() { return db_; }

  // True once a statement on this connection failed with a storage-fatal code (see above).
  bool storage_failed() const { return storage_failed_; }
  // Maps the connection's current error (`rc` being the failed call's result) to an Error, and
  // records storage-fatal failures. `what` prefixes the message.
  Error error_from(int rc, std::string_view what);

  // Work that belongs to the current transaction but must run outside every SAVEPOINT (FTS5
  // flushes its pending index data at each savepoint, so indexing a message inside the writer's
  // per-op savepoint writes a new index segment per message). While the store's writer runs a
  // batch (`deferring`), defer() queues `fn` and the writer runs the queue after the last op,
  // before COMMIT (same transaction: atomic with the rows it indexes); an op whose savepoint is
  // rolled back drops what it queued (truncate_deferred). Otherwise defer() runs `fn` at once.
  using Deferred = std::function<std::optional<Error>(Db&)>;
  std::optional<Error> defer(Deferred fn);
  void set_deferring(bool on) {
    deferring_ = on;
    if (!on) deferred_.clear();
  }
  std::size_t deferred_size() const { return deferred_.size(); }
  void truncate_deferred(std::size_t n) {
    if (n < deferred_.size()) deferred_.resize(n);
  }
  // Runs and clears the queue; the first error stops it.
  std::optional<Error> run_deferred();

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  bool deferring_ = false;
  std::vector<Deferred> deferred_;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  static constexpr std::size_t kMaxCached = 256;

  sqlite3* db_ = nullptr;
  bool storage_failed_ = false;
  // Node-based map: element addresses (and so Stmt::cache_in_use_) stay valid across inserts.
  std::unordered_map<std::string, Cached> cache_;
};

// Maps an SQLite result code to the ErrorCode described at the top of this file.
ErrorCode error_code_for_sqlite(int rc);

}  // namespace parley::relay
