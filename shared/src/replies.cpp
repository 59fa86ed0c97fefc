// Acks and notices (parley/replies.hpp). Each payload's encoder and decoder sit side by side, so
// they cannot drift apart; decoding goes through json_io::ObjectReader (never throws).
#include "parley/replies.hpp"

#include <algorithm>
#include <climits>
#include <string>
#include <utility>

#include "json_io.hpp"

namespace parley {
namespace {

using json_io::Need;
using json_io::ObjectReader;

constexpr std::size_t kNoLimit = json_io::kNoLimit;

// A non-negative count that fits an int (larger values are clamped).
int read_count(ObjectReader& r, const char* key) {
  return static_cast<int>(std::min<Seq>(r.seq(key, Need::optional), INT_MAX));
}

std::size_t read_size(ObjectReader& r, const char* key, Need need) {
  return static_cast<std::size_t>(r.seq(key, need));
}

// The message of `e` without its leading `field "x": ` (the outer reader adds the full path).
std::string bare_message(const Error& e) {
  const std::string prefix = "field \"" + e.field + "\": ";
  return e.message.rfind(prefix, 0) == 0 ? e.message.substr(prefix.size()) : e.message;
}

// Records the problem `e` of a nested value of member `key` on `r` ("key.field").
void fail_nested(ObjectReader& r, const char* key, const Error& e, const std::string& where = {}) {
  const std::string field = e.field.empty() ? std::string(key) : std::string(key) + "." + e.field;
  r.fail(e.code, where + bare_message(e), field.c_str());
}

// Records the problem `e` of element `index` of array `key` on `r`.
void fail_element(ObjectReader& r, const char* key, std::size_t index, const Error& e) {
  fail_nested(r, key, e, "(element " + std::to_string(index) + ") ");
}

// The elements of array `key`, each decoded by `decode` (a Result-returning function).
template <class T, class Decode>
std::vector<T> read_array(ObjectReader& r, const char* key, Need need, Decode decode) {
  std::vector<T> out;
  const Json* arr = r.array(key, need);
  if (arr == nullptr) return out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    Result<T> element = decode((*arr)[i]);
    if (!element) {
      fail_element(r, key, i, element.error());
      return {};
    }
    out.push_back(std::move(element).value());
  }
  return out;
}

Result<std::string> decode_string(const Json& j) {
  if (!j.is_string()) return make_error(ErrorCode::bad_field, "must be a string");
  return j.get<std::string>();
}

std::vector<ConversationItem> read_items(ObjectReader& r, const char* key, Need need) {
  return read_array<ConversationItem>(r, key, need, &conversation_item_from_json);
}

Json items_json(const std::vector<ConversationItem>& items) {
  Json out = Json::array();
  for (const ConversationItem& i : items) out.push_back(to_json(i));
  return out;
}

Json strings_json(const std::vector<std::string>& values) {
  Json out = Json::array();
  for (const std::string& v : values) out.push_back(v);
  return out;
}

// `j` must be an object (the `data` of an ack or notice).
std::optional<Error> not_an_object(const Json& j, const char* what) {
  if (j.is_object()) return std::nullopt;
  return make_error(ErrorCode::bad_field, std::string(what) + " must be a JSON object");
}

// Reads a nested object `key` with `decode` (returns Result<T>), recording its problem on `r`
// with the field prefixed ("tenant.title").
template <class T, class Decode>
std::optional<T> read_nested(ObjectReader& r, const char* key, Need need, Decode decode) {
  const Json* value = r.object(key, need);
  if (value == nullptr) return std::nullopt;
  Result<T> decoded = decode(*value);
  if (!decoded) {
    fail_nested(r, key, decoded.error());
    return std::nullopt;
  }
  return std::move(decoded).value();
}

}  // namespace

// ---- PublicTenantConfig ------------------------------------------------------------------------------

