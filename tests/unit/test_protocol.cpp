// parley/protocol.hpp: command decoding (every class of bad input), command round trips, and
// relay -> client frames.
#include <doctest/doctest.h>

#include <string>

#include "parley/protocol.hpp"
#include "parley/text.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;

namespace {

const std::string kEmoji = "\xF0\x9F\x98\x80";  // 😀: one code point, four bytes

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A chat.send_message frame with `text` (raw JSON string contents) and request id r1.
std::string send_frame(const std::string& text_json) {
  return R"({"v":1,"type":"chat.send_message","id":"r1","conversation_id":"c_1","client_msg_id":"m_1","text":")" +
         text_json + R"("})";
}

Error decode_error(std::string_view frame, const Limits& limits = {}) {
  return parley::test::error_of(decode_command(frame, limits).command);
}

// Decodes `frame`, requiring a command of type C.
template <class C>
C decoded(std::string_view frame) {
  Incoming in = decode_command(frame);
  Command command = parley::test::value_of(std::move(in.command));
  const C* typed = std::get_if<C>(&command);
  CHECK_MESSAGE(typed != nullptr, "decoded as " << command_name(command));
  return typed ? *typed : C{};
}

// encode_command then decode_command with request id "r7".
template <class C>
C round_trip(const C& original) {
  const std::string frame = encode_command(Command(original), "r7");
  Incoming in = decode_command(frame);
  CHECK(in.id == "r7");
  Command command = parley::test::value_of(std::move(in.command));
  const C* typed = std::get_if<C>(&command);
  CHECK_MESSAGE(typed != nullptr, frame);
  return typed ? *typed : C{};
}

}  // namespace

// ---- decode_command: valid frames --------------------------------------------------------------

TEST_CASE("a command's fields are flat at the top level of the frame") {
  const auto m = decoded<SendMessage>(
      R"({"v":1,"type":"chat.send_message","id":"r7","conversation_id":"c_9","client_msg_id":"m_3","text":"hi"})");
  CHECK(m.conversation_id == "c_9");
  CHECK(m.client_msg_id == "m_3");
  CHECK(m.text == "hi");
  CHECK(m.kind == MessageKind::text);

  const Json j = Json::parse(encode_command(Command(m), "r7"));
  CHECK(j["v"] == 1);
  CHECK(j["type"] == "chat.send_message");
  CHECK(j["id"] == "r7");
  CHECK(j["conversation_id"] == "c_9");
  CHECK_FALSE(j.contains("data"));
}

TEST_CASE("optional members take their documented defaults") {
  CHECK(decoded<Typing>(R"({"v":1,"type":"chat.typing","conversation_id":"c_1"})").typing == true);
  CHECK(decoded<Join>(R"({"v":1,"type":"chat.join","conversation_id":"c_1"})").after_seq == 0);
  const auto start = decoded<ChatStart>(R"({"v":1,"type":"chat.start"})");
  CHECK(start.priority == Priority::normal);
  CHECK(start.text.empty());
  const auto hello = decoded<Hello>(R"({"v":1,"type":"hello"})");
  CHECK(hello.tenant.empty());
  CHECK_FALSE(hello.token.has_value());
  CHECK(decode_command(R"({"v":1,"type":"ping"})").id.empty());
}

TEST_CASE("chat.resume is an alias of chat.join") {
  const auto join = decoded<Join>(R"({"v":1,"type":"chat.resume","conversation_id":"c_1","after_seq":12})");
  CHECK(join.conversation_id == "c_1");
  CHECK(join.after_seq == 12);
}

TEST_CASE("unknown members are ignored") {
  CHECK(decoded<Accept>(R"({"v":1,"type":"chat.accept","conversation_id":"c_1","extra":[1,{}]})")
            .conversation_id == "c_1");
}

TEST_CASE("a note is a valid kind of message") {
  CHECK(
      decoded<SendMessage>(
          R"({"v":1,"type":"chat.send_message","conversation_id":"c","client_msg_id":"m","text":"x","kind":"note"})")
          .kind == MessageKind::note);
}

// ---- decode_command: every class of bad input --------------------------------------------------

TEST_CASE("text that is not a JSON object is bad_json") {
  for (const char* frame : {"", "not json", "{", R"({"v":1,)", "[1,2]", R"("a string")", "42", "null"}) {
    CAPTURE(frame);
    CHECK(code_of(decode_error(frame)) == "bad_json");
  }
}

