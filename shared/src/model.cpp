// Wire names and JSON forms of the shared vocabulary (parley/model.hpp).
#include "parley/model.hpp"

#include <array>

#include "json_io.hpp"
#include "parley/text.hpp"

namespace parley {
namespace {

using json_io::Need;
using json_io::ObjectReader;

// Wire names indexed by enum value; each array lists the enum's values in declaration order.
constexpr std::array<std::string_view, 4> kStatusNames = {"bot", "pending", "active", "resolved"};
constexpr std::array<std::string_view, 4> kEndingNames = {"none", "resolved_by_staff", "ended_by_customer",
                                                          "abandoned"};
constexpr std::array<std::string_view, 4> kPriorityNames = {"urgent", "high", "normal", "low"};
constexpr std::array<std::string_view, 4> kRoleNames = {"customer", "bot", "agent", "system"};
constexpr std::array<std::string_view, 2> kAudienceNames = {"everyone", "staff"};
constexpr std::array<std::string_view, 4> kAnswererNames = {"builtin", "llm", "external", "none"};
constexpr std::array<std::string_view, 6> kMessageKindNames = {"text",       "note", "system",
                                                               "kb_article", "file", "voice"};
constexpr std::array<std::string_view, 7> kChannelNames = {"web", "whatsapp", "messenger", "instagram",
                                                           "sms", "voice",    "api"};
constexpr std::array<std::string_view, 3> kStaffRoleNames = {"admin", "supervisor", "agent"};

template <class E, std::size_t N>
std::string_view name_of(E value, const std::array<std::string_view, N>& names) {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? names[index] : std::string_view("unknown");
}

template <class E, std::size_t N>
std::optional<E> value_named(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

Actor read_actor(ObjectReader& parent, const char* key) {
  Actor actor;
  const Json* object = parent.object(key, Need::required);
  if (object == nullptr) return actor;
  ObjectReader r = parent.nested(*object, key);
  actor.role = r.enumeration("role", Need::required, Role::system, &parse_role);
  actor.id = r.text("id", Need::required);
  actor.name = r.text("name", Need::optional);
  parent.adopt(r);
  return actor;
}

// The assignee member: {"id","name"} or null (required either way).
template <class C>
void read_assignee(ObjectReader& parent, const Json& conversation, C& c) {
  if (!parent.has("assignee")) return parent.fail(ErrorCode::missing_field, "is required", "assignee");
  const auto it = conversation.find("assignee");
  if (it == conversation.end() || it->is_null()) return;
  const Json* object = parent.object("assignee", Need::required);
  if (object == nullptr) return;
  ObjectReader r = parent.nested(*object, "assignee");
  c.assignee_id = r.id("id", Need::required, json_io::kNoLimit);
  c.assignee_name = r.text("name", Need::optional);
  parent.adopt(r);
}

Json assignee_json(const std::string& id, const std::string& name) {
  return id.empty() ? Json(nullptr) : Json{{"id", id}, {"name", name}};
}

}  // namespace

std::string_view to_string(Status v) { return name_of(v, kStatusNames); }
std::string_view to_string(Ending v) { return name_of(v, kEndingNames); }
std::string_view to_string(Priority v) { return name_of(v, kPriorityNames); }
std::string_view to_string(Role v) { return name_of(v, kRoleNames); }
std::string_view to_string(Audience v) { return name_of(v, kAudienceNames); }
std::string_view to_string(Answerer v) { return name_of(v, kAnswererNames); }
std::string_view to_string(MessageKind v) { return name_of(v, kMessageKindNames); }
std::string_view to_string(Channel v) { return name_of(v, kChannelNames); }
std::string_view to_string(StaffRole v) { return name_of(v, kStaffRoleNames); }

std::optional<Status> parse_status(std::string_view s) { return value_named<Status>(s, kStatusNames); }
std::optional<Ending> parse_ending(std::string_view s) { return value_named<Ending>(s, kEndingNames); }
std::optional<Priority> parse_priority(std::string_view s) {
  return value_named<Priority>(s, kPriorityNames);
}
std::optional<Role> parse_role(std::string_view s) { return value_named<Role>(s, kRoleNames); }
std::optional<Audience> parse_audience(std::string_view s) {
  return value_named<Audience>(s, kAudienceNames);
}
std::optional<Answerer> parse_answerer(std::string_view s) {
  return value_named<Answerer>(s, kAnswererNames);
}
std::optional<MessageKind> parse_message_kind(std::string_view s) {
  return value_named<MessageKind>(s, kMessageKindNames);
}
std::optional<Channel> parse_channel(std::string_view s) { return value_named<Channel>(s, kChannelNames); }
std::optional<StaffRole> parse_staff_role(std::string_view s) {
  return value_named<StaffRole>(s, kStaffRoleNames);
}

Json to_json(const Actor& a) { return Json{{"role", to_string(a.role)}, {"id", a.id}, {"name", a.name}}; }

// {conversation_id, seq, client_msg_id (omitted when ""), sender:{role,id,name}, kind, text, at}
Json to_json(const Message& m) {
  Json j = {{"conversation_id", m.conversation_id},
            {"seq", m.seq},
            {"sender", to_json(Actor{m.sender_role, m.sender_id, m.sender_name})},
            {"kind", to_string(m.kind)},
            {"text", m.text},
            {"at", m.at}};
  if (!m.client_msg_id.empty()) j["client_msg_id"] = m.client_msg_id;
  if (m.attachment) j["attachment"] = to_json(*m.attachment);
  return j;
}

Json to_json(const AttachmentRef& a) {
  return Json{{"id", a.id}, {"name", a.name}, {"content_type", a.content_type}, {"size", a.size}};
}

// {conversation_id, seq, type, audience, at, actor, data}; encode_event adds "v".
Json to_json(const Event& e) {
  return Json{{"conversation_id", e.conversation_id},
              {"seq", e.seq},
              {"type", e.type},
              {"audience", to_string(e.audience)},
              {"at", e.at},
              {"actor", to_json(e.actor)},
              {"data", e.data.is_object() ? e.data : Json::object()}};
}

Json to_json(const Conversation& c, bool staff) {
  Json j = {{"id", c.id},
            {"tenant_id", c.tenant_id},
            {"contact_id", c.contact_id},
            {"channel", to_string(c.channel)},
            {"status", to_string(c.status)},
            {"ending", to_string(c.ending)},
            {"priority", to_string(c.priority)},
            {"answered_by", to_string(c.answered_by)},
            {"topic", c.topic},
            {"issue_type", c.issue_type},
            {"assignee", assignee_json(c.assignee_id, c.assignee_name)},
            {"previous_agent_id", c.previous_agent_id},
            {"created_at", c.created_at},
            {"updated_at", c.updated_at},
            {"handed_off_at", c.handed_off_at},
            {"assigned_at", c.assigned_at},
            {"first_agent_response_at", c.first_agent_response_at},
            {"resolved_at", c.resolved_at},
            {"head_seq", c.head_seq},
            {"team", c.team}};
  // The survey: the customer's own rating is no secret to them (the widget shows it once given).
  j["csat"] = Json{{"rating", c.csat_rating}, {"comment", c.csat_comment}, {"at", c.csat_at},
                   {"requested_at", c.csat_requested_at}};
  if (!c.previous_conversation_id.empty()) j["previous_conversation_id"] = c.previous_conversation_id;
  if (staff) {
    j["resolution"] = c.resolution;
    j["handoff_summary"] = c.handoff_summary;
    j["unanswered_turns"] = c.unanswered_turns;
    j["page"] = Json{{"url", c.page_url}, {"title", c.page_title}, {"referrer", c.page_referrer}};
  }
  return j;
}

std::string item_preview(std::string_view text) {
  // One line, collected only as far as needed: kItemPreviewChars code points take at most 4 bytes
  // each, so a longer line is cut by truncate_code_points below.
  const std::size_t max_bytes = kItemPreviewChars * 4;
  std::string line;
  bool space = false;
  for (const char ch : text) {
    if (line.size() > max_bytes) break;
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\f' || ch == '\v') {
      space = !line.empty();
      continue;
    }
    if (space) line.push_back(' ');
    space = false;
    line.push_back(ch);
  }
  return std::string(truncate_code_points(line, kItemPreviewChars));
}

ConversationItem make_item(const Conversation& c, std::string contact_name, std::string preview,
                           Seq last_customer_seq) {
  ConversationItem i;
  i.id = c.id;
  i.status = c.status;
  i.priority = c.priority;
  i.channel = c.channel;
  i.topic = c.topic;
  i.contact_name = std::move(contact_name);
  i.preview = std::move(preview);
  i.handed_off_at = c.handed_off_at;
  i.created_at = c.created_at;
  i.updated_at = c.updated_at;
  i.assignee_id = c.assignee_id;
  i.assignee_name = c.assignee_name;
  i.head_seq = c.head_seq;
  i.last_customer_seq = last_customer_seq;
  return i;
}

Json to_json(const ConversationItem& i) {
  return Json{{"id", i.id},
              {"status", to_string(i.status)},
              {"priority", to_string(i.priority)},
              {"channel", to_string(i.channel)},
              {"topic", i.topic},
              {"contact", Json{{"name", i.contact_name}}},
              {"preview", i.preview},
              {"handed_off_at", i.handed_off_at},
              {"created_at", i.created_at},
              {"updated_at", i.updated_at},
              {"assignee", assignee_json(i.assignee_id, i.assignee_name)},
              {"head_seq", i.head_seq},
              {"last_customer_seq", i.last_customer_seq}};
}

Result<Message> message_from_json(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "a message must be a JSON object");
  ObjectReader r(j);
  Message m;
  m.conversation_id = r.text("conversation_id", Need::required);
  m.seq = r.seq("seq", Need::required);
  m.client_msg_id = r.text("client_msg_id", Need::optional);
  const Actor sender = read_actor(r, "sender");
  m.sender_role = sender.role;
  m.sender_id = sender.id;
  m.sender_name = sender.name;
  m.kind = r.enumeration("kind", Need::required, MessageKind::text, &parse_message_kind);
  m.text = r.text("text", Need::required);
  m.at = r.millis("at", Need::required);
  if (const Json* aj = r.object("attachment", Need::optional)) {
    ObjectReader a = r.nested(*aj, "attachment");
    AttachmentRef ref;
    ref.id = a.id("id", Need::required, 100);
    ref.name = a.text("name", Need::required, 200);
    ref.content_type = a.text("content_type", Need::required, 200);
    ref.size = a.seq("size", Need::required);
    r.adopt(a);
    m.attachment = std::move(ref);
  }
  if (r.error()) return *r.error();
  return m;
}

