// relay/src/app/http/rest_io.hpp: pure helpers for the REST API (relay/src/app/http/):
// JSON error replies, body and query parsing, typed field reading, request decoders.
//
// Nothing here touches the hub, the store, sockets or the clock: every function is a pure
// function of its arguments (the time-zone lookup reads /usr/share/zoneinfo once per zone and
// caches it). Every decoder checks size, UTF-8 and schema, and reports the first problem as an
// ApiError with the protocol's stable code, the HTTP status and the offending field. None throws.
//
// The wire contract is docs/api.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time_zone.hpp"
#include "net/server.hpp"
#include "parley/assistant_rules.hpp"
#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley::relay::http {

// ---- limits ------------------------------------------------------------------------------------

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;  // larger bodies: 413 too_large
inline constexpr std::size_t kMaxTextChars = 4000;         // message text (code points)
inline constexpr std::size_t kMaxShortChars = 200;         // names, topics, issue types, titles
inline constexpr std::size_t kMaxLongChars = 2000;         // resolution notes, hand-off reasons
inline constexpr std::size_t kMaxIdChars = 100;            // ids, client_msg_id, message_id
inline constexpr std::size_t kMaxKbArticles = 5000;
inline constexpr std::size_t kMaxKbBodyChars = 20000;
inline constexpr std::size_t kMinPasswordChars = 10;
inline constexpr std::size_t kMaxPasswordChars = 200;
inline constexpr std::size_t kMaxListLimit = 200;  // ?limit= on lists

// ---- errors ------------------------------------------------------------------------------------

// An error as the REST API reports it: {"error":{"code","message","field"?}} with `status`.
// `code` is one of the protocol's stable codes (parley::ErrorCode), or one of the REST-only codes
// "too_large" (413), "method_not_allowed" (405), "conflict" (409, e.g. a username taken).
struct ApiError {
  int status = 500;
  std::string code = "internal";
  std::string message;
  std::string field;
};

// The HTTP status for a protocol error code (400 for decoding problems, 401, 403, 404, 409, 429,
// 503 unavailable, 500 internal).
int status_for(ErrorCode code);
ApiError api_error(const Error& e);
ApiError api_error(ErrorCode code, std::string message, std::string field = {});
ApiError too_large(std::string message = "request body is larger than 1 MiB");
ApiError method_not_allowed();
ApiError conflict(std::string message, std::string field = {});

// JSON replies. Every reply carries Cache-Control: no-store.
HttpResponse json_response(int status, const Json& body);
HttpResponse error_response(const ApiError& e);
inline HttpResponse error_response(const Error& e) { return error_response(api_error(e)); }

// Compact JSON text; invalid UTF-8 inside strings becomes U+FFFD instead of throwing.
std::string dump_json(const Json& value);

template <class T>
using ApiResult = std::variant<T, ApiError>;
template <class T>
bool ok(const ApiResult<T>& r) {
  return r.index() == 0;
}

// ---- bodies and queries --------------------------------------------------------------------------

// Parses a request body as JSON: over kMaxBodyBytes -> too_large (413); invalid UTF-8 or a lone
// surrogate escape -> bad_unicode; not JSON -> bad_json. With `object_only`, anything but a JSON
// object is bad_json too. Uses nlohmann's non-throwing parser.
ApiResult<Json> parse_json_body(std::string_view body, bool object_only = true);

// Decodes an application/x-www-form-urlencoded query ("a=1&b=x%20y"; '+' is a space). The last
// occurrence of a repeated key wins. Bad percent escapes -> bad_field; invalid UTF-8 -> bad_unicode.
ApiResult<std::map<std::string, std::string>> parse_query(std::string_view raw);

// A non-negative decimal integer no larger than `max` ("" or anything else -> nullopt).
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max);

// The path split on '/', empty segments dropped: "/api/v1/conversations/c_1" ->
// {"api","v1","conversations","c_1"}.
std::vector<std::string> split_path(std::string_view path);

// ---- typed fields ----------------------------------------------------------------------------------

enum class Need { required, optional };

// Reads typed members of one JSON object and keeps the first problem (missing_field, bad_field,
// text_too_long, bad_unicode) naming the field. After a problem every getter returns its fallback,
// so a decoder reads all its fields in a row and checks error() once.
// REQUIRES: `object` is a JSON object and outlives the reader.
class FieldReader {
 public:
  explicit FieldReader(const Json& object, std::string path = {}) : object_(object), path_(std::move(path)) {}