TEST_CASE("a missing or unsupported version is bad_version") {
  for (const char* frame : {R"({"type":"ping"})", R"({"v":2,"type":"ping"})", R"({"v":"1","type":"ping"})",
                            R"({"v":1.5,"type":"ping"})", R"({"v":null,"type":"ping"})"}) {
    CAPTURE(frame);
    CHECK(code_of(decode_error(frame)) == "bad_version");
  }
}

TEST_CASE("an unknown type is unknown_type and keeps the request id") {
  const Incoming in = decode_command(R"({"v":1,"id":"r9","type":"chat.fly"})");
  CHECK(in.id == "r9");
  const Error e = parley::test::error_of(in.command);
  CHECK(code_of(e) == "unknown_type");
  CHECK(e.field == "type");
}

TEST_CASE("a missing type is missing_field, a mistyped one bad_field") {
  CHECK(decode_error(R"({"v":1})").field == "type");
  CHECK(code_of(decode_error(R"({"v":1})")) == "missing_field");
  CHECK(code_of(decode_error(R"({"v":1,"type":7})")) == "bad_field");
}

TEST_CASE("a missing required field is missing_field naming the field") {
  struct Case {
    const char* frame;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"v":1,"type":"chat.send_message","client_msg_id":"m","text":"hi"})", "conversation_id"},
           Case{R"({"v":1,"type":"chat.send_message","conversation_id":"c","text":"hi"})", "client_msg_id"},
           Case{R"({"v":1,"type":"chat.send_message","conversation_id":"c","client_msg_id":"m"})", "text"},
           Case{R"({"v":1,"type":"chat.seen","conversation_id":"c"})", "seq"},
           Case{R"({"v":1,"type":"chat.accept"})", "conversation_id"},
           Case{R"({"v":1,"type":"chat.resolve","conversation_id":"c","issue_type":"billing"})",
                "resolution"},
           Case{R"({"v":1,"type":"chat.resolve","conversation_id":"c","resolution":"done"})", "issue_type"},
           Case{R"({"v":1,"type":"chat.set_priority","conversation_id":"c"})", "priority"},
       }) {
    CAPTURE(c.frame);
    const Incoming in = decode_command(c.frame);
    const Error e = parley::test::error_of(in.command);
    CHECK(code_of(e) == "missing_field");
    CHECK(e.field == c.field);
  }
}

TEST_CASE("chat.start: a first message needs its text") {
  const Error missing = decode_error(R"({"v":1,"type":"chat.start","client_msg_id":"m_1"})");
  CHECK(code_of(missing) == "missing_field");
  CHECK(missing.field == "text");
  const Error blank = decode_error(R"({"v":1,"type":"chat.start","client_msg_id":"m_1","text":"  "})");
  CHECK(code_of(blank) == "bad_field");
  CHECK(blank.field == "text");
  CHECK(decoded<ChatStart>(R"({"v":1,"type":"chat.start","client_msg_id":"m_1","text":"hi"})").text == "hi");
}

