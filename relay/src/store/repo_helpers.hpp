// relay/src/store/repo_helpers.hpp: small helpers shared by the repo_*.cpp files (the definitions
// of repo.hpp). Internal to relay/src/store; the app never includes it. Everything is in
// parley::relay::repo_helpers so it cannot collide with a file's own unnamed-namespace helpers.
#pragma once

#include <cctype>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "store/db.hpp"

namespace parley::relay::repo_helpers {

// A savepoint for functions that write several rows: inside a Store op it nests in the op's own
// savepoint; on a bare connection it is a transaction of its own. Rolls back unless committed.
class Savepoint {
 public:
  explicit Savepoint(Db& db) : db_(db) { err_ = db_.exec_cached("SAVEPOINT repo"); }
  ~Savepoint() {
    if (!err_ && !done_) {
      db_.exec_cached("ROLLBACK TO repo");
      db_.exec_cached("RELEASE repo");
    }
  }
  const std::optional<Error>& error() const { return err_; }
  std::optional<Error> commit() {
    done_ = true;
    return db_.exec_cached("RELEASE repo");
  }

 private:
  Db& db_;
  std::optional<Error> err_;
  bool done_ = false;
};

inline Error stored_value_error(std::string_view what, const std::string& value) {
  return make_error(ErrorCode::internal,
                    "stored " + std::string(what) + " has an unknown value '" + value + "'");
}

template <class E>
std::optional<Error> read_enum(const Stmt& q, int col, std::optional<E> (*parse)(std::string_view),
                               std::string_view what, E& out) {
  const std::string s = q.col_text(col);
  const auto v = parse(s);
  if (!v) return stored_value_error(what, s);
  out = *v;
  return std::nullopt;
}

// JSON text for a column. Never throws: invalid UTF-8 (which the edge should have refused) is
// replaced with U+FFFD rather than failing the write.
inline std::string dump_json(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A row count or limit as an SQLite integer.
inline std::int64_t clamp_count(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

// A user's search text as an FTS5 query that can never be a syntax error: every
// whitespace-separated word becomes a quoted string ("" doubles a quote), words are ANDed.
inline std::string fts_query(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    std::string word;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      if (text[i] == '"') word += '"';
      word += text[i];
      ++i;
    }
    if (!out.empty()) out += ' ';
    out += '"';
    out += word;
    out += '"';
  }
  return out;
}

}  // namespace parley::relay::repo_helpers
