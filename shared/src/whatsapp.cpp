// The WhatsApp Cloud API rules (parley/whatsapp.hpp). Exception-free: every JSON value's type is
// checked before it is read (the WebAssembly build has no exceptions).
#include "parley/whatsapp.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "json_io.hpp"
#include "parley/text.hpp"

namespace parley::wa {

namespace {

constexpr std::pair<MessageType, std::string_view> kTypes[] = {
    {MessageType::text, "text"},         {MessageType::button, "button"},     {MessageType::interactive, "interactive"},
    {MessageType::image, "image"},       {MessageType::document, "document"}, {MessageType::audio, "audio"},
    {MessageType::video, "video"},       {MessageType::sticker, "sticker"},   {MessageType::location, "location"},
    {MessageType::reaction, "reaction"}, {MessageType::contacts, "contacts"}, {MessageType::order, "order"},
    {MessageType::system, "system"},     {MessageType::unsupported, "unsupported"},
};
constexpr std::pair<DeliveryState, std::string_view> kStates[] = {
    {DeliveryState::pending, "pending"}, {DeliveryState::unknown, "unknown"},     {DeliveryState::sent, "sent"},
    {DeliveryState::failed, "failed"},   {DeliveryState::delivered, "delivered"}, {DeliveryState::read, "read"},
    {DeliveryState::played, "played"},
};

// A string member, "" when absent or not a string (or not valid UTF-8).
std::string str(const Json& o, const char* key) {
  if (!o.is_object()) return {};
  const auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return {};
  const std::string& s = it->get_ref<const std::string&>();
  return is_valid_utf8(s) ? s : std::string();
}
const Json* obj(const Json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it != o.end() && it->is_object() ? &*it : nullptr;
}
const Json* arr(const Json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it != o.end() && it->is_array() ? &*it : nullptr;
}
// WhatsApp timestamps: unix seconds as a string (numbers accepted too). 0 when unreadable.
Millis seconds_ms(const Json& o, const char* key) {
  if (!o.is_object()) return 0;
  const auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->is_number_integer()) return it->get<std::int64_t>() * 1000;
  if (!it->is_string()) return 0;
  const std::string& s = it->get_ref<const std::string&>();
  if (s.empty() || s.size() > 12 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return 0;
  }
  return std::strtoll(s.c_str(), nullptr, 10) * 1000;
}
double number(const Json& o, const char* key) {
  if (!o.is_object()) return 0;
  const auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) return std::strtod(it->get_ref<const std::string&>().c_str(), nullptr);
  return 0;
}
int int_of(const Json& o, const char* key) {
  if (!o.is_object()) return 0;
  const auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) return 0;
  return it->get<int>();
}
// errors[0] as "title: details" (either part may be missing).
void first_error(const Json& o, int* code, std::string* title, std::string* detail) {
  const Json* errs = arr(o, "errors");
  if (!errs || errs->empty() || !(*errs)[0].is_object()) return;
  const Json& e = (*errs)[0];
  if (code) *code = int_of(e, "code");
  *title = str(e, "title");
  if (title->empty()) *title = str(e, "message");
  if (const Json* d = obj(e, "error_data")) *detail = str(*d, "details");
}

std::optional<Media> media_of(const Json& m, const char* key) {
  const Json* o = obj(m, key);
  if (!o) return std::nullopt;
  Media md;
  md.id = str(*o, "id");
  md.mime_type = str(*o, "mime_type");
  md.sha256 = str(*o, "sha256");
  md.filename = str(*o, "filename");
  md.caption = str(*o, "caption");
  const auto v = o->find("voice");
  md.voice = v != o->end() && v->is_boolean() && v->get<bool>();
  return md;
}