Json to_json(const PublicTenantConfig& t) {
  return Json{{"slug", t.slug},
              {"title", t.title},
              {"welcome", t.welcome},
              {"brand_color", t.brand_color},
              {"position", t.position},
              {"assistant_name", t.assistant_name},
              {"assistant_enabled", t.assistant_enabled},
              {"prechat_form", t.prechat_form},
              {"csat_question", t.csat_question}};
}

Result<PublicTenantConfig> decode_public_tenant_config(const Json& j, PublicTenantConfig base) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "a tenant config must be a JSON object");
  ObjectReader r(j);
  auto text = [&r](const char* key, std::string& into) {
    if (r.has(key)) into = r.text(key, Need::optional);
  };
  if (r.has("slug")) {
    base.slug = r.text("slug", Need::optional);
  } else {
    text("tenant", base.slug);  // GET /api/config of relays before the one shape
  }
  text("title", base.title);
  text("welcome", base.welcome);
  text("brand_color", base.brand_color);
  text("position", base.position);
  text("csat_question", base.csat_question);
  text("assistant_name", base.assistant_name);
  base.assistant_enabled = r.flag("assistant_enabled", base.assistant_enabled);
  base.prechat_form = r.flag("prechat_form", base.prechat_form);
  if (r.error()) return *r.error();
  return base;
}

// ---- StaffUser, TenantCounts ---------------------------------------------------------------------

Json to_json(const StaffUser& u) {
  return Json{{"id", u.id},
              {"username", u.username},
              {"name", u.name},
              {"role", to_string(u.role)},
              {"tenant_id", u.tenant_id}};
}

Result<StaffUser> decode_staff_user(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "a user must be a JSON object");
  ObjectReader r(j);
  StaffUser u;
  u.id = r.id("id", Need::required, kNoLimit);
  u.username = r.text("username", Need::optional);
  u.name = r.text("name", Need::optional);
  u.role = r.enumeration("role", Need::optional, StaffRole::agent, &parse_staff_role);
  u.tenant_id = r.text("tenant_id", Need::optional);
  if (r.error()) return *r.error();
  return u;
}

Json to_json(const TenantCounts& n) {
  return Json{{"bot", n.bot},
              {"waiting", n.waiting},
              {"active", n.active},
              {"resolved_today", n.resolved_today},
              {"avg_wait_s", n.avg_wait_s}};
}

Result<TenantCounts> decode_tenant_counts(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "counts must be a JSON object");
  ObjectReader r(j);
  TenantCounts n;
  n.bot = read_count(r, "bot");
  n.waiting = read_count(r, "waiting");
  n.active = read_count(r, "active");
  n.resolved_today = read_count(r, "resolved_today");
  n.avg_wait_s = read_count(r, "avg_wait_s");
  if (r.error()) return *r.error();
  return n;
}

// ---- Acks --------------------------------------------------------------------------------------------

Json to_json(const HelloAck& a) {
  Json conversations = Json::array();
  for (const Conversation& c : a.conversations) conversations.push_back(to_json(c, /*staff=*/false));
  Json j{{"visitor_token", a.visitor_token},
         {"new_visitor", a.new_visitor},
         {"contact_id", a.contact_id},
         {"conversations", std::move(conversations)}};
  if (a.tenant) j["tenant"] = to_json(*a.tenant);
  return j;
}

Result<HelloAck> decode_hello_ack(const Json& data, const PublicTenantConfig& tenant_base) {
  if (auto e = not_an_object(data, "the hello ack")) return *e;
  ObjectReader r(data);
  HelloAck a;
  a.visitor_token = r.id("visitor_token", Need::required, kNoLimit);
  a.new_visitor = r.flag("new_visitor", false);
  a.contact_id = r.text("contact_id", Need::optional);
  a.tenant = read_nested<PublicTenantConfig>(r, "tenant", Need::optional, [&tenant_base](const Json& t) {
    return decode_public_tenant_config(t, tenant_base);
  });
  a.conversations = read_array<Conversation>(r, "conversations", Need::optional, &conversation_from_json);
  if (r.error()) return *r.error();
  return a;
}

