// relay/src/store/db.cpp: see db.hpp.
#include "store/db.hpp"

#include <sqlite3.h>

#include <utility>

namespace parley::relay {

namespace {

bool is_storage_fatal(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_NOMEM:
      return true;
    default:
      return false;
  }
}

}  // namespace

ErrorCode error_code_for_sqlite(int rc) {
  if (is_storage_fatal(rc)) return ErrorCode::unavailable;
  switch (rc & 0xff) {
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::unavailable;
    default:
      return ErrorCode::internal;
  }
}

// ---- Stmt ----

Stmt::Stmt(Stmt&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)),
      s_(std::exchange(o.s_, nullptr)),
      owner_(std::exchange(o.owner_, nullptr)),
      cache_in_use_(std::exchange(o.cache_in_use_, nullptr)),
      err_(std::move(o.err_)) {}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    release();
    db_ = std::exchange(o.db_, nullptr);
    s_ = std::exchange(o.s_, nullptr);
    owner_ = std::exchange(o.owner_, nullptr);
    cache_in_use_ = std::exchange(o.cache_in_use_, nullptr);
    err_ = std::move(o.err_);
  }
  return *this;
}

Stmt::~Stmt() { release(); }

void Stmt::release() noexcept {
  if (s_ != nullptr) {
    if (cache_in_use_ != nullptr) {
      // Borrowed: leave it clean for the next user, never finalize it (the cache owns it).
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
      *cache_in_use_ = false;
    } else {
      sqlite3_finalize(s_);
    }
  }
  s_ = nullptr;
  cache_in_use_ = nullptr;
}

Stmt& Stmt::bind(int i, std::string_view text) {
  if (s_ != nullptr) {
    // sqlite3_bind_text wants a non-null pointer for "" (null would bind NULL).
    const char* p = text.data() != nullptr ? text.data() : "";
    const int rc = sqlite3_bind_text(s_, i, p, static_cast<int>(text.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK && !err_)
      err_ = make_error(ErrorCode::internal, "bind: " + std::string(sqlite3_errstr(rc)));
  }
  return *this;
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (s_ != nullptr) {
    const int rc = sqlite3_bind_int64(s_, i, v);
    if (rc != SQLITE_OK && !err_)
      err_ = make_error(ErrorCode::internal, "bind: " + std::string(sqlite3_errstr(rc)));
  }
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  if (s_ != nullptr) {
    const int rc = sqlite3_bind_null(s_, i);
    if (rc != SQLITE_OK && !err_)
      err_ = make_error(ErrorCode::internal, "bind: " + std::string(sqlite3_errstr(rc)));
  }
  return *this;
}

Stmt& Stmt::bind_opt(int i, std::string_view text) { return text.empty() ? bind_null(i) : bind(i, text); }

bool Stmt::step() {
  if (err_) return false;
  if (s_ == nullptr) {
    err_ = make_error(ErrorCode::internal, "step on an empty statement");
    return false;
  }
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (owner_ != nullptr) {
    err_ = owner_->error_from(rc, "step");
  } else {
    err_ = make_error(error_code_for_sqlite(rc), std::string("step: ") + sqlite3_errmsg(db_));
  }
  // Release locks and leave the statement reusable; the error stays recorded.
  sqlite3_reset(s_);
  return false;
}

std::optional<Error> Stmt::run() {
  while (step()) {
  }
  return err_;
}

void Stmt::reset() {
  if (s_ != nullptr) sqlite3_reset(s_);
  // A prepare error cannot be reset away: keep it.
  if (s_ != nullptr) err_.reset();
}

std::int64_t Stmt::col_int(int i) const { return s_ != nullptr ? sqlite3_column_int64(s_, i) : 0; }
double Stmt::col_double(int i) const { return s_ != nullptr ? sqlite3_column_double(s_, i) : 0; }

std::string Stmt::col_text(int i) const {
  if (s_ == nullptr) return {};
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, i)));
}

bool Stmt::col_null(int i) const { return s_ == nullptr || sqlite3_column_type(s_, i) == SQLITE_NULL; }

// ---- Db ----

Result<std::unique_ptr<Db>> Db::open(const std::string& path, bool readonly, const std::string& vfs) {
  sqlite3* raw = nullptr;
  const int flags =
      (readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    std::string msg = "open " + path + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_close_v2(raw);
    return make_error(error_code_for_sqlite(rc), std::move(msg));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.stmt);
  cache_.clear();
  // close_v2: a stray owned Stmt still alive (a bug) only delays the close instead of leaking it.
  sqlite3_close_v2(db_);
}

Error Db::error_from(int rc, std::string_view what) {
  if (is_storage_fatal(rc)) storage_failed_ = true;
  std::string msg(what);
  msg += ": ";
  msg += sqlite3_errmsg(db_);
  return make_error(error_code_for_sqlite(rc), std::move(msg));
}

std::optional<Error> Db::exec(std::string_view sql) {
  const std::string text(sql);
  char* errmsg = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &errmsg);
  if (rc == SQLITE_OK) return std::nullopt;
  if (is_storage_fatal(rc)) storage_failed_ = true;
  std::string msg = "exec: ";
  msg += errmsg != nullptr ? errmsg : sqlite3_errstr(rc);
  sqlite3_free(errmsg);
  return make_error(error_code_for_sqlite(rc), std::move(msg));
}

std::optional<Error> Db::exec_cached(std::string_view sql) { return prepare(sql).run(); }

std::optional<Error> Db::defer(Deferred fn) {
  if (!deferring_) return fn(*this);
  deferred_.push_back(std::move(fn));
  return std::nullopt;
}

std::optional<Error> Db::run_deferred() {
  std::vector<Deferred> queue;
  queue.swap(deferred_);
  for (Deferred& fn : queue) {
    if (auto e = fn(*this)) return e;
  }
  return std::nullopt;
}

Stmt Db::prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end() && !it->second.in_use) {
    Stmt st(db_, it->second.stmt);
    st.owner_ = this;
    st.cache_in_use_ = &it->second.in_use;
    it->second.in_use = true;
    return st;
  }
  sqlite3_stmt* s = nullptr;
  const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                    it == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0, &s, nullptr);
  Stmt st(db_, s);
  st.owner_ = this;
  if (rc != SQLITE_OK || s == nullptr) {
    st.err_ = rc != SQLITE_OK ? error_from(rc, "prepare")
                              : make_error(ErrorCode::internal, "prepare: empty statement");
    return st;
  }
  if (it == cache_.end() && cache_.size() < kMaxCached) {
    auto [ins, ok] = cache_.emplace(std::move(key), Cached{s, true});
    (void)ok;
    st.cache_in_use_ = &ins->second.in_use;
  }
  return st;
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace parley::relay