Result<Event> event_from_json(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "an event must be a JSON object");
  ObjectReader r(j);
  Event e;
  e.conversation_id = r.text("conversation_id", Need::required);
  e.seq = r.seq("seq", Need::required);
  e.type = r.id("type", Need::required, json_io::kNoLimit);
  e.audience = r.enumeration("audience", Need::required, Audience::everyone, &parse_audience);
  e.at = r.millis("at", Need::required);
  e.actor = read_actor(r, "actor");
  if (const Json* data = r.object("data", Need::optional)) e.data = *data;
  if (r.error()) return *r.error();
  return e;
}

Result<Conversation> conversation_from_json(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "a conversation must be a JSON object");
  ObjectReader r(j);
  Conversation c;
  c.id = r.id("id", Need::required, json_io::kNoLimit);
  c.tenant_id = r.text("tenant_id", Need::required);
  c.contact_id = r.text("contact_id", Need::required);
  c.channel = r.enumeration("channel", Need::required, Channel::web, &parse_channel);
  c.status = r.enumeration("status", Need::required, Status::bot, &parse_status);
  c.ending = r.enumeration("ending", Need::required, Ending::none, &parse_ending);
  c.priority = r.enumeration("priority", Need::required, Priority::normal, &parse_priority);
  c.answered_by = r.enumeration("answered_by", Need::required, Answerer::builtin, &parse_answerer);
  c.topic = r.text("topic", Need::required);
  c.issue_type = r.text("issue_type", Need::required);
  read_assignee(r, j, c);
  c.previous_agent_id = r.text("previous_agent_id", Need::required);
  c.created_at = r.millis("created_at", Need::required);
  c.updated_at = r.millis("updated_at", Need::required);
  c.handed_off_at = r.millis("handed_off_at", Need::required);
  c.assigned_at = r.millis("assigned_at", Need::required);
  c.first_agent_response_at = r.millis("first_agent_response_at", Need::required);
  c.resolved_at = r.millis("resolved_at", Need::required);
  c.head_seq = r.seq("head_seq", Need::required);
  c.team = r.text("team", Need::optional);  // absent from relays before issue 9
  if (const Json* csat = r.object("csat", Need::optional)) {
    ObjectReader q = r.nested(*csat, "csat");
    c.csat_rating = static_cast<int>(q.seq("rating", Need::optional));
    c.csat_comment = q.text("comment", Need::optional);
    c.csat_at = q.millis("at", Need::optional);
    c.csat_requested_at = q.millis("requested_at", Need::optional);
    r.adopt(q);
  }
  c.previous_conversation_id = r.text("previous_conversation_id", Need::optional);
  // Staff-only members.
  c.resolution = r.text("resolution", Need::optional);
  c.handoff_summary = r.text("handoff_summary", Need::optional);
  c.unanswered_turns = static_cast<int>(r.seq("unanswered_turns", Need::optional));
  if (const Json* page = r.object("page", Need::optional)) {
    ObjectReader p = r.nested(*page, "page");
    c.page_url = p.text("url", Need::optional);
    c.page_title = p.text("title", Need::optional);
    c.page_referrer = p.text("referrer", Need::optional);
    r.adopt(p);
  }
  if (r.error()) return *r.error();
  return c;
}

