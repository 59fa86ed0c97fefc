// relay/src/domain/types.cpp: tenant settings <-> JSON and their validation (see types.hpp).
#include "domain/types.hpp"

#include <cctype>
#include <cstdint>
#include <string_view>

namespace parley::relay {

namespace {

// ---- settings validation ----

bool is_hex_color(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return false;
  for (std::size_t i = 1; i < 7; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// "*" or a CSP-safe origin: http(s)://host[:port], host may start with "*." (subdomains).
// Nothing that could break out of a Content-Security-Policy source list (spaces, ';', ',', quotes).
bool is_site(const std::string& s) {
  if (s == "*") return true;
  std::string_view v(s);
  if (v.substr(0, 8) == "https://") {
    v.remove_prefix(8);
  } else if (v.substr(0, 7) == "http://") {
    v.remove_prefix(7);
  } else {
    return false;
  }
  if (v.substr(0, 2) == "*.") v.remove_prefix(2);
  const std::size_t colon = v.find(':');
  std::string_view host = v.substr(0, colon);
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return false;
  }
  if (colon != std::string_view::npos) {
    std::string_view port = v.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

bool is_time_zone(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+'))
      return false;
  }
  return true;
}

std::optional<Error> read_string(const Json& v, const std::string& key, std::size_t max_len, bool non_empty,
                                 std::string& out) {
  if (!v.is_string()) return make_error(ErrorCode::bad_field, key + " must be a string", key);
  const auto& s = v.get_ref<const std::string&>();
  if (non_empty && s.empty()) return make_error(ErrorCode::bad_field, key + " must not be empty", key);
  if (s.size() > max_len) {
    return make_error(ErrorCode::bad_field, key + " is longer than " + std::to_string(max_len) + " bytes",
                      key);
  }
  out = s;
  return std::nullopt;
}

std::optional<Error> read_bool(const Json& v, const std::string& key, bool& out) {
  if (!v.is_boolean()) return make_error(ErrorCode::bad_field, key + " must be true or false", key);
  out = v.get<bool>();
  return std::nullopt;
}

}  // namespace

// ---- settings ----

ConversationPolicy policy_of(const TenantSettings& s) {
  return ConversationPolicy{s.assistant_enabled, static_cast<Millis>(s.reopen_window_minutes) * 60 * 1000};
}

Json to_json(const TenantSettings& s) {
  return Json{{"title", s.title},
              {"welcome", s.welcome},
              {"brand_color", s.brand_color},
              {"position", s.position},
              {"allowed_sites", s.allowed_sites},
              {"prechat_form", s.prechat_form},
              {"time_zone", s.time_zone},
              {"assistant_enabled", s.assistant_enabled},
              {"assistant_name", s.assistant_name},
              {"handoff_after_turns", s.handoff_after_turns},
              {"issue_types", s.issue_types},
              {"csat_question", s.csat_question},
              {"reopen_window_minutes", s.reopen_window_minutes},
              {"attachment_types", s.attachment_types},
              {"attachment_max_bytes", s.attachment_max_bytes},
              {"offline_message", s.offline_message},
              {"business_hours", to_json(s.business_hours)}};
}

std::optional<Error> apply_settings_json(const Json& j, TenantSettings& into) {
  if (!j.is_object()) return make_error(ErrorCode::bad_json, "settings must be a JSON object");
  TenantSettings s = into;  // all or nothing
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    std::optional<Error> e;
    if (key == "title") {
      e = read_string(v, key, 200, true, s.title);
    } else if (key == "welcome") {
      e = read_string(v, key, 2000, false, s.welcome);
    } else if (key == "brand_color") {
      std::string c;
      e = read_string(v, key, 7, true, c);
      if (!e && !is_hex_color(c)) e = make_error(ErrorCode::bad_field, "brand_color must be #rrggbb", key);
      if (!e) s.brand_color = c;
    } else if (key == "position") {
      std::string p;
      e = read_string(v, key, 5, true, p);
      if (!e && p != "right" && p != "left")
        e = make_error(ErrorCode::bad_field, "position must be right or left", key);
      if (!e) s.position = p;
    } else if (key == "allowed_sites") {
      if (!v.is_array()) {
        e = make_error(ErrorCode::bad_field, "allowed_sites must be an array of origins", key);
      } else {
        std::vector<std::string> sites;
        for (const Json& x : v) {
          if (!x.is_string() || !is_site(x.get_ref<const std::string&>())) {
            e = make_error(ErrorCode::bad_field,
                           "allowed_sites entries must be \"*\" or origins like https://example.com", key);
            break;
          }
          sites.push_back(x.get<std::string>());
        }
        if (!e) s.allowed_sites = std::move(sites);
      }
    } else if (key == "prechat_form") {
      e = read_bool(v, key, s.prechat_form);
    } else if (key == "time_zone") {
      std::string tz;
      e = read_string(v, key, 64, true, tz);
      if (!e && !is_time_zone(tz))
        e = make_error(ErrorCode::bad_field, "time_zone must be an IANA name", key);
      if (!e) s.time_zone = tz;
    } else if (key == "assistant_enabled") {
      e = read_bool(v, key, s.assistant_enabled);
    } else if (key == "assistant_name") {
      e = read_string(v, key, 100, true, s.assistant_name);
    } else if (key == "handoff_after_turns") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 50) {
        e = make_error(ErrorCode::bad_field, "handoff_after_turns must be an integer from 1 to 50", key);
      } else {
        s.handoff_after_turns = static_cast<int>(v.get<std::int64_t>());
      }
    } else if (key == "issue_types") {
      if (!v.is_array() || v.empty()) {
        e = make_error(ErrorCode::bad_field, "issue_types must be a non-empty array of names", key);
      } else {
        std::vector<std::string> types;
        for (const Json& x : v) {
          if (!x.is_string() || x.get_ref<const std::string&>().empty() ||
              x.get_ref<const std::string&>().size() > 64) {
            e = make_error(ErrorCode::bad_field, "issue_types entries must be names of 1 to 64 bytes", key);
            break;
          }
          for (const auto& t : types) {
            if (t == x.get_ref<const std::string&>()) {
              e = make_error(ErrorCode::bad_field, "issue_types has a duplicate: " + t, key);
            }
          }
          if (e) break;
          types.push_back(x.get<std::string>());
        }
        if (!e) s.issue_types = std::move(types);
      }
    } else if (key == "csat_question") {
      e = read_string(v, key, 200, true, s.csat_question);
    } else if (key == "reopen_window_minutes") {
      constexpr std::int64_t kMaxWindow = 90LL * 24 * 60;  // 90 days
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > kMaxWindow) {
        e = make_error(ErrorCode::bad_field, "reopen_window_minutes must be an integer from 0 to 129600", key);
      } else {
        s.reopen_window_minutes = static_cast<int>(v.get<std::int64_t>());
      }
    } else if (key == "attachment_types") {
      std::vector<std::string> types;
      std::string bad;
      if (!v.is_array()) {
        e = make_error(ErrorCode::bad_field, "attachment_types must be an array of MIME types", key);
      } else {
        for (const Json& x : v) {
          if (!x.is_string()) {
            e = make_error(ErrorCode::bad_field, "attachment_types entries must be strings", key);
            break;
          }
          types.push_back(x.get<std::string>());
        }
        if (!e && !valid_allow_list(types, &bad)) {
          e = make_error(ErrorCode::bad_field,
                         "attachment_types: unknown type \"" + bad.substr(0, 100) +
                             "\" (known: image/*, image/png, image/jpeg, image/gif, image/webp, application/pdf, "
                             "text/plain, and the docx and xlsx types)",
                         key);
        }
        if (!e) s.attachment_types = std::move(types);
      }
    } else if (key == "attachment_max_bytes") {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() < 1 || v.get<std::uint64_t>() > kMaxAttachmentBytes) {
        e = make_error(ErrorCode::bad_field,
                       "attachment_max_bytes must be an integer from 1 to " + std::to_string(kMaxAttachmentBytes), key);
      } else {
        s.attachment_max_bytes = v.get<std::uint64_t>();
      }
    } else if (key == "offline_message") {
      e = read_string(v, key, 2000, false, s.offline_message);
    } else if (key == "business_hours") {
      auto h = business_hours_from_json(v);
      if (!h) {
        e = h.error();
      } else {
        s.business_hours = std::move(h).value();
      }
    } else {
      e = make_error(ErrorCode::bad_field, "unknown setting: " + key, key);
    }
    if (e) return e;
  }
  into = std::move(s);
  return std::nullopt;
}

}  // namespace parley::relay