// One message; nullopt with `why` when it cannot be used at all (no id, no sender).
std::optional<InboundMessage> message_of(const Json& m, const std::string& phone_number_id, const Json* contacts,
                                         std::string* why) {
  if (!m.is_object()) {
    *why = "a message is not an object";
    return std::nullopt;
  }
  InboundMessage out;
  out.phone_number_id = phone_number_id;
  out.wamid = str(m, "id");
  out.from = str(m, "from");
  out.user_id = str(m, "user_id");
  if (out.wamid.empty()) {
    *why = "a message has no id";
    return std::nullopt;
  }
  out.at = seconds_ms(m, "timestamp");
  out.type_name = str(m, "type");
  out.type = parse_message_type(out.type_name).value_or(MessageType::unsupported);
  if (const Json* ctx = obj(m, "context")) out.context_id = str(*ctx, "id");
  if (contacts) {
    for (const Json& c : *contacts) {
      if (!c.is_object()) continue;
      const std::string wa_id = str(c, "wa_id");
      const std::string uid = str(c, "user_id");
      if ((!wa_id.empty() && wa_id == out.from) || (!uid.empty() && uid == out.user_id) || contacts->size() == 1) {
        if (const Json* p = obj(c, "profile")) out.profile_name = str(*p, "name");
        if (out.from.empty() && !wa_id.empty() && contacts->size() == 1) out.from = wa_id;
        break;
      }
    }
  }
  if (out.sender().empty()) {
    *why = "message " + out.wamid + " has no sender";
    return std::nullopt;
  }
  switch (out.type) {
    case MessageType::text:
      if (const Json* t = obj(m, "text")) out.text = str(*t, "body");
      break;
    case MessageType::button:
      if (const Json* b = obj(m, "button")) {
        out.text = str(*b, "text");
        out.payload = str(*b, "payload");
      }
      break;
    case MessageType::interactive:
      if (const Json* i = obj(m, "interactive")) {
        const Json* reply = obj(*i, "button_reply");
        if (!reply) reply = obj(*i, "list_reply");
        if (!reply) reply = obj(*i, "nfm_reply");
        if (reply) {
          out.text = str(*reply, "title");
          if (out.text.empty()) out.text = str(*reply, "body");
          out.payload = str(*reply, "id");
          const std::string desc = str(*reply, "description");
          if (!desc.empty()) out.text += out.text.empty() ? desc : " (" + desc + ")";
        }
      }
      break;
    case MessageType::image:
    case MessageType::document:
    case MessageType::audio:
    case MessageType::video:
    case MessageType::sticker:
      out.media = media_of(m, out.type_name.c_str());
      if (out.media) out.text = out.media->caption;
      break;
    case MessageType::location:
      if (const Json* l = obj(m, "location")) {
        out.latitude = number(*l, "latitude");
        out.longitude = number(*l, "longitude");
        out.place_name = str(*l, "name");
        out.address = str(*l, "address");
      }
      break;
    case MessageType::reaction:
      if (const Json* r = obj(m, "reaction")) {
        out.reaction_to = str(*r, "message_id");
        out.emoji = str(*r, "emoji");
      }
      break;
    case MessageType::system:
      if (const Json* s = obj(m, "system")) out.error = str(*s, "body");
      break;
    case MessageType::contacts:
    case MessageType::order:
    case MessageType::unsupported: {
      std::string title, detail;
      first_error(m, nullptr, &title, &detail);
      out.error = detail.empty() ? title : (title.empty() ? detail : title + ": " + detail);
      break;
    }
  }
  return out;
}

std::optional<StatusUpdate> status_of(const Json& s, const std::string& phone_number_id, std::string* why) {
  if (!s.is_object()) {
    *why = "a status is not an object";
    return std::nullopt;
  }
  StatusUpdate out;
  out.phone_number_id = phone_number_id;
  out.wamid = str(s, "id");
  const std::string name = str(s, "status");
  const auto state = parse_delivery_state(name);
  if (out.wamid.empty() || !state || *state == DeliveryState::pending || *state == DeliveryState::unknown) {
    *why = "a status has no id or an unknown status \"" + name + "\"";
    return std::nullopt;
  }
  out.state = *state;
  out.recipient_id = str(s, "recipient_id");
  out.at = seconds_ms(s, "timestamp");
  first_error(s, &out.error_code, &out.error_title, &out.error_detail);
  if (const Json* p = obj(s, "pricing")) out.pricing = *p;
  if (const Json* c = obj(s, "conversation")) out.conversation_id = str(*c, "id");
  return out;
}

int rank(DeliveryState s) {
  switch (s) {
    case DeliveryState::pending: return 0;
    case DeliveryState::unknown: return 1;
    case DeliveryState::sent: return 2;
    case DeliveryState::failed: return 3;
    case DeliveryState::delivered: return 4;
    case DeliveryState::read: return 5;
    case DeliveryState::played: return 6;
  }
  return 0;
}

std::string describe_media(const InboundMessage& m, std::string_view what) {
  std::string s = "[" + std::string(what);
  if (m.media && !m.media->filename.empty()) s += ": " + m.media->filename;
  s += "]";
  if (!m.text.empty()) s += " " + m.text;
  return s;
}