  bool has(const char* key) const;
  // A string of at most `max_chars` code points (valid UTF-8); "" when absent and optional.
  // With `trimmed`, surrounding ASCII whitespace is removed first and an all-blank required
  // value counts as missing.
  std::string text(const char* key, Need need, std::size_t max_chars, bool trimmed = false);
  // Like text(), but an identifier: when present it must be non-empty and have no control chars.
  std::string id(const char* key, Need need, std::size_t max_chars = kMaxIdChars);
  std::optional<bool> flag(const char* key);
  // A string naming an enum value (bad_field when it names none); `fallback` when absent.
  template <class E>
  E enumeration(const char* key, Need need, E fallback, std::optional<E> (*parse)(std::string_view)) {
    const std::string name = text(key, need, kMaxShortChars);
    if (failed() || !has(key)) return fallback;
    if (const std::optional<E> v = parse(name)) return *v;
    fail(ErrorCode::bad_field, "unknown value \"" + name + "\"", key);
    return fallback;
  }
  // An array of strings, each at most `max_chars`; empty when absent and optional.
  std::vector<std::string> strings(const char* key, Need need, std::size_t max_items, std::size_t max_chars);

  void fail(ErrorCode code, std::string message, const char* key);
  bool failed() const { return error_.has_value(); }
  const std::optional<ApiError>& error() const { return error_; }

 private:
  const Json* member(const char* key, Need need);

  const Json& object_;
  std::string path_;
  std::optional<ApiError> error_;
};

// Checks a standalone string (used by FieldReader and for path/query values): valid UTF-8 and at
// most `max_chars` code points. Returns the problem, naming `field`.
std::optional<ApiError> check_text(std::string_view s, std::size_t max_chars, std::string_view field);

// ---- request decoders ------------------------------------------------------------------------------

// POST /api/v1/conversations/{id}/messages
struct SendMessageRequest {
  std::string text;                      // trimmed, 1..4000 code points
  std::string client_msg_id;             // "" = none (the relay then generates one)
  MessageKind kind = MessageKind::text;  // text | note
};
ApiResult<SendMessageRequest> decode_send_message(const Json& body);

// POST /api/v1/conversations/{id}/resolve
struct ResolveRequest {
  std::string resolution;  // may be ""
  std::string issue_type;  // "" = none; otherwise one of `allowed` when that is non-empty
};
ApiResult<ResolveRequest> decode_resolve(const Json& body, const std::vector<std::string>& allowed);

// POST /api/v1/conversations/{id}/handoff, /api/chat/handoff
struct HandoffRequest {
  std::string reason;   // free text, may be ""
  std::string user_id;  // /api/chat/handoff only: the mirror's user id (required there)
};
ApiResult<HandoffRequest> decode_handoff(const Json& body, bool with_user_id);

// POST /api/v1/conversations/{id}/priority
ApiResult<Priority> decode_priority(const Json& body);

// POST /api/v1/users
struct NewUserRequest {
  std::string username;      // 1..100, [A-Za-z0-9._@-]
  std::string display_name;  // 1..200 (defaults to username)
  StaffRole role = StaffRole::agent;
  std::string password;  // kMinPasswordChars..kMaxPasswordChars code points
};
ApiResult<NewUserRequest> decode_new_user(const Json& body);

// POST /api/v1/me/password
struct PasswordChangeRequest {
  std::string current_password;
  std::string new_password;
};
ApiResult<PasswordChangeRequest> decode_password_change(const Json& body);

// POST /api/v1/apikeys
ApiResult<std::string> decode_apikey_name(const Json& body);

// POST /api/v1/kb: a JSON array of articles (or {"articles":[...]}); ids unique; keywords are
// lower-cased.
ApiResult<std::vector<KbArticle>> decode_kb(const Json& body);
Json kb_to_json(const std::vector<KbArticle>& articles);

// POST /api/chat/sync: one message mirrored from an external assistant.
struct SyncRequest {
  std::string user_id;           // the external user id (the contact's external_id)
  std::string message;           // 1..4000 code points, trimmed
  Role sender = Role::customer;  // customer | bot | agent
  std::string sender_name;       // the sender string as given ("bibiana", "staff", ...)
  std::optional<Millis> at;      // from `timestamp`; nullopt = now
  std::string message_id;        // "" = none; else idempotency key
  std::string user_name, user_email;
  std::optional<Priority> priority;
};
// `assistant_name` is the tenant's external assistant name (also accepted as a bot sender,
// case-insensitively, as are "bibiana", "assistant", "bot", "ai").
ApiResult<SyncRequest> decode_sync(const Json& body, std::string_view assistant_name);

// Maps a mirror `sender` string to a role: user|customer|visitor -> customer;
// bibiana|assistant|bot|ai|<assistant_name> -> bot; staff|agent|human -> agent. Case-insensitive.
std::optional<Role> parse_sync_sender(std::string_view sender, std::string_view assistant_name);

// Times and time zones: core/time_zone.hpp.

}  // namespace parley::relay::http