TEST_CASE("a field of the wrong JSON type or an invalid value is bad_field") {
  struct Case {
    const char* frame;
    const char* field;
  };
  for (
      const Case& c : {
          Case{R"({"v":1,"type":"chat.send_message","conversation_id":"c","client_msg_id":"m","text":5})",
               "text"},
          Case{R"({"v":1,"type":"chat.send_message","conversation_id":7,"client_msg_id":"m","text":"x"})",
               "conversation_id"},
          Case{R"({"v":1,"type":"chat.send_message","conversation_id":"","client_msg_id":"m","text":"x"})",
               "conversation_id"},
          Case{
              R"({"v":1,"type":"chat.send_message","conversation_id":"c","client_msg_id":"m","text":" \n "})",
              "text"},
          Case{
              R"({"v":1,"type":"chat.send_message","conversation_id":"c","client_msg_id":"m","text":"x","kind":"kb_article"})",
              "kind"},
          Case{
              R"({"v":1,"type":"chat.send_message","conversation_id":"c","client_msg_id":"m","text":"x","kind":"shout"})",
              "kind"},
          Case{R"({"v":1,"type":"chat.typing","conversation_id":"c","typing":"yes"})", "typing"},
          Case{R"({"v":1,"type":"chat.seen","conversation_id":"c","seq":"3"})", "seq"},
          Case{R"({"v":1,"type":"chat.seen","conversation_id":"c","seq":1.5})", "seq"},
          Case{R"({"v":1,"type":"chat.join","conversation_id":"c","after_seq":-1})", "after_seq"},
          Case{R"({"v":1,"type":"chat.set_priority","conversation_id":"c","priority":"soon"})", "priority"},
          Case{R"({"v":1,"type":"chat.start","page":"https://x"})", "page"},
          Case{R"({"v":1,"type":"chat.start","page":{"url":3}})", "page.url"},
          Case{R"({"v":1,"type":"hello","token":null})", "token"},
      }) {
    CAPTURE(c.frame);
    const Error e = decode_error(c.frame);
    CHECK(code_of(e) == "bad_field");
    CHECK(e.field == c.field);
  }
}

TEST_CASE("message text is limited in code points, not bytes") {
  const std::string exactly = repeat(kEmoji, 4000);  // 16000 bytes, 4000 code points
  CHECK(decoded<SendMessage>(send_frame(exactly)).text == exactly);

  const Error e = decode_error(send_frame(repeat(kEmoji, 4001)));
  CHECK(code_of(e) == "text_too_long");
  CHECK(e.field == "text");
}

TEST_CASE("every text field has its limit") {
  const std::string name201 = repeat("n", 201);
  CHECK(code_of(decode_error(R"({"v":1,"type":"chat.start","name":")" + name201 + R"("})")) ==
        "text_too_long");
  CHECK(
      decoded<ChatStart>(R"({"v":1,"type":"chat.start","name":")" + repeat("n", 200) + R"("})").name.size() ==
      200);
  const Error resolution =
      decode_error(R"({"v":1,"type":"chat.resolve","conversation_id":"c","resolution":")" +
                   repeat("r", 2001) + R"(","issue_type":"x"})");
  CHECK(code_of(resolution) == "text_too_long");
  CHECK(resolution.field == "resolution");
  const Error url =
      decode_error(R"({"v":1,"type":"chat.start","page":{"url":")" + repeat("u", 2001) + R"("}})");
  CHECK(url.field == "page.url");
  const Error conversation_id =
      decode_error(R"({"v":1,"type":"chat.accept","conversation_id":")" + repeat("c", 101) + R"("})");
  CHECK(code_of(conversation_id) == "text_too_long");
  CHECK(conversation_id.field == "conversation_id");
}

TEST_CASE("limits are the caller's") {
  Limits tight;
  tight.max_text_chars = 3;
  CHECK(code_of(decode_error(send_frame("abcd"), tight)) == "text_too_long");
  CHECK(decode_command(send_frame("abc"), tight).command.ok());
}

TEST_CASE("the request id must be a short string") {
  const Incoming numeric = decode_command(R"({"v":1,"type":"ping","id":5})");
  CHECK(numeric.id.empty());
  CHECK(code_of(parley::test::error_of(numeric.command)) == "bad_field");
  CHECK(parley::test::error_of(numeric.command).field == "id");

  const Incoming too_long = decode_command(R"({"v":1,"type":"ping","id":")" + repeat("i", 101) + R"("})");
  CHECK(too_long.id.empty());
  CHECK(code_of(parley::test::error_of(too_long.command)) == "text_too_long");

  const Incoming longest = decode_command(R"({"v":1,"type":"ping","id":")" + repeat("i", 100) + R"("})");
  CHECK(longest.id == repeat("i", 100));
  CHECK(longest.command.ok());
}

TEST_CASE("the request id is read even when the rest of the frame is bad") {
  CHECK(decode_command(R"({"id":"r1","type":"ping"})").id == "r1");               // bad version
  CHECK(decode_command(R"({"v":1,"id":"r2","type":"chat.accept"})").id == "r2");  // missing field
  CHECK(decode_command(send_frame(repeat("x", 4001))).id == "r1");                // too long
  CHECK(decode_command(send_frame(R"(\ud83d)")).id == "r1");                      // lone surrogate
  CHECK(decode_command(send_frame("\xFF")).id == "r1");                           // invalid UTF-8
}

TEST_CASE("lone surrogate escapes are bad_unicode, a valid pair is a character") {
  CHECK(code_of(decode_error(send_frame(R"(hi \ud83d)"))) == "bad_unicode");  // lone high
  CHECK(code_of(decode_error(send_frame(R"(\ude00 hi)"))) == "bad_unicode");  // lone low
  CHECK(code_of(decode_error(send_frame(R"(\ude00\ud83d)"))) == "bad_unicode");
  CHECK(decoded<SendMessage>(send_frame(R"(\ud83d\ude00)")).text == kEmoji);
}