Result<ConversationItem> conversation_item_from_json(const Json& j) {
  if (!j.is_object()) return make_error(ErrorCode::bad_field, "a conversation item must be a JSON object");
  ObjectReader r(j);
  ConversationItem i;
  i.id = r.id("id", Need::required, json_io::kNoLimit);
  i.status = r.enumeration("status", Need::required, Status::bot, &parse_status);
  i.priority = r.enumeration("priority", Need::required, Priority::normal, &parse_priority);
  i.channel = r.enumeration("channel", Need::optional, Channel::web, &parse_channel);
  i.topic = r.text("topic", Need::optional);
  if (const Json* contact = r.object("contact", Need::optional)) {
    ObjectReader k = r.nested(*contact, "contact");
    i.contact_name = k.text("name", Need::optional);
    r.adopt(k);
  }
  i.preview = r.text("preview", Need::optional);
  i.handed_off_at = r.millis("handed_off_at", Need::required);
  i.created_at = r.millis("created_at", Need::optional);
  i.updated_at = r.millis("updated_at", Need::required);
  read_assignee(r, j, i);
  i.head_seq = r.seq("head_seq", Need::required);
  i.last_customer_seq = r.seq("last_customer_seq", Need::optional);
  if (r.error()) return *r.error();
  return i;
}

}  // namespace parley