Json to_json(const StaffHelloAck& a) {
  return Json{{"user", to_json(a.user)}, {"issue_types", strings_json(a.issue_types)}};
}

Result<StaffHelloAck> decode_staff_hello_ack(const Json& data) {
  if (auto e = not_an_object(data, "the hello ack")) return *e;
  ObjectReader r(data);
  StaffHelloAck a;
  if (auto u = read_nested<StaffUser>(r, "user", Need::required, &decode_staff_user)) a.user = std::move(*u);
  a.issue_types = read_array<std::string>(r, "issue_types", Need::optional, &decode_string);
  if (r.error()) return *r.error();
  return a;
}

Json to_json(const StartAck& a) {
  Json j{{"conversation_id", a.conversation_id}, {"head_seq", a.head_seq}};
  if (a.duplicate) j["duplicate"] = true;
  return j;
}

Result<StartAck> decode_start_ack(const Json& data) {
  if (auto e = not_an_object(data, "the chat.start ack")) return *e;
  ObjectReader r(data);
  StartAck a;
  a.conversation_id = r.id("conversation_id", Need::required, kNoLimit);
  a.head_seq = r.seq("head_seq", Need::required);
  a.duplicate = r.flag("duplicate", false);
  if (r.error()) return *r.error();
  return a;
}

Json to_json(const SendAck& a) {
  Json j{{"conversation_id", a.conversation_id}, {"seq", a.seq}};
  if (a.duplicate) j["duplicate"] = true;
  if (!a.previous_conversation_id.empty()) j["previous_conversation_id"] = a.previous_conversation_id;
  return j;
}

Result<SendAck> decode_send_ack(const Json& data) {
  if (auto e = not_an_object(data, "the chat.send_message ack")) return *e;
  ObjectReader r(data);
  SendAck a;
  a.conversation_id = r.id("conversation_id", Need::required, kNoLimit);
  a.seq = r.seq("seq", Need::required);
  a.duplicate = r.flag("duplicate", false);
  a.previous_conversation_id = r.text("previous_conversation_id", Need::optional);
  if (r.error()) return *r.error();
  if (const auto it = data.find("event"); it != data.end()) {
    Result<Event> e = it->is_object() ? event_from_json(*it) : Result<Event>(make_error(ErrorCode::bad_field, ""));
    if (!e || e->conversation_id != a.conversation_id || e->seq != a.seq) {
      return make_error(ErrorCode::bad_field, "event must be the stored message's event", "event");
    }
    a.event = std::move(e).value();
  }
  return a;
}

std::string encode_ack_with_event(std::string_view re, const Json& data, std::string_view event_frame) {
  const std::string head = json_io::dump(data.is_object() ? data : Json::object());  // "{...}"
  std::string out = R"({"v":1,"type":"ack","re":)";
  out.reserve(out.size() + re.size() + head.size() + event_frame.size() + 24);
  out += json_io::dump(Json(re));
  out += R"(,"data":)";
  out.append(head, 0, head.size() - 1);
  if (out.back() != '{') out.push_back(',');
  out += R"("event":)";
  out.append(event_frame);
  out += "}}";
  return out;
}

Json to_json(const JoinAck& a) {
  Json j{{"conversation_id", a.conversation_id}, {"head_seq", a.head_seq}};
  if (a.conversation) {
    Json c = to_json(*a.conversation, a.staff);
    if (a.staff) {
      c["contact"] = Json{{"id", a.contact.id},
                          {"name", a.contact.name},
                          {"email", a.contact.email},
                          {"phone", a.contact.phone}};
      c["preview"] = a.preview;
      c["last_customer_seq"] = a.last_customer_seq;
    }
    j["conversation"] = std::move(c);
  }
  return j;
}