TEST_CASE("invalid UTF-8 inside a string is bad_unicode") {
  CHECK(code_of(decode_error(send_frame("caf\xC3"))) == "bad_unicode");       // truncated
  CHECK(code_of(decode_error(send_frame("\xED\xA0\x80"))) == "bad_unicode");  // encoded surrogate
  CHECK(code_of(decode_error(send_frame("\xC0\xAF"))) == "bad_unicode");      // overlong
  CHECK(decoded<SendMessage>(send_frame("caf\xC3\xA9")).text == "caf\xC3\xA9");
}

// ---- encode_command -> decode_command, every command --------------------------------------------

TEST_CASE("round trip: hello") {
  Hello with_token{"acme", std::string("vt_123")};
  const Hello back = round_trip(with_token);
  CHECK(back.tenant == "acme");
  CHECK(back.token == std::optional<std::string>("vt_123"));
  CHECK_FALSE(round_trip(Hello{"", std::nullopt}).token.has_value());
}

TEST_CASE("round trip: chat.start") {
  ChatStart start;
  start.name = "Ada";
  start.email = "ada@example.org";
  start.topic = "billing";
  start.priority = Priority::high;
  start.page = {"https://shop.example/cart", "Cart", "https://search.example/"};
  start.client_msg_id = "m_1";
  start.text = "Where is my refund? " + kEmoji;
  const ChatStart back = round_trip(start);
  CHECK(back.name == "Ada");
  CHECK(back.email == "ada@example.org");
  CHECK(back.topic == "billing");
  CHECK(back.priority == Priority::high);
  CHECK(back.page.url == "https://shop.example/cart");
  CHECK(back.page.title == "Cart");
  CHECK(back.page.referrer == "https://search.example/");
  CHECK(back.client_msg_id == "m_1");
  CHECK(back.text == start.text);
}

TEST_CASE("round trip: conversation commands") {
  const SendMessage m = round_trip(SendMessage{"c_1", "m_2", "a note\nwith \"quotes\"", MessageKind::note});
  CHECK(m.conversation_id == "c_1");
  CHECK(m.client_msg_id == "m_2");
  CHECK(m.text == "a note\nwith \"quotes\"");
  CHECK(m.kind == MessageKind::note);

  CHECK(round_trip(Typing{"c_1", false}).typing == false);
  CHECK(round_trip(Typing{"c_1", true}).typing == true);
  CHECK(round_trip(Seen{"c_1", 41}).seq == 41);
  CHECK(round_trip(ChatEnd{"c_2"}).conversation_id == "c_2");
  CHECK(round_trip(RequestHuman{"c_3"}).conversation_id == "c_3");
  const Join join = round_trip(Join{"c_4", 9});
  CHECK(join.conversation_id == "c_4");
  CHECK(join.after_seq == 9);
  CHECK(round_trip(Leave{"c_5"}).conversation_id == "c_5");
  CHECK(round_trip(Accept{"c_6"}).conversation_id == "c_6");
  const Resolve resolve = round_trip(Resolve{"c_7", "Refund issued", "billing"});
  CHECK(resolve.resolution == "Refund issued");
  CHECK(resolve.issue_type == "billing");
  CHECK(round_trip(Handoff{"c_8", "customer is upset"}).reason == "customer is upset");
  CHECK(round_trip(Handoff{"c_8", ""}).reason.empty());
  CHECK(round_trip(SetPriority{"c_9", Priority::urgent}).priority == Priority::urgent);
  round_trip(Ping{});
}

TEST_CASE("command_name gives the wire name") {
  CHECK(command_name(Command(Hello{})) == "hello");
  CHECK(command_name(Command(SendMessage{})) == "chat.send_message");
  CHECK(command_name(Command(RequestHuman{})) == "chat.request_human");
  CHECK(command_name(Command(SetPriority{})) == "chat.set_priority");
  CHECK(command_name(Command(Ping{})) == "ping");
}

TEST_CASE("encode_command leaves out an empty request id") {
  CHECK_FALSE(Json::parse(encode_command(Command(Ping{}), "")).contains("id"));
}

// ---- Relay -> client frames ---------------------------------------------------------------------

TEST_CASE("ack frames") {
  const std::string frame = encode_ack("r1", Json{{"head_seq", 7}});
  const Json j = Json::parse(frame);
  CHECK(j["v"] == 1);
  CHECK(j["type"] == "ack");
  CHECK(j["re"] == "r1");
  CHECK(j["data"]["head_seq"] == 7);

  const ServerFrame f = parley::test::value_of(decode_server_frame(frame));
  CHECK(f.kind == ServerFrame::Kind::ack);
  CHECK(f.re == "r1");
  CHECK(f.data["head_seq"] == 7);
  CHECK(Json::parse(encode_ack("r2"))["data"] == Json::object());
}

