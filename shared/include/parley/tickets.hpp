// parley/tickets.hpp: tickets made from chats, and blocks of abusive visitors (issue 9).
//
// Pure rules, no I/O, no clock (the caller passes `now`), compiled natively and to WebAssembly
// (the inbox checks a status change with the same functions the relay enforces).
//
// Tickets. A chat becomes a ticket (POST /api/live-chat/{id}/convert-to-ticket): the ticket keeps
// its conversation, contact, title, description, status, priority and assignee; its transcript is
// the conversation's messages (linked by conversation id, not copied: a ticket always shows the
// stored transcript). Status moves
//
//     open <-> pending,  open|pending -> solved -> closed,  solved -> open (reopened),
//     open|pending -> closed
//
// and `closed` is final. Setting the status a ticket already has is a no-op, not an error.
//
// Blocks. Staff block an abusive visitor by contact (until lifted, or for a time) or by address
// (always for a time: addresses are shared, NAT, mobile carriers), with a reason. While a block is
// active the visitor's new chats and messages are refused (blocked_error(): ErrorCode::blocked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/conversation.hpp"
#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley {

// The conversation's event saying a ticket was made from it (audience everyone):
// {"ticket_id","by":{id,name}}.
inline constexpr std::string_view kTicketCreatedEvent = "chat.ticket_created";

// A blocked visitor's commands are refused with ErrorCode::blocked (docs/protocol.md "Errors").
// Until issue 9's admin round it was forbidden with field "blocked"; the relay no longer sends that.
Error blocked_error();

// ---- tickets ----
enum class TicketStatus { open, pending, solved, closed };
std::string_view to_string(TicketStatus);
std::optional<TicketStatus> parse_ticket_status(std::string_view);

inline constexpr std::size_t kTicketTitleMaxChars = 200;         // code points
inline constexpr std::size_t kTicketDescriptionMaxChars = 4000;  // code points

// True when a ticket in `from` may move to `to` (the same status counts as allowed: a no-op).
bool ticket_transition_allowed(TicketStatus from, TicketStatus to);

// What the staff member gave when converting (absent members take defaults).
struct TicketInput {
  std::optional<std::string> title, description;
  std::optional<Priority> priority;
};
struct TicketDraft {
  std::string title, description;
  Priority priority = Priority::normal;
};
// Checks and completes the input for `c`: title trimmed, at most kTicketTitleMaxChars (else
// text_too_long "title"), blank or absent -> the conversation's topic, else "Chat with <contact
// name>" ("Chat <conversation id>" without a name); description trimmed, at most
// kTicketDescriptionMaxChars (text_too_long "description"); priority absent -> the
// conversation's. Errors: also bad_unicode for invalid UTF-8.
Result<TicketDraft> ticket_draft(const TicketInput& in, const Conversation& c, std::string_view contact_name);

// The part of a ticket a PATCH changes.
struct TicketState {
  TicketStatus status = TicketStatus::open;
  Priority priority = Priority::normal;
  std::string assignee_id;  // "" = nobody
  Millis updated_at = 0, solved_at = 0, closed_at = 0;
};
struct TicketPatch {
  std::optional<TicketStatus> status;
  std::optional<Priority> priority;
  std::optional<std::string> assignee_id;  // "" = unassign
};
// Applies `p` to `s` at `now`. An empty patch is bad_field "patch". A status move that
// ticket_transition_allowed() refuses is invalid_transition "status" (a closed ticket changes no
// more: every change of it is invalid_transition). Entering solved stamps solved_at, entering
// closed closed_at; reopening (solved -> open) clears solved_at. updated_at = now when anything
// changed. The caller checks that an assignee names a staff member of the tenant.
Result<TicketState> apply_ticket_patch(const TicketState& s, const TicketPatch& p, Millis now);

// The conversation's line saying a ticket was made from it: one chat.ticket_created event
// (audience everyone: the customer sees that a ticket exists, with its id only) with data
// {"ticket_id","by":{id,name}}. Staff or the assistant (its create_ticket tool, issue 10) only
// (forbidden otherwise), any status.
Result<Transition> note_ticket_created(const Conversation& c, const Actor& by, const std::string& ticket_id,
                                       Millis now);

// ---- blocks ----
enum class BlockKind { contact, address };
std::string_view to_string(BlockKind);
std::optional<BlockKind> parse_block_kind(std::string_view);

inline constexpr std::int64_t kMinBlockSeconds = 60;
inline constexpr std::int64_t kMaxBlockSeconds = 365LL * 24 * 3600;
inline constexpr std::size_t kBlockReasonMaxChars = 500;

struct BlockRule {
  std::string id;
  BlockKind kind = BlockKind::contact;
  std::string target;  // a contact id, or a normalised address (normalize_address)
  Millis created_at = 0;
  Millis expires_at = 0;  // 0 = until lifted (contact blocks only)
  Millis lifted_at = 0;   // 0 = not lifted
};

// When a block made at `now` ends: `duration_s` absent or 0 means until lifted, allowed for
// contacts only (an address block without a duration is missing_field "duration_s"); otherwise it
// must lie in [kMinBlockSeconds, kMaxBlockSeconds] (bad_field "duration_s"). Returns expires_at.
Result<Millis> block_expiry(BlockKind kind, std::optional<std::int64_t> duration_s, Millis now);

// The reason, trimmed: required (missing_field "reason"), at most kBlockReasonMaxChars
// (text_too_long "reason").
Result<std::string> block_reason(std::string_view reason);

// An IPv4 (dotted quad) or IPv6 address in one canonical text form: IPv4 as is (no leading
// zeros), IPv6 lower-case and fully expanded (8 groups of 4 hex digits), an IPv4-mapped IPv6
// address (::ffff:a.b.c.d) as its IPv4 form. Anything else is bad_field "address".
Result<std::string> normalize_address(std::string_view address);

// True while `b` refuses: not lifted and not expired (expires_at > now, or no expiry).
bool block_active(const BlockRule& b, Millis now);

// The first active rule of `rules` that matches the contact (contact blocks) or the address
// (address blocks; `address` normalised by the caller, "" matches nothing), or nullptr.
const BlockRule* find_block(const std::vector<BlockRule>& rules, std::string_view contact_id,
                            std::string_view address, Millis now);

}  // namespace parley
