// Exception-free JSON helpers (json_io.hpp).
#include "json_io.hpp"

#include "parley/text.hpp"

namespace parley::json_io {

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::optional<Json> parse(std::string_view text) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

std::optional<Seq> as_seq(const Json& value) {
  if (value.is_number_unsigned()) return value.get<Seq>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<Seq>(value.get<std::int64_t>());
  }
  return std::nullopt;
}

ObjectReader::ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

bool ObjectReader::has(const char* key) const { return object_.is_object() && object_.contains(key); }

void ObjectReader::fail(ErrorCode code, std::string message, const char* key) {
  if (error_) return;
  std::string field = path_ + key;
  error_ = make_error(code, "field \"" + field + "\": " + message, field);
}

const Json* ObjectReader::member(const char* key, Need need) {
  if (failed()) return nullptr;
  if (object_.is_object()) {
    const auto it = object_.find(key);
    if (it != object_.end()) return &*it;
  }
  if (need == Need::required) fail(ErrorCode::missing_field, "is required", key);
  return nullptr;
}

std::string ObjectReader::text(const char* key, Need need, std::size_t max_chars) {
  const Json* value = member(key, need);
  if (value == nullptr) return {};
  if (!value->is_string()) {
    fail(ErrorCode::bad_field, "must be a string", key);
    return {};
  }
  const auto& s = value->get_ref<const std::string&>();
  if (!is_valid_utf8(s)) {
    fail(ErrorCode::bad_unicode, "is not valid UTF-8", key);
    return {};
  }
  if (max_chars != kNoLimit && count_code_points(s) > max_chars) {
    fail(ErrorCode::text_too_long, "is longer than " + std::to_string(max_chars) + " characters", key);
    return {};
  }
  return s;
}

std::string ObjectReader::id(const char* key, Need need, std::size_t max_chars) {
  std::string value = text(key, need, max_chars);
  if (!failed() && value.empty() && has(key)) fail(ErrorCode::bad_field, "must not be empty", key);
  return value;
}

bool ObjectReader::flag(const char* key, bool fallback) {
  const Json* value = member(key, Need::optional);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) {
    fail(ErrorCode::bad_field, "must be true or false", key);
    return fallback;
  }
  return value->get<bool>();
}

Seq ObjectReader::seq(const char* key, Need need) {
  const Json* value = member(key, need);
  if (value == nullptr) return 0;
  const std::optional<Seq> seq = as_seq(*value);
  if (!seq) fail(ErrorCode::bad_field, "must be a non-negative integer", key);
  return seq.value_or(0);
}

Millis ObjectReader::millis(const char* key, Need need) {
  const Json* value = member(key, need);
  if (value == nullptr) return 0;
  if (!value->is_number_integer()) {
    fail(ErrorCode::bad_field, "must be an integer (unix milliseconds)", key);
    return 0;
  }
  return value->get<Millis>();
}

const Json* ObjectReader::object(const char* key, Need need) {
  const Json* value = member(key, need);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    fail(ErrorCode::bad_field, "must be an object", key);
    return nullptr;
  }
  return value;
}

const Json* ObjectReader::array(const char* key, Need need) {
  const Json* value = member(key, need);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    fail(ErrorCode::bad_field, "must be an array", key);
    return nullptr;
  }
  return value;
}

}  // namespace parley::json_io