TEST_CASE("error frames carry code, message and field (omitted when empty)") {
  const std::string frame = encode_error("r2", make_error(ErrorCode::text_too_long, "too long", "text"));
  const Json j = Json::parse(frame);
  CHECK(j["type"] == "error");
  CHECK(j["code"] == "text_too_long");
  CHECK(j["field"] == "text");
  CHECK_FALSE(Json::parse(encode_error("r3", make_error(ErrorCode::not_found, "no"))).contains("field"));

  const ServerFrame f = parley::test::value_of(decode_server_frame(frame));
  CHECK(f.kind == ServerFrame::Kind::error);
  CHECK(f.re == "r2");
  CHECK(code_of(f.error) == "text_too_long");
  CHECK(f.error.message == "too long");
  CHECK(f.error.field == "text");
}

TEST_CASE("an error code this version does not know decodes as internal") {
  const ServerFrame f = parley::test::value_of(
      decode_server_frame(R"({"v":1,"type":"error","re":"r","code":"quota_exceeded","message":"m"})"));
  CHECK(code_of(f.error) == "internal");
  CHECK(f.error.message == "m");
}

TEST_CASE("event frames") {
  Event e;
  e.conversation_id = "c_1";
  e.seq = 12;
  e.type = std::string(ev::handoff_summary);
  e.audience = Audience::staff;
  e.at = 1700000000123;
  e.actor = Actor{Role::bot, "bot", "Assistant"};
  e.data = Json{{"summary", "Customer asked: refund"}};
  const std::string frame = encode_event(e);
  const Json j = Json::parse(frame);
  CHECK(j["v"] == 1);
  CHECK(j["type"] == "chat.handoff_summary");
  CHECK(j["audience"] == "staff");
  CHECK(j["actor"]["role"] == "bot");

  const ServerFrame f = parley::test::value_of(decode_server_frame(frame));
  CHECK(f.kind == ServerFrame::Kind::event);
  CHECK(f.type == "chat.handoff_summary");
  CHECK(f.event.conversation_id == "c_1");
  CHECK(f.event.seq == 12);
  CHECK(f.event.type == "chat.handoff_summary");
  CHECK(f.event.audience == Audience::staff);
  CHECK(f.event.at == 1700000000123);
  CHECK(f.event.actor.role == Role::bot);
  CHECK(f.event.actor.id == "bot");
  CHECK(f.event.actor.name == "Assistant");
  CHECK(f.event.data == e.data);
}

TEST_CASE("notice frames") {
  const std::string frame = encode_notice("inbox.snapshot", Json{{"queue", Json::array()}});
  const ServerFrame f = parley::test::value_of(decode_server_frame(frame));
  CHECK(f.kind == ServerFrame::Kind::notice);
  CHECK(f.type == "inbox.snapshot");
  CHECK(f.data["queue"] == Json::array());
}

TEST_CASE("bad relay frames are errors, never crashes") {
  CHECK(code_of(parley::test::error_of(decode_server_frame("nope"))) == "bad_json");
  CHECK(code_of(parley::test::error_of(decode_server_frame(R"({"type":"ack"})"))) == "bad_version");
  CHECK(code_of(parley::test::error_of(decode_server_frame(R"({"v":1})"))) == "missing_field");
  CHECK(code_of(parley::test::error_of(decode_server_frame(R"({"v":1,"type":"ack","data":[]})"))) ==
        "bad_field");
  const Error event = parley::test::error_of(decode_server_frame(
      R"({"v":1,"type":"chat.new_message","conversation_id":"c","seq":1,"audience":"everyone","at":1})"));
  CHECK(code_of(event) == "missing_field");
  CHECK(event.field == "actor");
  const Error role = parley::test::error_of(decode_server_frame(
      R"({"v":1,"type":"x","conversation_id":"c","seq":1,"audience":"everyone","at":1,"actor":{"role":"cat","id":"1"}})"));
  CHECK(code_of(role) == "bad_field");
  CHECK(role.field == "actor.role");
}

TEST_CASE("encoders replace invalid UTF-8 instead of failing") {
  const std::string frame = encode_ack("r\xFF", Json{{"text", "bad \xC3"}});
  CHECK(is_valid_utf8(frame));
  CHECK(parley::test::value_of(decode_server_frame(frame)).kind == ServerFrame::Kind::ack);
}

