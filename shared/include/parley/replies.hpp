// parley/replies.hpp: the typed payloads of relay -> client frames that are not events: the `data`
// of acks (one struct per command that has a non-trivial answer) and of notices
// ("inbox.snapshot", "inbox.changes", "session.expired"), plus the public tenant config shared by
// hello's ack and GET /api/config. docs/protocol.md describes every shape; these codecs are its
// source of truth in code, as protocol.hpp is for commands.
//
// Encoders (`to_json`) build exactly the JSON the relay puts in the frame's `data`; wrap it with
// encode_ack(re, to_json(x)) (parley/protocol.hpp) or use the encode_notice overloads below.
//
// Decoders (`decode_*`) take the frame's `data` object (ServerFrame::data) and never throw. They
// are strict about what is present: a member of the wrong JSON type, an unknown enum name or a bad
// nested object is an Error (bad_field / missing_field naming the member, e.g.
// "conversations.status"). Members marked "required" below must be present; the others take the
// struct's defaults when absent, so a client still reads an older relay's frames. Unknown members
// are ignored.
//
// Pure data and functions: no threads, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/model.hpp"
#include "parley/protocol.hpp"
#include "parley/result.hpp"

namespace parley {

// Notice type names (frames {"v":1,"type":<name>,"data":{...}}).
namespace notice {
inline constexpr std::string_view inbox_snapshot = "inbox.snapshot";
inline constexpr std::string_view inbox_changes = "inbox.changes";
// Relays before inbox.changes sent one of these per change: {"conversation":item,"counts":{..}}.
// decode_inbox_changes() reads that shape too.
inline constexpr std::string_view inbox_conversation = "inbox.conversation";
inline constexpr std::string_view session_expired = "session.expired";  // data {}
// issue 9: to every socket of a transfer's new owner, after the commit:
// {"conversation_id","by":{id,name},"from":{id,name}|null,"note":""}
inline constexpr std::string_view chat_transferred_to_you = "inbox.transferred";
// To staff sockets that sent dashboard.watch: the Dashboard JSON (parley/metrics.hpp), at most
// once per second per tenant and only when a figure changed.
inline constexpr std::string_view dashboard_figures = "dashboard.figures";
}  // namespace notice

// ---- Shared pieces -------------------------------------------------------------------------------

// The public, non-secret settings of a tenant: the `tenant` object of a customer's hello ack, and
// the body of GET /api/config. One shape for both:
//   {"slug","title","welcome","brand_color","position","assistant_name","assistant_enabled",
//    "prechat_form"}
// The slug is "slug" in both (GET /api/config called it "tenant" before; the decoder still reads
// "tenant" when "slug" is absent).
struct PublicTenantConfig {
  std::string slug;
  std::string title = "Chat with us";
  std::string welcome;
  std::string brand_color = "#2563eb";
  std::string position = "right";  // launcher corner: "right" | "left"
  std::string assistant_name = "Parley Assistant";
  bool assistant_enabled = true;
  bool prechat_form = false;
  std::string csat_question = "How would you rate this conversation?";  // the survey's question
};
Json to_json(const PublicTenantConfig&);
// Every member optional; absent ones keep the value they have in `base`.
Result<PublicTenantConfig> decode_public_tenant_config(const Json& j, PublicTenantConfig base = {});

// A staff user as the relay shows it: {"id","username","name","role","tenant_id"}.
// Required: id. (`role` defaults to agent.)
struct StaffUser {
  std::string id;
  std::string username;
  std::string name;
  StaffRole role = StaffRole::agent;
  std::string tenant_id;
};
Json to_json(const StaffUser&);
Result<StaffUser> decode_staff_user(const Json& j);

// The tenant's live counts as inbox.snapshot and inbox.changes carry them:
// {"bot","waiting","active","resolved_today","avg_wait_s"} (non-negative integers; avg_wait_s is
// whole seconds, the mean hand-off -> accept wait of the conversations accepted today).
struct TenantCounts {
  int bot = 0;
  int waiting = 0;
  int active = 0;
  int resolved_today = 0;
  int avg_wait_s = 0;
};
Json to_json(const TenantCounts&);
// Every member optional (absent = 0).
Result<TenantCounts> decode_tenant_counts(const Json& j);

// ---- Acks (the `data` of {"v":1,"type":"ack","re":..,"data":{..}}) -------------------------------

// Customer `hello`: {"visitor_token","new_visitor","contact_id","tenant":{..},"conversations":[..]}
// `conversations`: the visitor's conversations, newest first, customer view (to_json(c, false)).
// Required: visitor_token.
struct HelloAck {
  std::string visitor_token;
  bool new_visitor = false;
  std::string contact_id;
  std::optional<PublicTenantConfig> tenant;  // always sent by the relay; nullopt when absent
  std::vector<Conversation> conversations;
};
Json to_json(const HelloAck&);
// `tenant_base`: what members absent from "tenant" keep (see decode_public_tenant_config).
Result<HelloAck> decode_hello_ack(const Json& data, const PublicTenantConfig& tenant_base = {});

// Staff `hello` (the snapshot came on connect): {"user":{..},"issue_types":[..]}. Required: user.
struct StaffHelloAck {
  StaffUser user;
  std::vector<std::string> issue_types;
};
Json to_json(const StaffHelloAck&);
Result<StaffHelloAck> decode_staff_hello_ack(const Json& data);

// `chat.start`: {"conversation_id","head_seq"} plus "duplicate":true when a chat.start with the
// same client_msg_id had already created the conversation. A client that gets `duplicate` has
// not received the conversation's events: it must chat.join from its cursor (docs/protocol.md).
// Required: conversation_id, head_seq.
struct StartAck {
  std::string conversation_id;
  Seq head_seq = 0;
  bool duplicate = false;  // encoded only when true
};
Json to_json(const StartAck&);
Result<StartAck> decode_start_ack(const Json& data);

// `chat.send_message`: {"conversation_id","seq"} plus "duplicate":true for a client_msg_id the
// relay had stored before, and "event": the stored message's chat.new_message event (the frame
// the other subscribers get) when the sending connection sees it: the sender gets no separate
// event (docs/protocol.md "Persist, then acknowledge, then broadcast"). Required:
// conversation_id, seq. A present `event` must be an event of this conversation with this seq.
// A customer message after the reopen window started a new conversation: `conversation_id` is
// the new one, "previous_conversation_id" the resolved one (encoded only then); the sender is
// subscribed to the new conversation.
struct SendAck {
  std::string conversation_id;
  Seq seq = 0;
  bool duplicate = false;      // encoded only when true
  std::optional<Event> event;  // decoded; to_json leaves it out (see encode_ack_with_event)
  std::string previous_conversation_id;  // encoded only when set
};
Json to_json(const SendAck&);
Result<SendAck> decode_send_ack(const Json& data);

// encode_ack(re, data) with `event_frame` (encode_event output) as `data.event`, spliced in as
// text: the event is encoded once for all its recipients. REQUIRES: `data` is an object without
// "event", and `event_frame` is what encode_event returned.
std::string encode_ack_with_event(std::string_view re, const Json& data, std::string_view event_frame);

// The contact of a conversation in a staff join ack: {"id","name","email","phone"}.
struct ContactCard {
  std::string id, name, email, phone;
};

// `chat.join` / `chat.resume`: {"conversation_id","head_seq","conversation":{..}}. The customer's
// `conversation` is to_json(c, false); the staff one is to_json(c, true) plus "contact",
// "preview" and "last_customer_seq". Required: conversation_id, head_seq. A decoded ack is
// `staff` when its conversation has a "contact" member.
struct JoinAck {
  std::string conversation_id;
  Seq head_seq = 0;
  std::optional<Conversation> conversation;  // always sent by the relay; nullopt when absent
  bool staff = false;
  ContactCard contact;        // staff
  std::string preview;        // staff: item_preview() of the list
  Seq last_customer_seq = 0;  // staff
};
Json to_json(const JoinAck&);
Result<JoinAck> decode_join_ack(const Json& data);

// The answer of commands that change a conversation's state without a message: chat.accept,
// chat.resolve, chat.handoff, chat.set_priority, chat.end, chat.request_human:
// {"conversation_id","head_seq"}. Required: both.
struct HeadAck {
  std::string conversation_id;
  Seq head_seq = 0;
};
Json to_json(const HeadAck&);
Result<HeadAck> decode_head_ack(const Json& data);

// chat.leave, chat.typing, chat.seen (when they carry an id): {"conversation_id"}. Required.
struct ConversationAck {
  std::string conversation_id;
};
Json to_json(const ConversationAck&);
Result<ConversationAck> decode_conversation_ack(const Json& data);

// `ping`: {"server_time"} (unix ms). Required.
struct PingAck {
  Millis server_time = 0;
};
Json to_json(const PingAck&);
Result<PingAck> decode_ping_ack(const Json& data);

// `inbox.list`: {"list","items":[item..],"total","offset"} (`offset` = position of the first
// item). Required: list, items, total.
struct InboxPage {
  InboxListName list = InboxListName::queue;
  std::vector<ConversationItem> items;
  std::size_t total = 0;
  std::size_t offset = 0;
};
Json to_json(const InboxPage&);
Result<InboxPage> decode_inbox_page(const Json& data);

// ---- Notices ---------------------------------------------------------------------------------------

// inbox.snapshot (sent to staff on connect): {"user","counts","issue_types","server_time",
// "queue":[item..],"queue_total","mine":[item..],"mine_total"}. Required: user. Absent totals
// mean the list is complete (a relay without paging): decoded as the list's size.
struct InboxSnapshot {
  StaffUser user;
  TenantCounts counts;
  std::vector<std::string> issue_types;
  Millis server_time = 0;
  std::vector<ConversationItem> queue;
  std::size_t queue_total = 0;
  std::vector<ConversationItem> mine;
  std::size_t mine_total = 0;
};
Json to_json(const InboxSnapshot&);
Result<InboxSnapshot> decode_inbox_snapshot(const Json& data);
std::string encode_notice(const InboxSnapshot&);
// The same frame with the lists given as items encoded once (encode_item); `s.queue` and `s.mine`
// are ignored (leave them empty).
std::string encode_inbox_snapshot(const InboxSnapshot& s, const std::vector<const std::string*>& queue,
                                  const std::vector<const std::string*>& mine);

// inbox.changes (live, one per group commit): {"conversations":[item..],"counts":{..}}.
// The decoder also reads the older inbox.conversation shape {"conversation":item,"preview"?,
// "counts"} (a "preview" beside the item fills the item's when it has none).
// `counts` is nullopt when absent (keep the previous ones).
struct InboxChanges {
  std::vector<ConversationItem> conversations;
  std::optional<TenantCounts> counts;  // sent by the relay when they changed
};
Json to_json(const InboxChanges&);
Result<InboxChanges> decode_inbox_changes(const Json& data);
std::string encode_notice(const InboxChanges&);
// The same frame from items encoded once (encode_item) and shared by many sockets: the relay's
// fan-out builds each socket's frame by joining text, never a JSON document per socket.
std::string encode_item(const ConversationItem&);
std::string encode_counts(const TenantCounts&);
std::string encode_inbox_changes(const std::vector<const std::string*>& encoded_items, const std::string* encoded_counts);

}  // namespace parley
