// relay/src/store/db.hpp: a thin RAII wrapper over one SQLite connection and its prepared statements.
// A Db is used by one thread at a time. Errors come back as parley::Error (code internal or
// unavailable), never as exceptions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "parley/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::relay {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&&) noexcept;
  Stmt& operator=(Stmt&&) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binding is 1-based like SQLite. Returns *this for chaining.
  Stmt& bind(int i, std::string_view text);
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind_null(int i);
  // Binds "" as NULL (for optional text columns).
  Stmt& bind_opt(int i, std::string_view text);

  // Steps once: true when a row is ready, false when done. Errors set `error()`.
  bool step();
  // Steps to completion (for INSERT/UPDATE); returns the error, if any.
  std::optional<Error> run();
  void reset();

  std::int64_t col_int(int i) const;
  std::string col_text(int i) const;
  bool col_null(int i) const;

  const std::optional<Error>& error() const { return err_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  std::optional<Error> err_;
};

class Db {
 public:
  // Opens (creating if needed) `path`. `readonly` opens for reading only.
  static Result<std::unique_ptr<Db>> open(const std::string& path, bool readonly = false);
  ~Db();

  std::optional<Error> exec(std::string_view sql);
  // Prepares (and caches by SQL text) a statement. Errors are reported by the Stmt on step/run.
  Stmt prepare(std::string_view sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  sqlite3* raw() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace parley::relay