TEST_CASE("error codes have stable wire names") {
  CHECK(to_string(ErrorCode::bad_json) == "bad_json");
  CHECK(to_string(ErrorCode::bad_unicode) == "bad_unicode");
  CHECK(to_string(ErrorCode::invalid_transition) == "invalid_transition");
  CHECK(to_string(ErrorCode::internal) == "internal");
  for (int i = 0; i <= static_cast<int>(ErrorCode::internal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    CHECK(parse_error_code(to_string(code)) == code);
  }
  CHECK_FALSE(parse_error_code("nope").has_value());
}

TEST_CASE("deeply nested JSON within the frame limit is handled without crashing") {
  const std::size_t depth = 30000;  // 60 KB of brackets, under the 64 KiB frame limit
  const std::string nested = std::string(depth, '[') + std::string(depth, ']');
  const Incoming in = decode_command(R"({"v":1,"type":"ping","id":"r1","x":)" + nested + "}");
  CHECK(in.id == "r1");
  CHECK(in.command.ok());  // unknown members are ignored, however deep
  CHECK(code_of(decode_error(std::string(depth, '['))) == "bad_json");
}

// ---- inbox.list ------------------------------------------------------------------------------------

TEST_CASE("inbox.list: list names, defaults and limits") {
  const auto d = decoded<InboxList>(R"({"v":1,"type":"inbox.list","id":"p1","list":"queue"})");
  CHECK(d.list == InboxListName::queue);
  CHECK(d.offset == 0);
  CHECK(d.limit == kInboxPageDefault);
  CHECK_FALSE(d.after.has_value());
  CHECK(decoded<InboxList>(R"({"v":1,"type":"inbox.list","list":"mine","offset":200,"limit":500})").offset ==
        200);
  CHECK(decoded<InboxList>(R"({"v":1,"type":"inbox.list","list":"recent","limit":1})").list ==
        InboxListName::recent);
  CHECK(command_name(Command(InboxList{})) == "inbox.list");
  for (InboxListName n : {InboxListName::queue, InboxListName::mine, InboxListName::recent}) {
    CHECK(parse_inbox_list_name(to_string(n)) == n);
  }

  CHECK(decode_error(R"({"v":1,"type":"inbox.list"})").field == "list");
  CHECK(code_of(decode_error(R"({"v":1,"type":"inbox.list"})")) == "missing_field");
  CHECK(code_of(decode_error(R"({"v":1,"type":"inbox.list","list":"all"})")) == "bad_field");
  CHECK(code_of(decode_error(R"({"v":1,"type":"inbox.list","list":"queue","limit":0})")) == "bad_field");
  CHECK(decode_error(R"({"v":1,"type":"inbox.list","list":"queue","limit":501})").field == "limit");
  CHECK(decode_error(R"({"v":1,"type":"inbox.list","list":"queue","offset":-1})").field == "offset");
  CHECK(decode_error(R"({"v":1,"type":"inbox.list","list":"queue","offset":"2"})").field == "offset");
  CHECK(decode_error(R"({"v":1,"type":"inbox.list","list":"queue","after":{}})").field == "after.id");
  CHECK(
      decode_error(R"({"v":1,"type":"inbox.list","list":"queue","after":{"id":"c","priority":"x"}})").field ==
      "after.priority");
  // The request id survives a bad frame.
  CHECK(decode_command(R"({"v":1,"type":"inbox.list","id":"p9","list":1})").id == "p9");
}

TEST_CASE("round trip: inbox.list, with and without a cursor") {
  const InboxList plain = round_trip(InboxList{InboxListName::mine, 400, 100, std::nullopt});
  CHECK(plain.list == InboxListName::mine);
  CHECK(plain.offset == 400);
  CHECK(plain.limit == 100);
  CHECK_FALSE(plain.after.has_value());

  ConversationItem last;
  last.id = "c_9";
  last.priority = Priority::high;
  last.handed_off_at = 1763712000123;
  last.updated_at = 1763712000456;
  const InboxList paged = round_trip(InboxList{InboxListName::queue, 0, 500, cursor_of(last)});
  REQUIRE(paged.after.has_value());
  CHECK(paged.after->id == "c_9");
  CHECK(paged.after->priority == Priority::high);
  CHECK(paged.after->handed_off_at == 1763712000123);
  CHECK(paged.after->updated_at == 1763712000456);
}