Result<JoinAck> decode_join_ack(const Json& data) {
  if (auto e = not_an_object(data, "the chat.join ack")) return *e;
  ObjectReader r(data);
  JoinAck a;
  a.conversation_id = r.id("conversation_id", Need::required, kNoLimit);
  a.head_seq = r.seq("head_seq", Need::required);
  if (const Json* c = r.object("conversation", Need::optional)) {
    a.conversation = read_nested<Conversation>(r, "conversation", Need::optional, &conversation_from_json);
    ObjectReader cr = r.nested(*c, "conversation");
    if (const Json* k = cr.object("contact", Need::optional)) {
      a.staff = true;
      ObjectReader kr = cr.nested(*k, "contact");
      a.contact.id = kr.text("id", Need::optional);
      a.contact.name = kr.text("name", Need::optional);
      a.contact.email = kr.text("email", Need::optional);
      a.contact.phone = kr.text("phone", Need::optional);
      cr.adopt(kr);
    }
    a.preview = cr.text("preview", Need::optional);
    a.last_customer_seq = cr.seq("last_customer_seq", Need::optional);
    r.adopt(cr);
  }
  if (r.error()) return *r.error();
  return a;
}

Json to_json(const HeadAck& a) { return Json{{"conversation_id", a.conversation_id}, {"head_seq", a.head_seq}}; }

Result<HeadAck> decode_head_ack(const Json& data) {
  if (auto e = not_an_object(data, "the ack")) return *e;
  ObjectReader r(data);
  HeadAck a;
  a.conversation_id = r.id("conversation_id", Need::required, kNoLimit);
  a.head_seq = r.seq("head_seq", Need::required);
  if (r.error()) return *r.error();
  return a;
}

Json to_json(const ConversationAck& a) { return Json{{"conversation_id", a.conversation_id}}; }

Result<ConversationAck> decode_conversation_ack(const Json& data) {
  if (auto e = not_an_object(data, "the ack")) return *e;
  ObjectReader r(data);
  ConversationAck a;
  a.conversation_id = r.id("conversation_id", Need::required, kNoLimit);
  if (r.error()) return *r.error();
  return a;
}

Json to_json(const PingAck& a) { return Json{{"server_time", a.server_time}}; }

Result<PingAck> decode_ping_ack(const Json& data) {
  if (auto e = not_an_object(data, "the ping ack")) return *e;
  ObjectReader r(data);
  PingAck a;
  a.server_time = r.millis("server_time", Need::required);
  if (r.error()) return *r.error();
  return a;
}

Json to_json(const InboxPage& p) {
  return Json{{"list", to_string(p.list)}, {"items", items_json(p.items)}, {"total", p.total}, {"offset", p.offset}};
}

Result<InboxPage> decode_inbox_page(const Json& data) {
  if (auto e = not_an_object(data, "the inbox.list ack")) return *e;
  ObjectReader r(data);
  InboxPage p;
  p.list = r.enumeration("list", Need::required, InboxListName::queue, &parse_inbox_list_name);
  p.items = read_items(r, "items", Need::required);
  p.total = read_size(r, "total", Need::required);
  p.offset = read_size(r, "offset", Need::optional);
  if (r.error()) return *r.error();
  return p;
}

// ---- Notices -----------------------------------------------------------------------------------------

Json to_json(const InboxSnapshot& s) {
  return Json{{"user", to_json(s.user)},
              {"counts", to_json(s.counts)},
              {"issue_types", strings_json(s.issue_types)},
              {"server_time", s.server_time},
              {"queue", items_json(s.queue)},
              {"queue_total", s.queue_total},
              {"mine", items_json(s.mine)},
              {"mine_total", s.mine_total}};
}

