// Pure helpers of the REST API (rest_io.hpp).
#include "app/http/rest_io.hpp"
#include "parley/kb_admin.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <unordered_map>

#include "net/http_util.hpp"
#include "parley/text.hpp"

namespace parley::relay::http {

// ---- errors ------------------------------------------------------------------------------------

int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_json:
    case ErrorCode::bad_version:
    case ErrorCode::unknown_type:
    case ErrorCode::missing_field:
    case ErrorCode::bad_field:
    case ErrorCode::text_too_long:
    case ErrorCode::bad_unicode:
      return 400;
    case ErrorCode::unauthorized:
      return 401;
    case ErrorCode::forbidden:
    case ErrorCode::blocked:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::invalid_transition:
    case ErrorCode::already_assigned:
    case ErrorCode::not_assigned:
      return 409;
    case ErrorCode::rate_limited:
      return 429;
    case ErrorCode::unavailable:
    case ErrorCode::busy:  // nothing was stored; the client retries (as over the WebSocket)
      return 503;
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

ApiError api_error(const Error& e) {
  return ApiError{status_for(e.code), std::string(to_string(e.code)), e.message, e.field};
}

ApiError api_error(ErrorCode code, std::string message, std::string field) {
  return ApiError{status_for(code), std::string(to_string(code)), std::move(message), std::move(field)};
}

ApiError too_large(std::string message) { return ApiError{413, "too_large", std::move(message), {}}; }

ApiError method_not_allowed() { return ApiError{405, "method_not_allowed", "method not allowed here", {}}; }

ApiError conflict(std::string message, std::string field) {
  return ApiError{409, "conflict", std::move(message), std::move(field)};
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse json_response(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = dump_json(body);
  return r;
}

HttpResponse error_response(const ApiError& e) {
  Json err = {{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  HttpResponse r = json_response(e.status, Json{{"error", std::move(err)}});
  if (e.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"parley\"");
  return r;
}

// ---- bodies and queries --------------------------------------------------------------------------

ApiResult<Json> parse_json_body(std::string_view body, bool object_only) {
  if (body.size() > kMaxBodyBytes) return too_large();
  if (!is_valid_utf8(body)) return api_error(ErrorCode::bad_unicode, "body is not valid UTF-8");
  if (has_lone_surrogate_escape(body)) {
    return api_error(ErrorCode::bad_unicode, "body holds a lone UTF-16 surrogate escape");
  }
  Json value = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return api_error(ErrorCode::bad_json, "body is not valid JSON");
  if (object_only && !value.is_object()) return api_error(ErrorCode::bad_json, "body must be a JSON object");
  return value;
}

namespace {

using http_util::hex_value;

std::optional<std::string> form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

ApiResult<std::map<std::string, std::string>> parse_query(std::string_view raw) {
  std::map<std::string, std::string> out;
  if (raw.size() > 8192) return api_error(ErrorCode::bad_field, "query string is too long", "query");
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::optional<std::string> key = form_decode(pair.substr(0, eq));
    const std::optional<std::string> value =
        eq == std::string_view::npos ? std::optional<std::string>("") : form_decode(pair.substr(eq + 1));
    if (!key || !value) return api_error(ErrorCode::bad_field, "bad percent escape in the query", "query");
    if (!is_valid_utf8(*key) || !is_valid_utf8(*value)) {
      return api_error(ErrorCode::bad_unicode, "query is not valid UTF-8", *key);
    }
    out[*key] = *value;
  }
  return out;
}

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// ---- typed fields ----------------------------------------------------------------------------------

std::optional<ApiError> check_text(std::string_view s, std::size_t max_chars, std::string_view field) {
  const std::string f(field);
  if (!is_valid_utf8(s)) return api_error(ErrorCode::bad_unicode, f + " is not valid UTF-8", f);
  if (count_code_points(s) > max_chars) {
    return api_error(ErrorCode::text_too_long,
                     f + " is longer than " + std::to_string(max_chars) + " characters", f);
  }
  return std::nullopt;
}

bool FieldReader::has(const char* key) const {
  if (!object_.is_object()) return false;
  const auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

void FieldReader::fail(ErrorCode code, std::string message, const char* key) {
  if (error_) return;
  std::string field = path_ + key;
  error_ = api_error(code, "field \"" + field + "\" " + message, field);
}

// A JSON null counts as absent: clients often send {"client_msg_id": null}.
const Json* FieldReader::member(const char* key, Need need) {
  if (failed()) return nullptr;
  if (object_.is_object()) {
    const auto it = object_.find(key);
    if (it != object_.end() && !it->is_null()) return &*it;
  }
  if (need == Need::required) fail(ErrorCode::missing_field, "is required", key);
  return nullptr;
}

std::string FieldReader::text(const char* key, Need need, std::size_t max_chars, bool trimmed) {
  const Json* value = member(key, need);
  if (value == nullptr) return {};
  if (!value->is_string()) {
    fail(ErrorCode::bad_field, "must be a string", key);
    return {};
  }
  std::string_view s = value->get_ref<const std::string&>();
  if (!is_valid_utf8(s)) {
    fail(ErrorCode::bad_unicode, "is not valid UTF-8", key);
    return {};
  }
  if (trimmed) s = trim(s);
  if (count_code_points(s) > max_chars) {
    fail(ErrorCode::text_too_long, "is longer than " + std::to_string(max_chars) + " characters", key);
    return {};
  }
  if (trimmed && s.empty() && need == Need::required) {
    fail(ErrorCode::missing_field, "must not be blank", key);
    return {};
  }
  return std::string(s);
}

std::string FieldReader::id(const char* key, Need need, std::size_t max_chars) {
  std::string v = text(key, need, max_chars);
  if (failed() || !has(key)) return v;
  if (v.empty()) {
    fail(ErrorCode::bad_field, "must not be empty", key);
    return {};
  }
  if (std::any_of(v.begin(), v.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    fail(ErrorCode::bad_field, "must not hold control characters", key);
    return {};
  }
  return v;
}

std::optional<bool> FieldReader::flag(const char* key) {
  const Json* value = member(key, Need::optional);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    fail(ErrorCode::bad_field, "must be true or false", key);
    return std::nullopt;
  }
  return value->get<bool>();
}

std::vector<std::string> FieldReader::strings(const char* key, Need need, std::size_t max_items,
                                              std::size_t max_chars) {
  std::vector<std::string> out;
  const Json* value = member(key, need);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    fail(ErrorCode::bad_field, "must be an array of strings", key);
    return out;
  }
  if (value->size() > max_items) {
    fail(ErrorCode::bad_field, "has more than " + std::to_string(max_items) + " items", key);
    return out;
  }
  for (const Json& item : *value) {
    if (!item.is_string()) {
      fail(ErrorCode::bad_field, "must be an array of strings", key);
      return {};
    }
    const auto& s = item.get_ref<const std::string&>();
    if (auto e = check_text(s, max_chars, path_ + key)) {
      if (!error_) error_ = std::move(e);
      return {};
    }
    out.push_back(s);
  }
  return out;
}

// ---- request decoders ------------------------------------------------------------------------------

namespace {

template <class T>
ApiResult<T> finish(const FieldReader& r, T value) {
  if (r.failed()) return *r.error();
  return value;
}

bool valid_username(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@';
  });
}

}  // namespace

ApiResult<SendMessageRequest> decode_send_message(const Json& body) {
  FieldReader r(body);
  SendMessageRequest m;
  m.text = r.text("text", Need::required, kMaxTextChars, /*trimmed=*/true);
  m.client_msg_id = r.id("client_msg_id", Need::optional, kMaxIdChars);
  m.kind = r.enumeration("kind", Need::optional, MessageKind::text, &parse_message_kind);
  if (!r.failed() && m.kind != MessageKind::text && m.kind != MessageKind::note) {
    r.fail(ErrorCode::bad_field, "must be \"text\" or \"note\"", "kind");
  }
  return finish(r, std::move(m));
}

ApiResult<ResolveRequest> decode_resolve(const Json& body, const std::vector<std::string>& allowed) {
  FieldReader r(body);
  ResolveRequest m;
  m.resolution = r.text("resolution", Need::optional, kMaxLongChars, true);
  m.issue_type = r.text("issue_type", Need::optional, kMaxShortChars, true);
  if (!r.failed() && !m.issue_type.empty() && !allowed.empty() &&
      std::find(allowed.begin(), allowed.end(), m.issue_type) == allowed.end()) {
    r.fail(ErrorCode::bad_field, "is not one of the tenant's issue types", "issue_type");
  }
  return finish(r, std::move(m));
}

ApiResult<HandoffRequest> decode_handoff(const Json& body, bool with_user_id) {
  FieldReader r(body);
  HandoffRequest m;
  if (with_user_id) m.user_id = r.id("user_id", Need::required, kMaxIdChars);
  m.reason = r.text("reason", Need::optional, kMaxLongChars, true);
  return finish(r, std::move(m));
}

ApiResult<Priority> decode_priority(const Json& body) {
  FieldReader r(body);
  const Priority p = r.enumeration("priority", Need::required, Priority::normal, &parse_priority);
  return finish(r, p);
}

ApiResult<NewUserRequest> decode_new_user(const Json& body) {
  FieldReader r(body);
  NewUserRequest m;
  m.username = r.id("username", Need::required, kMaxIdChars);
  if (!r.failed() && !valid_username(m.username)) {
    r.fail(ErrorCode::bad_field, "may hold only letters, digits and . _ - @", "username");
  }
  m.display_name = r.text("display_name", Need::optional, kMaxShortChars, true);
  m.role = r.enumeration("role", Need::required, StaffRole::agent, &parse_staff_role);
  m.password = r.text("password", Need::required, kMaxPasswordChars);
  if (!r.failed() && count_code_points(m.password) < kMinPasswordChars) {
    r.fail(ErrorCode::bad_field, "must be at least " + std::to_string(kMinPasswordChars) + " characters",
           "password");
  }
  if (m.display_name.empty()) m.display_name = m.username;
  return finish(r, std::move(m));
}

ApiResult<PasswordChangeRequest> decode_password_change(const Json& body) {
  FieldReader r(body);
  PasswordChangeRequest m;
  m.current_password = r.text("current_password", Need::required, kMaxPasswordChars);
  m.new_password = r.text("new_password", Need::required, kMaxPasswordChars);
  if (!r.failed() && count_code_points(m.new_password) < kMinPasswordChars) {
    r.fail(ErrorCode::bad_field, "must be at least " + std::to_string(kMinPasswordChars) + " characters",
           "new_password");
  }
  return finish(r, std::move(m));
}

ApiResult<std::string> decode_apikey_name(const Json& body) {
  FieldReader r(body);
  std::string name = r.text("name", Need::required, kMaxShortChars, true);
  return finish(r, std::move(name));
}

ApiResult<std::vector<KbArticle>> decode_kb(const Json& body) {
  const Json* list = &body;
  if (body.is_object()) {
    const auto it = body.find("articles");
    if (it == body.end())
      return api_error(ErrorCode::missing_field, "field \"articles\" is required", "articles");
    list = &*it;
  }
  if (!list->is_array()) return api_error(ErrorCode::bad_json, "body must be a JSON array of articles");
  if (list->size() > kMaxKbArticles) {
    return api_error(ErrorCode::bad_field, "more than " + std::to_string(kMaxKbArticles) + " articles",
                     "articles");
  }
  std::vector<KbArticle> out;
  out.reserve(list->size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string path = "articles[" + std::to_string(i) + "].";
    if (!item.is_object())
      return api_error(ErrorCode::bad_field, path.substr(0, path.size() - 1) + " must be an object",
                       path.substr(0, path.size() - 1));
    FieldReader r(item, path);
    KbArticle a;
    a.id = r.id("id", Need::required, kMaxIdChars);
    a.title = r.text("title", Need::required, kMaxShortChars, true);
    a.body = r.text("body", Need::required, kMaxKbBodyChars, true);
    a.keywords = r.strings("keywords", Need::optional, 100, kMaxShortChars);
    // Issue 10 (schema v15): optional, with the defaults an article had before them.
    if (r.has("category")) a.category = r.text("category", Need::optional, kKbMaxCategoryChars, true);
    if (r.has("language")) a.language = r.text("language", Need::optional, 8, true);
    if (const auto f = r.flag("active")) a.active = *f;
    if (r.failed()) return *r.error();
    if (!ids.insert(a.id).second) {
      return api_error(ErrorCode::bad_field, "duplicate article id \"" + a.id + "\"", path + "id");
    }
    a.keywords = normalise_kb_keywords(a.keywords);
    if (auto p = check_kb_article(a)) return api_error(ErrorCode::bad_field, p->field + ": " + p->message, path + p->field);
    out.push_back(std::move(a));
  }
  return out;
}

Json kb_to_json(const std::vector<KbArticle>& articles) {
  Json out = Json::array();
  for (const KbArticle& a : articles) {
    out.push_back({{"id", a.id}, {"title", a.title}, {"body", a.body}, {"keywords", a.keywords},
                   {"category", a.category}, {"language", a.language}, {"active", a.active},
                   {"updated_at", a.updated_at}, {"usage_count", a.usage_count}});
  }
  return out;
}


std::optional<Role> parse_sync_sender(std::string_view sender, std::string_view assistant_name) {
  sender = trim(sender);
  for (const char* s : {"user", "customer", "visitor", "client"}) {
    if (iequals_ascii(sender, s)) return Role::customer;
  }
  for (const char* s : {"bibiana", "assistant", "bot", "ai", "agent_ai"}) {
    if (iequals_ascii(sender, s)) return Role::bot;
  }
  if (!trim(assistant_name).empty() && iequals_ascii(sender, trim(assistant_name))) return Role::bot;
  for (const char* s : {"staff", "agent", "human", "operator"}) {
    if (iequals_ascii(sender, s)) return Role::agent;
  }
  return std::nullopt;
}

ApiResult<SyncRequest> decode_sync(const Json& body, std::string_view assistant_name) {
  FieldReader r(body);
  SyncRequest m;
  m.user_id = r.id("user_id", Need::required, kMaxIdChars);
  m.message = r.text("message", Need::required, kMaxTextChars, /*trimmed=*/true);
  m.sender_name = r.text("sender", Need::required, kMaxShortChars, true);
  if (!r.failed()) {
    if (const std::optional<Role> role = parse_sync_sender(m.sender_name, assistant_name)) {
      m.sender = *role;
    } else {
      r.fail(ErrorCode::bad_field, "must be \"user\", \"staff\" or the assistant's name", "sender");
    }
  }
  if (r.has("timestamp") && !r.failed()) {
    const Json& ts = body["timestamp"];
    if (ts.is_number_integer() || ts.is_number_unsigned()) {
      // Unix time: seconds, or milliseconds when it is too large to be seconds.
      const std::int64_t v = ts.get<std::int64_t>();
      if (v < 0) {
        r.fail(ErrorCode::bad_field, "must not be negative", "timestamp");
      } else {
        m.at = v < 100000000000LL ? v * 1000 : v;
      }
    } else {
      const std::string s = r.text("timestamp", Need::optional, 64, true);
      if (!r.failed()) {
        m.at = parse_timestamp(s);
        if (!m.at) r.fail(ErrorCode::bad_field, "must be \"YYYY-MM-DD HH:MM:SS\" or ISO 8601", "timestamp");
      }
    }
  }
  m.message_id = r.id("message_id", Need::optional, kMaxIdChars);
  m.user_name = r.text("user_name", Need::optional, kMaxShortChars, true);
  m.user_email = r.text("user_email", Need::optional, kMaxShortChars, true);
  if (r.has("priority")) {
    m.priority = r.enumeration("priority", Need::optional, Priority::normal, &parse_priority);
  }
  return finish(r, std::move(m));
}

}  // namespace parley::relay::http