Millis capped_exp(Millis base, int attempts, Millis cap) {
  Millis d = base;
  for (int i = 1; i < attempts && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

bool ct_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string_view to_string(MessageType t) {
  for (const auto& [k, v] : kTypes) {
    if (k == t) return v;
  }
  return "unsupported";
}
std::optional<MessageType> parse_message_type(std::string_view s) {
  for (const auto& [k, v] : kTypes) {
    if (v == s) return k;
  }
  return std::nullopt;
}
std::string_view to_string(DeliveryState s) {
  for (const auto& [k, v] : kStates) {
    if (k == s) return v;
  }
  return "pending";
}
std::optional<DeliveryState> parse_delivery_state(std::string_view s) {
  for (const auto& [k, v] : kStates) {
    if (v == s) return k;
  }
  return std::nullopt;
}

std::string StatusUpdate::key() const { return wamid + "|" + std::string(to_string(state)); }

DeliveryState furthest(DeliveryState current, DeliveryState incoming) {
  return rank(incoming) > rank(current) ? incoming : current;
}

bool is_system_line(const InboundMessage& m) {
  switch (m.type) {
    case MessageType::system:
    case MessageType::unsupported:
    case MessageType::contacts:
    case MessageType::order:
      return true;
    case MessageType::reaction:
      return false;
    default:
      return display_text(m).empty();
  }
}

std::string display_text(const InboundMessage& m) {
  switch (m.type) {
    case MessageType::text:
    case MessageType::button:
    case MessageType::interactive:
      return m.text;
    case MessageType::image: return describe_media(m, "image");
    case MessageType::document: return describe_media(m, "document");
    case MessageType::audio: return describe_media(m, m.media && m.media->voice ? "voice message" : "audio");
    case MessageType::video: return describe_media(m, "video");
    case MessageType::sticker: return describe_media(m, "sticker");
    case MessageType::location: {
      std::string s = "[location]";
      if (!m.place_name.empty()) s += " " + m.place_name;
      if (!m.address.empty()) s += (m.place_name.empty() ? " " : ", ") + m.address;
      char buf[64];
      std::snprintf(buf, sizeof buf, " (%.6f, %.6f)", m.latitude, m.longitude);
      return s + buf;
    }
    case MessageType::reaction:
      return m.emoji.empty() ? "[reaction removed]" : "[reaction] " + m.emoji;
    default:
      return {};
  }
}

std::string system_line(const InboundMessage& m) {
  std::string s = "A WhatsApp message of type \"" + (m.type_name.empty() ? std::string("?") : m.type_name) +
                  "\" could not be shown here";
  if (!m.error.empty()) s += ": " + m.error;
  return s;
}

Result<WebhookBatch> parse_webhook(std::string_view body) {
  std::optional<Json> doc = json_io::parse(body);
  if (!doc || !doc->is_object()) return make_error(ErrorCode::bad_json, "the body is not a JSON object");
  if (str(*doc, "object") != "whatsapp_business_account") {
    return make_error(ErrorCode::bad_field, "object is not whatsapp_business_account", "object");
  }
  const Json* entries = arr(*doc, "entry");
  if (!entries) return make_error(ErrorCode::bad_field, "entry must be an array", "entry");
  WebhookBatch out;
  for (const Json& entry : *entries) {
    const Json* changes = arr(entry, "changes");
    if (!changes) {
      out.problems.push_back("an entry has no changes array");
      continue;
    }
    for (const Json& change : *changes) {
      const Json* value = obj(change, "value");
      if (!value) {
        out.problems.push_back("a change has no value");
        continue;
      }
      const std::string field = str(change, "field");
      if (!field.empty() && field != "messages") {
        out.problems.push_back("a change of field \"" + field + "\" is not handled");
        continue;
      }
      std::string phone;
      if (const Json* md = obj(*value, "metadata")) phone = str(*md, "phone_number_id");
      if (phone.empty()) {
        out.problems.push_back("a change has no metadata.phone_number_id");
        continue;
      }
      if (std::find(out.phone_number_ids.begin(), out.phone_number_ids.end(), phone) == out.phone_number_ids.end()) {
        out.phone_number_ids.push_back(phone);
      }
      const Json* contacts = arr(*value, "contacts");
      if (const Json* msgs = arr(*value, "messages")) {
        for (const Json& m : *msgs) {
          std::string why;
          if (auto im = message_of(m, phone, contacts, &why)) {
            out.messages.push_back(std::move(*im));
          } else {
            out.problems.push_back(why);
          }
        }
      }
      if (const Json* sts = arr(*value, "statuses")) {
        for (const Json& s : *sts) {
          std::string why;
          if (auto su = status_of(s, phone, &why)) {
            out.statuses.push_back(std::move(*su));
          } else {
            out.problems.push_back(why);
          }
        }
      }
      if (const Json* errs = arr(*value, "errors")) {
        for (const Json& e : *errs) {
          out.problems.push_back("the change reports an error: " + (e.is_object() ? str(e, "title") : std::string()));
        }
      }
    }
  }
  return out;
}

bool window_open(Millis last_customer_at, Millis now) {
  return last_customer_at > 0 && now < last_customer_at + kWindowMs;
}
Millis window_closes_at(Millis last_customer_at) { return last_customer_at > 0 ? last_customer_at + kWindowMs : 0; }

std::string_view to_string(SendClass c) {
  switch (c) {
    case SendClass::ok: return "ok";
    case SendClass::retry: return "retry";
    case SendClass::retry_user: return "retry_user";
    case SendClass::permanent: return "permanent";
    case SendClass::template_needed: return "template_needed";
    case SendClass::auth_stop: return "auth_stop";
    case SendClass::unknown_outcome: return "unknown_outcome";
  }
  return "retry";
}

SendVerdict classify_send(Transport transport, int http_status, std::string_view body, int attempts,
                          int retry_after_s) {
  attempts = std::max(1, attempts);
  SendVerdict v;
  const Millis floor = static_cast<Millis>(std::max(0, retry_after_s)) * 1000;
  auto retry = [&](SendClass cls, Millis base, Millis cap, std::string reason) {
    v.cls = cls;
    v.delay_ms = std::max(floor, capped_exp(base, attempts, cap));
    v.reason = std::move(reason);
    if (attempts >= kMaxAttempts) {
      v.cls = SendClass::permanent;
      v.reason += " (gave up after " + std::to_string(attempts) + " attempts)";
    }
    return v;
  };
  constexpr Millis kBase = 2000, kCap = 5 * 60 * 1000;
  switch (transport) {
    case Transport::refused:
      v.cls = SendClass::auth_stop;
      v.reason = "the outbound URL rule refused the Graph API address";
      return v;
    case Transport::bad_url:
      v.cls = SendClass::auth_stop;
      v.reason = "the Graph API address is not a valid URL";
      return v;
    case Transport::not_sent:
      return retry(SendClass::retry, kBase, kCap, "the Graph API could not be reached");
    case Transport::unknown:
      v.cls = SendClass::unknown_outcome;
      v.reason = "no answer after the request was sent: it may or may not have been delivered";
      return v;
    case Transport::too_large:
      v.cls = SendClass::unknown_outcome;
      v.reason = "the Graph API's answer was too large to read";
      return v;
    case Transport::answered:
      break;
  }
  std::optional<Json> doc = json_io::parse(body);
  const Json empty = Json::object();
  const Json& j = doc && doc->is_object() ? *doc : empty;
  if (http_status >= 200 && http_status < 300) {
    if (const Json* msgs = arr(j, "messages"); msgs && !msgs->empty()) v.provider_id = str((*msgs)[0], "id");
    if (v.provider_id.empty()) {
      v.cls = SendClass::unknown_outcome;
      v.reason = "the Graph API answered " + std::to_string(http_status) + " without a message id";
      return v;
    }
    v.cls = SendClass::ok;
    return v;
  }
  std::string message;
  if (const Json* e = obj(j, "error")) {
    v.code = int_of(*e, "code");
    message = str(*e, "message");
    if (const Json* d = obj(*e, "error_data")) {
      const std::string details = str(*d, "details");
      if (!details.empty()) message += (message.empty() ? "" : ": ") + details;
    }
  }
  const std::string what = message.empty() ? "HTTP " + std::to_string(http_status)
                                           : message + " (code " + std::to_string(v.code) + ")";
  switch (v.code) {
    case 130429:
      return retry(SendClass::retry, kBase, kCap, "throughput limit reached: " + what);
    case 131056:
      return retry(SendClass::retry_user, 6000, 10 * 60 * 1000, "too many messages to this user: " + what);
    case 131057:
      return retry(SendClass::retry, 30000, kCap, "the account is in maintenance: " + what);
    case 131000:
    case 131016:
    case 2:
    case 1:
      return retry(SendClass::retry, kBase, kCap, "the Graph API had a temporary problem: " + what);
    case 131047:
      v.cls = SendClass::template_needed;
      v.reason = "more than 24 hours since the customer's last message: only an approved template can be sent (" +
                 what + ")";
      return v;
    case 131026:
      v.cls = SendClass::permanent;
      v.reason = "undeliverable: " + what;
      return v;
    case 0:
    case 190:
    case 10:
    case 200:
      if (v.code != 0 || http_status == 401 || http_status == 403) {
        v.cls = SendClass::auth_stop;
        v.reason = "the WhatsApp token was refused: " + what;
        return v;
      }
      break;
    default:
      if (v.code >= 132000 && v.code < 133000) {
        v.cls = SendClass::permanent;
        v.reason = "the template was refused: " + what;
        return v;
      }
      break;
  }
  if (http_status == 401) {
    v.cls = SendClass::auth_stop;
    v.reason = "the WhatsApp token was refused: " + what;
    return v;
  }
  if (http_status == 429 || http_status >= 500 || http_status == 408) {
    return retry(SendClass::retry, kBase, kCap, "the Graph API answered " + std::to_string(http_status) + ": " + what);
  }
  v.cls = SendClass::permanent;
  v.reason = "refused: " + what;
  return v;
}

bool TokenBucket::take(Millis now) {
  if (tokens < 0) {
    tokens = burst;
    last = now;
  }
  if (now > last) {
    tokens = std::min(burst, tokens + rate * static_cast<double>(now - last) / 1000.0);
    last = now;
  }
  if (tokens >= 1.0 - 1e-9) {
    tokens = std::max(0.0, tokens - 1.0);
    return true;
  }
  return false;
}

Millis TokenBucket::wait_ms(Millis now) const {
  if (tokens < 0) return 0;
  double have = tokens;
  if (now > last) have = std::min(burst, tokens + rate * static_cast<double>(now - last) / 1000.0);
  if (have >= 1.0 - 1e-9 || rate <= 0) return have >= 1.0 - 1e-9 ? 0 : 60'000;
  return static_cast<Millis>(std::ceil((1.0 - have) * 1000.0 / rate));
}

Json text_body(const std::string& to, const std::string& text, const std::string& reply_to_wamid) {
  Json j{{"messaging_product", "whatsapp"},
         {"recipient_type", "individual"},
         {"to", to},
         {"type", "text"},
         {"text", Json{{"preview_url", false}, {"body", text}}}};
  if (!reply_to_wamid.empty()) j["context"] = Json{{"message_id", reply_to_wamid}};
  return j;
}

Json template_body(const std::string& to, const TemplateSend& t) {
  Json params = Json::array();
  for (const std::string& p : t.parameters) params.push_back(Json{{"type", "text"}, {"text", p}});
  Json tpl{{"name", t.name}, {"language", Json{{"code", t.language}}}};
  if (!t.parameters.empty()) tpl["components"] = Json::array({Json{{"type", "body"}, {"parameters", params}}});
  return Json{{"messaging_product", "whatsapp"}, {"to", to}, {"type", "template"}, {"template", tpl}};
}

Json read_receipt_body(const std::string& wamid, bool typing) {
  Json j{{"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", wamid}};
  if (typing) j["typing_indicator"] = Json{{"type", "text"}};
  return j;
}

std::optional<Error> check_template(const TemplateSend& t) {
  if (t.name.empty()) return make_error(ErrorCode::missing_field, "a template name is required", "template.name");
  if (t.name.size() > 512 || !std::all_of(t.name.begin(), t.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return make_error(ErrorCode::bad_field, "a template name is lower-case letters, digits and _", "template.name");
  }
  const std::string& l = t.language;
  const bool lang_ok = (l.size() == 2 || l.size() == 3 || l.size() == 5 || l.size() == 6) &&
                       std::all_of(l.begin(), l.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
                       });
  if (!lang_ok) return make_error(ErrorCode::bad_field, "language is a code like en or en_US", "template.language");
  if (t.parameters.size() > 20) {
    return make_error(ErrorCode::bad_field, "at most 20 template parameters", "template.parameters");
  }
  for (const std::string& p : t.parameters) {
    if (p.empty() || !is_valid_utf8(p) || count_code_points(p) > 1024) {
      return make_error(ErrorCode::bad_field, "each template parameter is 1 to 1024 characters",
                        "template.parameters");
    }
  }
  return std::nullopt;
}

std::optional<std::string> verify_challenge(std::string_view mode, std::string_view token,
                                            std::string_view challenge, std::string_view expected_token) {
  if (mode != "subscribe" || expected_token.empty() || !ct_equal(token, expected_token)) return std::nullopt;
  if (challenge.empty() || challenge.size() > 256) return std::nullopt;
  return std::string(challenge);
}

}  // namespace parley::wa
