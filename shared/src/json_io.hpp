// json_io.hpp (private to shared/): exception-free reading and writing of nlohmann::json.
//
// The WebAssembly build compiles with -fno-exceptions and JSON_NOEXCEPTION, where every throwing
// path of nlohmann::json aborts the program. Everything here checks a value's type before reading
// it, never calls at() or const operator[] on a missing key, and dumps with invalid UTF-8 replaced.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley::json_io {

// Compact JSON text; invalid UTF-8 inside strings becomes U+FFFD instead of throwing.
std::string dump(const Json& value);

// Parses `text`; nullopt when it is not JSON. Never throws.
std::optional<Json> parse(std::string_view text);

// A non-negative integer (parsed JSON holds them as unsigned, hand-built JSON may hold int).
std::optional<Seq> as_seq(const Json& value);

inline constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

enum class Need { required, optional };

// Reads typed members of one JSON object and remembers the first problem as an Error
// (missing_field, bad_field, text_too_long, bad_unicode) naming the field. Once a problem is
// recorded, every getter returns its fallback, so a decoder reads all its fields in a row and
// checks error() once at the end.
// REQUIRES: `object` outlives the reader.
class ObjectReader {
 public:
  // `path` prefixes field names in errors ("page." gives "page.url").
  explicit ObjectReader(const Json& object, std::string path = {});

  bool has(const char* key) const;

  // A string of at most `max_chars` code points, valid UTF-8; "" when absent and optional.
  std::string text(const char* key, Need need, std::size_t max_chars = kNoLimit);
  // Like text(), but an identifier: when present it must not be empty.
  std::string id(const char* key, Need need, std::size_t max_chars);
  bool flag(const char* key, bool fallback);
  Seq seq(const char* key, Need need);
  Millis millis(const char* key, Need need);
  // A nested object; nullptr when absent (optional) or after a problem.
  const Json* object(const char* key, Need need);
  // A nested array; nullptr when absent (optional) or after a problem.
  const Json* array(const char* key, Need need);
  // A string naming an enum value, parsed by `parse` (bad_field when it names none).
  template <class E>
  E enumeration(const char* key, Need need, E fallback, std::optional<E> (*parse)(std::string_view)) {
    const std::string name = text(key, need);
    if (failed() || name.empty()) return fallback;
    if (const std::optional<E> value = parse(name)) return *value;
    fail(ErrorCode::bad_field, "unknown value \"" + name + "\"", key);
    return fallback;
  }

  // A reader for the nested object `value` of member `key` (field names "key.member").
  ObjectReader nested(const Json& value, const char* key) const {
    return ObjectReader(value, path_ + key + ".");
  }
  // Records a problem (only the first one is kept).
  void fail(ErrorCode code, std::string message, const char* key);
  // Records the problem of a nested reader, if any.
  void adopt(const ObjectReader& nested_reader) {
    if (!error_ && nested_reader.error_) error_ = nested_reader.error_;
  }
  bool failed() const { return error_.has_value(); }
  const std::optional<Error>& error() const { return error_; }

 private:
  // The member `key`, or nullptr (recording missing_field when required).
  const Json* member(const char* key, Need need);

  const Json& object_;
  std::string path_;
  std::optional<Error> error_;
};

}  // namespace parley::json_io