Result<InboxSnapshot> decode_inbox_snapshot(const Json& data) {
  if (auto e = not_an_object(data, "inbox.snapshot data")) return *e;
  ObjectReader r(data);
  InboxSnapshot s;
  if (auto u = read_nested<StaffUser>(r, "user", Need::required, &decode_staff_user)) s.user = std::move(*u);
  if (auto n = read_nested<TenantCounts>(r, "counts", Need::optional, &decode_tenant_counts)) s.counts = *n;
  s.issue_types = read_array<std::string>(r, "issue_types", Need::optional, &decode_string);
  s.server_time = r.millis("server_time", Need::optional);
  s.queue = read_items(r, "queue", Need::optional);
  s.mine = read_items(r, "mine", Need::optional);
  s.queue_total = r.has("queue_total") ? read_size(r, "queue_total", Need::optional) : s.queue.size();
  s.mine_total = r.has("mine_total") ? read_size(r, "mine_total", Need::optional) : s.mine.size();
  if (r.error()) return *r.error();
  return s;
}

std::string encode_notice(const InboxSnapshot& s) { return encode_notice(notice::inbox_snapshot, to_json(s)); }

namespace {
// Puts the joined `items` into the empty array after `key` (`"key":[]`, which occurs once in a
// frame whose only arrays under that key are the lists: string values are escaped, so the
// sequence cannot appear inside one).
void splice_items(std::string& frame, std::string_view key, const std::vector<const std::string*>& items) {
  const std::string marker = "\"" + std::string(key) + "\":[]";
  const std::size_t at = frame.find(marker);
  if (at == std::string::npos || items.empty()) return;
  std::string joined;
  std::size_t n = items.size();
  for (const std::string* i : items) n += i->size();
  joined.reserve(n);
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k) joined += ',';
    joined += *items[k];
  }
  frame.insert(at + marker.size() - 1, joined);
}
}  // namespace

std::string encode_inbox_snapshot(const InboxSnapshot& s, const std::vector<const std::string*>& queue,
                                  const std::vector<const std::string*>& mine) {
  InboxSnapshot head = s;
  head.queue.clear();
  head.mine.clear();
  std::string frame = encode_notice(head);
  splice_items(frame, "queue", queue);
  splice_items(frame, "mine", mine);
  return frame;
}

Json to_json(const InboxChanges& c) {
  Json j{{"conversations", items_json(c.conversations)}};
  if (c.counts) j["counts"] = to_json(*c.counts);
  return j;
}

Result<InboxChanges> decode_inbox_changes(const Json& data) {
  if (auto e = not_an_object(data, "inbox.changes data")) return *e;
  ObjectReader r(data);
  InboxChanges c;
  c.conversations = read_items(r, "conversations", Need::optional);
  // The older inbox.conversation shape: one item, its preview possibly beside it.
  if (const Json* one = r.object("conversation", Need::optional)) {
    Json item = *one;
    const std::string side_preview = r.text("preview", Need::optional);
    if (!item.contains("preview") && r.has("preview")) item["preview"] = side_preview;
    Result<ConversationItem> parsed = conversation_item_from_json(item);
    if (!parsed) {
      fail_nested(r, "conversation", parsed.error());
    } else {
      c.conversations.push_back(std::move(parsed).value());
    }
  }
  c.counts = read_nested<TenantCounts>(r, "counts", Need::optional, &decode_tenant_counts);
  if (r.error()) return *r.error();
  return c;
}

std::string encode_notice(const InboxChanges& c) { return encode_notice(notice::inbox_changes, to_json(c)); }

std::string encode_item(const ConversationItem& i) { return json_io::dump(to_json(i)); }
std::string encode_counts(const TenantCounts& c) { return json_io::dump(to_json(c)); }

std::string encode_inbox_changes(const std::vector<const std::string*>& items, const std::string* counts) {
  std::size_t n = 64 + (counts ? counts->size() : 0);
  for (const std::string* i : items) n += i->size() + 1;
  std::string out;
  out.reserve(n);
  out += R"({"data":{"conversations":[)";
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k) out += ',';
    out += *items[k];
  }
  out += ']';
  if (counts) {
    out += R"(,"counts":)";
    out += *counts;
  }
  out += R"(},"type":"inbox.changes","v":1})";
  return out;
}

}  // namespace parley
