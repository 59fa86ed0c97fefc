// The offline path's rules (parley/offline.hpp).
#include "parley/offline.hpp"

#include "parley/text.hpp"

namespace parley {

Json to_json(const Availability& a) {
  return Json{{"available", a.available()},
              {"agents_online", a.agents_online},
              {"open", a.open},
              {"next_open_at", a.next_open_at ? Json(*a.next_open_at) : Json(nullptr)},
              {"offline_message", a.offline_message}};
}

Result<Availability> decode_availability(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "availability must be an object", "availability");
  Availability a;
  auto flag = [&](const char* k, bool& into) -> std::optional<Error> {
    auto it = j.find(k);
    if (it == j.end()) return std::nullopt;
    if (!it->is_boolean()) return make_error(ErrorCode::bad_field, std::string(k) + " must be a boolean", k);
    into = it->get<bool>();
    return std::nullopt;
  };
  if (auto e = flag("agents_online", a.agents_online)) return *e;
  if (auto e = flag("open", a.open)) return *e;
  if (auto it = j.find("next_open_at"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) return make_error(ErrorCode::bad_field, "next_open_at must be ms", "next_open_at");
    a.next_open_at = it->get<Millis>();
  }
  if (auto it = j.find("offline_message"); it != j.end()) {
    if (!it->is_string()) return make_error(ErrorCode::bad_field, "offline_message must be text", "offline_message");
    a.offline_message = it->get<std::string>();
  }
  return a;
}

std::string offline_message_or_default(const std::string& m) {
  return m.empty() ? std::string(kDefaultOfflineMessage) : m;
}

bool valid_email(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  const auto at = a.find('@');
  if (at == std::string_view::npos || at == 0 || a.find('@', at + 1) != std::string_view::npos) return false;
  for (unsigned char ch : a) {
    if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == ';' || ch == '"' || ch == '\\')
      return false;
  }
  const std::string_view domain = a.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && domain.back() != '.' && domain.find("..") == std::string_view::npos;
}

std::optional<Error> check_offline_form(const OfflineForm& f, const Limits& limits) {
  if (f.email.empty()) return make_error(ErrorCode::missing_field, "an email address is needed for the answer", "email");
  if (!valid_email(f.email)) return make_error(ErrorCode::bad_field, "that does not look like an email address", "email");
  bool blank = true;
  for (unsigned char ch : f.text) {
    if (ch > 0x20) blank = false;
  }
  if (blank) return make_error(ErrorCode::missing_field, "write a message", "text");
  if (count_code_points(f.text) > limits.max_text_chars) {
    return make_error(ErrorCode::text_too_long, "the message is too long", "text");
  }
  return std::nullopt;
}

bool abandon_applies(const Conversation& c, bool has_offline_request) {
  return c.status == Status::pending && c.channel == Channel::web && !has_offline_request;
}

bool mail_staff_answer(const Event& e, bool has_offline_request, bool customer_online) {
  if (!has_offline_request || customer_online) return false;
  if (e.type != ev::new_message || e.audience != Audience::everyone || e.actor.role != Role::agent) return false;
  const auto m = e.data.find("message");
  if (m == e.data.end() || !m->is_object()) return false;
  return m->value("kind", std::string("text")) == "text" && m->contains("text");
}

}  // namespace parley
