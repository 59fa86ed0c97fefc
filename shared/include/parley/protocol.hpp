// parley/protocol.hpp: the browser <-> relay wire protocol (JSON text frames over WebSocket).
//
// Every frame is a JSON object with "v" (protocol version) and "type". Commands (client -> relay)
// carry a request id "id", echoed as "re" in the ack or error that answers them. Events
// (relay -> client) carry "conversation_id", "seq" (0 for ephemeral ones) and "audience".
// The full catalogue with an example exchange for every command is docs/protocol.md; this header
// is its source of truth in code.
//
// Decoding is strict (unknown fields are ignored, everything else is checked) and never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "parley/routing.hpp"

namespace parley {

inline constexpr int kProtocolVersion = 1;

// Limits enforced by decoders. The relay also enforces frame size and rate at the socket.
struct Limits {
  std::size_t max_frame_bytes = 64 * 1024;  // larger frames close the socket with 1009
  std::size_t max_text_chars = 4000;        // message text, code points
  std::size_t max_short_chars = 200;        // names, topics, issue types, ids
  std::size_t max_long_chars = 2000;        // resolution notes, page metadata values
  std::size_t max_id_chars = 100;           // request ids, client_msg_ids
};

// ---- Commands ------------------------------------------------------------------------------

// Customer: first frame after connecting. Without a token the relay issues a new one.
struct Hello {
  std::string tenant;                // tenant slug ("" = default tenant)
  std::optional<std::string> token;  // visitor token from an earlier hello
};
struct PageInfo {
  std::string url, title, referrer;
};
// Customer: open a new conversation.
struct ChatStart {
  std::string name, email, topic;
  Priority priority = Priority::normal;
  PageInfo page;
  std::string client_msg_id;  // optional first message, sent in the same step
  std::string text;
};
// Customer or staff: post a message. Staff may post kind "note" (staff-only).
struct SendMessage {
  std::string conversation_id;
  std::string client_msg_id;
  std::string text;
  MessageKind kind = MessageKind::text;
};
struct Typing {
  std::string conversation_id;
  bool typing = true;
};
struct Seen {
  std::string conversation_id;
  Seq seq = 0;
};
// Customer: end the conversation (abandons it when it is waiting for a person).
struct ChatEnd {
  std::string conversation_id;
};
// Customer: ask for a person without typing it (the widget's "talk to a person" button).
struct RequestHuman {
  std::string conversation_id;
};
// Both: subscribe to a conversation and receive every visible event after `after_seq`,
// then live ones. The ack carries the head seq. ("chat.resume" is an alias used by customers.)
struct Join {
  std::string conversation_id;
  Seq after_seq = 0;
};
struct Leave {
  std::string conversation_id;
};
// Staff: take a pending conversation. Exactly one of concurrent accepts wins.
struct Accept {
  std::string conversation_id;
};
// Staff: close a conversation with a resolution note and an issue type.
struct Resolve {
  std::string conversation_id;
  std::string resolution;
  std::string issue_type;
};
// Staff: take over from the assistant (bot -> pending -> active in one step) or hand a mirrored
// conversation to staff.
struct Handoff {
  std::string conversation_id;
  std::string reason;
};
struct SetPriority {
  std::string conversation_id;
  Priority priority = Priority::normal;
};
struct Ping {};

// Staff: one page of an inbox list (docs/protocol.md "inbox.list"). Lists and their order
// (parley/queue.hpp): `queue` the tenant's pending conversations (queue_before), `mine` the
// caller's active ones (recent_before), `recent` all of the tenant's conversations
// (recent_before). The ack is {"list","items":[ConversationItem...],"total","offset"}.
enum class InboxListName { queue, mine, recent };
std::string_view to_string(InboxListName);
std::optional<InboxListName> parse_inbox_list_name(std::string_view);
inline constexpr std::size_t kInboxPageDefault = 200;  // also the first page in inbox.snapshot
inline constexpr std::size_t kInboxPageMax = 500;
// A position in a list's order: the sort fields of the last item a client holds. Paging by
// cursor is exact while the list changes (an item that does not change is in exactly one page);
// paging by offset may skip or repeat items when others move meanwhile.
struct ListCursor {
  std::string id;
  Priority priority = Priority::normal;  // queue
  Millis handed_off_at = 0;              // queue
  Millis updated_at = 0;                 // mine, recent
};
ListCursor cursor_of(const ConversationItem& item);
struct InboxList {
  InboxListName list = InboxListName::queue;
  std::size_t offset = 0;                 // ignored when `after` is set
  std::size_t limit = kInboxPageDefault;  // 1..kInboxPageMax
  std::optional<ListCursor> after;        // the page starts right after this position
};

// Staff: set one's own status (issue 9, "People and presence"): online, away or offline. The ack
// is {"status": what routing sees, "chosen": the choice}; the user's sockets get agent.status.
struct SetAgentStatus {
  AgentStatus status = AgentStatus::online;
};

// ---- issue 9: working a conversation ----
// Staff: hand the conversation to another agent (agent_id) or to a team's queue (team), with an
// optional staff-only note. Exactly one of agent_id and team.
struct ChatTransfer {
  std::string conversation_id;
  std::string agent_id;
  std::string team;
  std::string note;
};
// Staff: change the issue type (one of the tenant's issue types).
struct SetIssueType {
  std::string conversation_id;
  std::string issue_type;
};

// Staff: share a knowledge-base article of the tenant into the conversation (a customer-visible
// message of kind kb_article; the assignee only, like a reply). Idempotent on client_msg_id.
struct ShareArticle {
  std::string conversation_id;
  std::string client_msg_id;
  std::string article_id;
};

// ---- issue 9, supervise: the survey and the live dashboard ----
// Customer: rate an ended conversation (parley/csat.hpp). rating 1..5, comment optional.
struct Rate {
  std::string conversation_id;
  int rating = 0;
  std::string comment;
};
// Staff: send the satisfaction survey again (chat.csat_requested to the customer).
struct RequestCsat {
  std::string conversation_id;
};
// Staff: start (watch true) or stop receiving dashboard.figures notices on this socket. The ack
// carries the current figures (parley/metrics.hpp Dashboard JSON).
struct DashboardWatch {
  bool watch = true;
};

// ---- issue 9: the offline path and mail (docs/protocol.md "Offline messages and mail") ----
// Customer: leave a message for an answer by email while nobody is available. Without a
// conversation_id a new conversation is started (like chat.start with this text); with one, the
// customer's own conversation gets the message. Either way it waits in the queue (pending),
// exempt from the abandon rule, and staff answers go to `email` while the customer is away.
struct LeaveMessage {
  std::string conversation_id;  // "" = start a new conversation
  std::string email;
  std::string text;
  std::string client_msg_id;
  std::string name;
};
// Customer: send me the transcript of my conversation by email.
struct EmailTranscript {
  std::string conversation_id;
  std::string email;
};

using Command = std::variant<Hello, ChatStart, SendMessage, Typing, Seen, ChatEnd, RequestHuman, Join, Leave,
                             Accept, Resolve, Handoff, SetPriority, Ping, InboxList,
                             // issue 9
                             SetAgentStatus, ChatTransfer, SetIssueType, ShareArticle, Rate, RequestCsat,
                             DashboardWatch, LeaveMessage, EmailTranscript>;

// Wire name of a command ("hello", "chat.start", ...).
std::string_view command_name(const Command&);

// A decoded command frame. `id` is the request id when it could be read (even if the rest of
// the frame was bad), so errors can always be correlated.
struct Incoming {
  std::string id;
  Result<Command> command;
};

// Decodes one text frame. REQUIRES: `frame` is the complete frame payload (any bytes).
Incoming decode_command(std::string_view frame, const Limits& limits = {});

// Encodes a command (used by clients and tests). `id` may be "".
std::string encode_command(const Command& command, std::string_view id);

// ---- Relay -> client frames -------------------------------------------------------------------

// {"v":1,"type":"ack","re":id,"data":{...}}
std::string encode_ack(std::string_view re, const Json& data = Json::object());
// {"v":1,"type":"error","re":id,"code":"...","message":"...","field":"..."}
std::string encode_error(std::string_view re, const Error& error);
// {"v":1,"type":<event type>,"conversation_id":..,"seq":..,"audience":..,"at":..,"actor":{..},"data":{..}}
std::string encode_event(const Event& event);
// {"v":1,"type":<type>,"data":{...}} for frames that belong to no conversation
// (e.g. "inbox.snapshot", "inbox.changes", "session.expired").
std::string encode_notice(std::string_view type, const Json& data);

// A frame as a client sees it.
struct ServerFrame {
  enum class Kind { ack, error, event, notice } kind = Kind::notice;
  std::string re;              // ack / error
  Error error;                 // error
  Event event;                 // event
  std::string type;            // notice type (and event type, copied)
  Json data = Json::object();  // ack / notice payload
};
Result<ServerFrame> decode_server_frame(std::string_view frame);

}  // namespace parley
