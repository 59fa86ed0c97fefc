// The browser <-> relay wire protocol (parley/protocol.hpp).
//
// Each command has a read() and a write() overload, side by side below, so its decoder and its
// encoder cannot drift apart. Decoding goes through json_io::ObjectReader, which checks every
// member's type, encoding and length and never throws.
#include "parley/protocol.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "json_io.hpp"
#include "parley/text.hpp"

namespace parley {
namespace {

using json_io::Need;
using json_io::ObjectReader;

// Wire names indexed by the Command variant's alternative index.
constexpr std::array<std::string_view, std::variant_size_v<Command>> kCommandNames = {
    "hello",        "chat.start",         "chat.send_message", "chat.typing", "chat.seen",
    "chat.end",     "chat.request_human", "chat.join",         "chat.leave",  "chat.accept",
    "chat.resolve", "chat.handoff",       "chat.set_priority", "ping",        "inbox.list",
    // issue 9
    "agent.set_status",
    "chat.transfer", "chat.set_issue_type", "chat.share_article",
    "chat.rate",    "chat.request_csat",  "dashboard.watch",
    "chat.leave_message", "chat.email_transcript",
};
constexpr std::array<std::string_view, 3> kInboxListNames = {"queue", "mine", "recent"};
// Customers "resume" a conversation; it is the same operation as a join.
constexpr std::string_view kResumeAlias = "chat.resume";
constexpr std::size_t kJoinIndex = 7;
static_assert(std::is_same_v<std::variant_alternative_t<kJoinIndex, Command>, Join>);

// ---- Per-command members --------------------------------------------------------------------

std::string read_conversation_id(ObjectReader& r, const Limits& l) {
  return r.id("conversation_id", Need::required, l.max_id_chars);
}

void read(ObjectReader& r, const Limits& l, Hello& c) {
  c.tenant = r.text("tenant", Need::optional, l.max_short_chars);
  if (r.has("token")) c.token = r.text("token", Need::optional, l.max_short_chars);
}
void write(Json& j, const Hello& c) {
  j["tenant"] = c.tenant;
  if (c.token) j["token"] = *c.token;
}

void read(ObjectReader& r, const Limits& l, LeaveMessage& c) {
  c.conversation_id = r.id("conversation_id", Need::optional, l.max_id_chars);
  c.email = r.text("email", Need::required, l.max_short_chars);
  c.text = r.text("text", Need::required, l.max_text_chars);
  c.client_msg_id = r.id("client_msg_id", Need::optional, l.max_id_chars);
  c.name = r.text("name", Need::optional, l.max_short_chars);
}
void write(Json& j, const LeaveMessage& c) {
  if (!c.conversation_id.empty()) j["conversation_id"] = c.conversation_id;
  j["email"] = c.email;
  j["text"] = c.text;
  if (!c.client_msg_id.empty()) j["client_msg_id"] = c.client_msg_id;
  if (!c.name.empty()) j["name"] = c.name;
}
void read(ObjectReader& r, const Limits& l, EmailTranscript& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.email = r.text("email", Need::required, l.max_short_chars);
}
void write(Json& j, const EmailTranscript& c) {
  j["conversation_id"] = c.conversation_id;
  j["email"] = c.email;
}

void read(ObjectReader& r, const Limits& l, ChatStart& c) {
  c.name = r.text("name", Need::optional, l.max_short_chars);
  c.email = r.text("email", Need::optional, l.max_short_chars);
  c.topic = r.text("topic", Need::optional, l.max_short_chars);
  c.priority = r.enumeration("priority", Need::optional, Priority::normal, &parse_priority);
  if (const Json* page = r.object("page", Need::optional)) {
    ObjectReader p = r.nested(*page, "page");
    c.page.url = p.text("url", Need::optional, l.max_long_chars);
    c.page.title = p.text("title", Need::optional, l.max_long_chars);
    c.page.referrer = p.text("referrer", Need::optional, l.max_long_chars);
    r.adopt(p);
  }
  c.client_msg_id = r.id("client_msg_id", Need::optional, l.max_id_chars);
  // A first message is optional, but when it is announced by a client_msg_id it must have text.
  const Need text_need = c.client_msg_id.empty() ? Need::optional : Need::required;
  c.text = r.text("text", text_need, l.max_text_chars);
  if (!r.failed() && text_need == Need::required && trim(c.text).empty()) {
    r.fail(ErrorCode::bad_field, "must not be blank", "text");
  }
}
void write(Json& j, const ChatStart& c) {
  auto put_if_set = [](Json& o, const char* key, const std::string& value) {
    if (!value.empty()) o[key] = value;
  };
  put_if_set(j, "name", c.name);
  put_if_set(j, "email", c.email);
  put_if_set(j, "topic", c.topic);
  j["priority"] = to_string(c.priority);
  Json page = Json::object();
  put_if_set(page, "url", c.page.url);
  put_if_set(page, "title", c.page.title);
  put_if_set(page, "referrer", c.page.referrer);
  if (!page.empty()) j["page"] = std::move(page);
  put_if_set(j, "client_msg_id", c.client_msg_id);
  put_if_set(j, "text", c.text);
}

void read(ObjectReader& r, const Limits& l, SendMessage& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.client_msg_id = r.id("client_msg_id", Need::required, l.max_id_chars);
  c.text = r.text("text", Need::required, l.max_text_chars);
  if (!r.failed() && trim(c.text).empty()) r.fail(ErrorCode::bad_field, "must not be blank", "text");
  c.kind = r.enumeration("kind", Need::optional, MessageKind::text, &parse_message_kind);
  if (!r.failed() && c.kind != MessageKind::text && c.kind != MessageKind::note) {
    r.fail(ErrorCode::bad_field, "must be \"text\" or \"note\"", "kind");
  }
}
void write(Json& j, const SendMessage& c) {
  j["conversation_id"] = c.conversation_id;
  j["client_msg_id"] = c.client_msg_id;
  j["text"] = c.text;
  j["kind"] = to_string(c.kind);
}

void read(ObjectReader& r, const Limits& l, Typing& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.typing = r.flag("typing", true);
}
void write(Json& j, const Typing& c) {
  j["conversation_id"] = c.conversation_id;
  j["typing"] = c.typing;
}

void read(ObjectReader& r, const Limits& l, Seen& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.seq = r.seq("seq", Need::required);
}
void write(Json& j, const Seen& c) {
  j["conversation_id"] = c.conversation_id;
  j["seq"] = c.seq;
}

void read(ObjectReader& r, const Limits& l, Join& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.after_seq = r.seq("after_seq", Need::optional);
}
void write(Json& j, const Join& c) {
  j["conversation_id"] = c.conversation_id;
  j["after_seq"] = c.after_seq;
}

void read(ObjectReader& r, const Limits& l, Resolve& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.resolution = r.text("resolution", Need::required, l.max_long_chars);
  c.issue_type = r.text("issue_type", Need::required, l.max_short_chars);
}
void write(Json& j, const Resolve& c) {
  j["conversation_id"] = c.conversation_id;
  j["resolution"] = c.resolution;
  j["issue_type"] = c.issue_type;
}

void read(ObjectReader& r, const Limits& l, Handoff& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.reason = r.text("reason", Need::optional, l.max_long_chars);
}
void write(Json& j, const Handoff& c) {
  j["conversation_id"] = c.conversation_id;
  if (!c.reason.empty()) j["reason"] = c.reason;
}

void read(ObjectReader& r, const Limits& l, SetPriority& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.priority = r.enumeration("priority", Need::required, Priority::normal, &parse_priority);
}
void write(Json& j, const SetPriority& c) {
  j["conversation_id"] = c.conversation_id;
  j["priority"] = to_string(c.priority);
}

void read(ObjectReader& r, const Limits& l, ChatTransfer& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.agent_id = r.id("agent_id", Need::optional, l.max_id_chars);
  c.team = r.text("team", Need::optional, l.max_short_chars);
  c.note = r.text("note", Need::optional, l.max_long_chars);
  if (!r.failed() && c.agent_id.empty() && trim(c.team).empty()) {
    r.fail(ErrorCode::missing_field, "name an agent (agent_id) or a team (team)", "agent_id");
  } else if (!r.failed() && !c.agent_id.empty() && !c.team.empty()) {
    r.fail(ErrorCode::bad_field, "transfer to an agent or to a team, not both", "team");
  }
  c.team = std::string(trim(c.team));
}
void write(Json& j, const ChatTransfer& c) {
  j["conversation_id"] = c.conversation_id;
  if (!c.agent_id.empty()) j["agent_id"] = c.agent_id;
  if (!c.team.empty()) j["team"] = c.team;
  if (!c.note.empty()) j["note"] = c.note;
}

void read(ObjectReader& r, const Limits& l, SetIssueType& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.issue_type = r.text("issue_type", Need::required, l.max_short_chars);
}
void write(Json& j, const SetIssueType& c) {
  j["conversation_id"] = c.conversation_id;
  j["issue_type"] = c.issue_type;
}

void read(ObjectReader& r, const Limits& l, ShareArticle& c) {
  c.conversation_id = read_conversation_id(r, l);
  c.client_msg_id = r.id("client_msg_id", Need::required, l.max_id_chars);
  c.article_id = r.text("article_id", Need::required, l.max_short_chars);
}
void write(Json& j, const ShareArticle& c) {
  j["conversation_id"] = c.conversation_id;
  j["client_msg_id"] = c.client_msg_id;
  j["article_id"] = c.article_id;
}
void read(ObjectReader& r, const Limits& l, Rate& c) {
  c.conversation_id = read_conversation_id(r, l);
  const Seq rating = r.seq("rating", Need::required);
  if (!r.failed() && (rating < 1 || rating > 5)) r.fail(ErrorCode::bad_field, "must be 1..5", "rating");
  c.rating = static_cast<int>(std::min<Seq>(rating, 5));
  c.comment = r.text("comment", Need::optional, 1000);
}
void write(Json& j, const Rate& c) {
  j["conversation_id"] = c.conversation_id;
  j["rating"] = c.rating;
  if (!c.comment.empty()) j["comment"] = c.comment;
}

void read(ObjectReader& r, const Limits&, DashboardWatch& c) { c.watch = r.flag("watch", true); }
void write(Json& j, const DashboardWatch& c) { j["watch"] = c.watch; }

// Commands that address a conversation and carry nothing else.
template <class C>
void read(ObjectReader& r, const Limits& l, C& c) requires requires {
  c.conversation_id;
}
{ c.conversation_id = read_conversation_id(r, l); }
template <class C>
void write(Json& j, const C& c) requires requires {
  c.conversation_id;
}
{ j["conversation_id"] = c.conversation_id; }

void read(ObjectReader&, const Limits&, Ping&) {}
void write(Json&, const Ping&) {}

void read(ObjectReader& r, const Limits& l, InboxList& c) {
  c.list = r.enumeration("list", Need::required, InboxListName::queue, &parse_inbox_list_name);
  constexpr Seq kMaxOffset = 100'000'000;  // far beyond any list; keeps the value a size_t everywhere
  c.offset = static_cast<std::size_t>(std::min<Seq>(r.seq("offset", Need::optional), kMaxOffset));
  if (r.has("limit")) {
    const Seq limit = r.seq("limit", Need::optional);
    if (!r.failed() && (limit == 0 || limit > kInboxPageMax)) {
      r.fail(ErrorCode::bad_field, "must be 1.." + std::to_string(kInboxPageMax), "limit");
    }
    c.limit = static_cast<std::size_t>(limit);
  }
  if (const Json* after = r.object("after", Need::optional)) {
    ObjectReader a = r.nested(*after, "after");
    ListCursor cursor;
    cursor.id = a.id("id", Need::required, l.max_id_chars);
    cursor.priority = a.enumeration("priority", Need::optional, Priority::normal, &parse_priority);
    cursor.handed_off_at = a.millis("handed_off_at", Need::optional);
    cursor.updated_at = a.millis("updated_at", Need::optional);
    r.adopt(a);
    c.after = std::move(cursor);
  }
}
void write(Json& j, const InboxList& c) {
  j["list"] = to_string(c.list);
  j["offset"] = c.offset;
  j["limit"] = c.limit;
  if (c.after) {
    j["after"] = Json{{"id", c.after->id},
                      {"priority", to_string(c.after->priority)},
                      {"handed_off_at", c.after->handed_off_at},
                      {"updated_at", c.after->updated_at}};
  }
}

void read(ObjectReader& r, const Limits&, SetAgentStatus& c) {
  c.status = r.enumeration("status", Need::required, AgentStatus::online, &parse_agent_status);
}
void write(Json& j, const SetAgentStatus& c) { j["status"] = to_string(c.status); }

// ---- Dispatch -----------------------------------------------------------------------------

using CommandDecoder = Command (*)(ObjectReader&, const Limits&);

template <class C>
Command decode_as(ObjectReader& r, const Limits& l) {
  C command;
  read(r, l, command);
  return command;
}

template <std::size_t... I>
constexpr std::array<CommandDecoder, sizeof...(I)> make_decoders(std::index_sequence<I...>) {
  return {&decode_as<std::variant_alternative_t<I, Command>>...};
}
constexpr auto kDecoders = make_decoders(std::make_index_sequence<std::variant_size_v<Command>>());

std::optional<std::size_t> command_index(std::string_view type) {
  if (type == kResumeAlias) return kJoinIndex;
  for (std::size_t i = 0; i < kCommandNames.size(); ++i) {
    if (kCommandNames[i] == type) return i;
  }
  return std::nullopt;
}

bool has_supported_version(const Json& frame) {
  const auto it = frame.find("v");
  return it != frame.end() && it->is_number_integer() && it->get<std::int64_t>() == kProtocolVersion;
}

// The request id, when the frame has a readable one ("" otherwise; the problem goes to `r`).
std::string read_request_id(ObjectReader& r, const Limits& l) {
  return r.text("id", Need::optional, l.max_id_chars);
}

Incoming decode_command_object(const Json& frame, const Limits& limits) {
  ObjectReader r(frame);
  std::string id = read_request_id(r, limits);
  if (r.error()) return Incoming{"", *r.error()};
  if (!has_supported_version(frame)) {
    return Incoming{std::move(id), make_error(ErrorCode::bad_version, "\"v\" must be 1", "v")};
  }
  const std::string type = r.id("type", Need::required, limits.max_short_chars);
  if (r.error()) return Incoming{std::move(id), *r.error()};
  const std::optional<std::size_t> index = command_index(type);
  if (!index) {
    return Incoming{std::move(id),
                    make_error(ErrorCode::unknown_type, "unknown command \"" + type + "\"", "type")};
  }
  Command command = kDecoders[*index](r, limits);
  if (r.error()) return Incoming{std::move(id), *r.error()};
  return Incoming{std::move(id), std::move(command)};
}

// `frame` with every \uD800-\uDFFF escape and every byte outside a valid UTF-8 sequence replaced,
// so that a frame refused for its encoding still yields its request id.
std::string repair_encoding(std::string_view frame) {
  std::string out;
  out.reserve(frame.size());
  std::size_t i = 0;
  while (i < frame.size()) {
    const auto byte = static_cast<unsigned char>(frame[i]);
    if (byte == '\\' && i + 1 < frame.size()) {
      const bool surrogate_escape =
          frame[i + 1] == 'u' && i + 5 < frame.size() && (frame[i + 2] == 'd' || frame[i + 2] == 'D') &&
          std::string_view("89abcdefABCDEF").find(frame[i + 3]) != std::string_view::npos;
      out += surrogate_escape ? std::string_view("\\uFFFD") : frame.substr(i, 2);
      i += surrogate_escape ? 6 : 2;
      continue;
    }
    const std::size_t length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
    const std::string_view sequence = frame.substr(i, length);
    if (length > 1 && !is_valid_utf8(sequence)) {
      out += '?';
      ++i;
      continue;
    }
    out += sequence;
    i += sequence.size();
  }
  return out;
}

Incoming reject_encoding(std::string_view frame, const Limits& limits) {
  std::string id;
  if (const std::optional<Json> repaired = json_io::parse(repair_encoding(frame));
      repaired && repaired->is_object()) {
    ObjectReader r(*repaired);
    id = read_request_id(r, limits);
  }
  return Incoming{
      std::move(id),
      make_error(ErrorCode::bad_unicode, "the frame holds a lone UTF-16 surrogate escape or invalid UTF-8")};
}

Json frame_of(std::string_view type) { return Json{{"v", kProtocolVersion}, {"type", type}}; }

}  // namespace

std::string_view command_name(const Command& command) { return kCommandNames[command.index()]; }

std::string_view to_string(InboxListName n) {
  const auto index = static_cast<std::size_t>(n);
  return index < kInboxListNames.size() ? kInboxListNames[index] : std::string_view("unknown");
}

std::optional<InboxListName> parse_inbox_list_name(std::string_view s) {
  for (std::size_t i = 0; i < kInboxListNames.size(); ++i) {
    if (kInboxListNames[i] == s) return static_cast<InboxListName>(i);
  }
  return std::nullopt;
}

ListCursor cursor_of(const ConversationItem& item) {
  return ListCursor{item.id, item.priority, item.handed_off_at, item.updated_at};
}

Incoming decode_command(std::string_view frame, const Limits& limits) {
  // Before parsing: the parser would report these as a generic syntax error.
  if (has_lone_surrogate_escape(frame) || !is_valid_utf8(frame)) return reject_encoding(frame, limits);
  const std::optional<Json> parsed = json_io::parse(frame);
  if (!parsed || !parsed->is_object()) {
    return Incoming{"", make_error(ErrorCode::bad_json, "a frame must be one JSON object")};
  }
  return decode_command_object(*parsed, limits);
}

std::string encode_command(const Command& command, std::string_view id) {
  Json j = frame_of(command_name(command));
  if (!id.empty()) j["id"] = id;
  std::visit([&j](const auto& c) { write(j, c); }, command);
  return json_io::dump(j);
}

std::string encode_ack(std::string_view re, const Json& data) {
  Json j = frame_of("ack");
  j["re"] = re;
  j["data"] = data.is_object() ? data : Json::object();
  return json_io::dump(j);
}

std::string encode_error(std::string_view re, const Error& error) {
  Json j = frame_of("error");
  j["re"] = re;
  j["code"] = to_string(error.code);
  j["message"] = error.message;
  if (!error.field.empty()) j["field"] = error.field;
  return json_io::dump(j);
}

std::string encode_event(const Event& event) {
  Json j = to_json(event);
  j["v"] = kProtocolVersion;
  return json_io::dump(j);
}

std::string encode_notice(std::string_view type, const Json& data) {
  Json j = frame_of(type);
  j["data"] = data.is_object() ? data : Json::object();
  return json_io::dump(j);
}

Result<ServerFrame> decode_server_frame(std::string_view frame) {
  const std::optional<Json> parsed = json_io::parse(frame);
  if (!parsed || !parsed->is_object())
    return make_error(ErrorCode::bad_json, "a frame must be one JSON object");
  const Json& j = *parsed;
  if (!has_supported_version(j)) return make_error(ErrorCode::bad_version, "\"v\" must be 1", "v");
  ObjectReader r(j);
  ServerFrame f;
  f.type = r.id("type", Need::required, json_io::kNoLimit);
  if (r.error()) return *r.error();

  if (f.type == "ack") {
    f.kind = ServerFrame::Kind::ack;
    f.re = r.text("re", Need::optional);
    if (const Json* data = r.object("data", Need::optional)) f.data = *data;
  } else if (f.type == "error") {
    f.kind = ServerFrame::Kind::error;
    f.re = r.text("re", Need::optional);
    const std::string code = r.id("code", Need::required, json_io::kNoLimit);
    // A code this version does not know is still an error: surface it as `internal`.
    f.error.code = parse_error_code(code).value_or(ErrorCode::internal);
    f.error.message = r.text("message", Need::optional);
    f.error.field = r.text("field", Need::optional);
  } else if (r.has("conversation_id") && r.has("seq")) {
    Result<Event> event = event_from_json(j);
    if (!event) return event.error();
    f.kind = ServerFrame::Kind::event;
    f.event = std::move(event).value();
  } else {
    f.kind = ServerFrame::Kind::notice;
    if (const Json* data = r.object("data", Need::optional)) f.data = *data;
  }
  if (r.error()) return *r.error();
  return f;
}

}  // namespace parley
