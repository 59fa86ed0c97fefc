// parley/conversation.hpp: the conversation state machine.
//
//   bot --(customer asks for a person | assistant gives up | staff takes over)--> pending
//   pending --accept--> active --resolve--> resolved
//   active --(assigned agent gone longer than the grace period)--> pending (agent kept as hint)
//   bot|pending|active --customer ends--> resolved (ending: ended_by_customer; abandoned if pending)
//   pending --customer gone while waiting--> resolved (ending: abandoned)
//   resolved --new customer message within the reopen window--> bot (pending when the tenant has
//            no assistant), the previous agent kept as routing hint; after the window the
//            message starts a NEW conversation linked to the old one (on_customer_return)
//
// Every function is pure: it takes the conversation as it is, the actor, the time and the
// arguments, and returns the conversation as it becomes plus the events the change causes, already
// numbered (seq = head_seq + 1, + 2, ...), or a typed Error and no change. The caller (the hub)
// decides when to apply it; concurrent accepts are serialised there, so "exactly one wins" is the
// second accept seeing `active` and getting ErrorCode::already_assigned.
#pragma once

#include <string>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley {

struct Transition {
  Conversation next;
  std::vector<Event> events;  // numbered, in order; may be empty (no-op)
};

// Settings of the tenant that the rules depend on.
struct ConversationPolicy {
  bool assistant_enabled = true;  // false: new and reopened conversations start in `pending`
  // How long after its resolution a customer's message reopens a conversation; later it starts a
  // new one (on_customer_return). 0 = no limit (always reopen: channel bridges, older callers).
  Millis reopen_window_ms = 0;
};

// What a customer's message to a conversation does (the reopen rule, docs/protocol.md):
// `post` for an open one, `reopen` for a resolved one within the policy's window (the window
// is inclusive: resolved_at + window still reopens), `start_new` after it.
enum class CustomerReturn { post, reopen, start_new };
CustomerReturn on_customer_return(const Conversation& c, Millis now, const ConversationPolicy& policy);

// The conversation a `start_new` message opens: a fresh conversation of the same tenant, contact,
// channel, topic and priority, linked to `old` (previous_conversation_id) with the old assignee as
// routing hint. Not started yet: pass it to start_conversation. `id` is chosen by the caller.
Conversation follow_up_of(const Conversation& old, std::string id);

// Appends one event to `t` (numbered head_seq + 1, updated_at = now): for transitions built
// outside this file (parley/csat.hpp).
void append_event(Transition& t, std::string_view type, Audience audience, const Actor& actor, Millis now,
                  Json data);

// A new conversation (status bot, or pending without an assistant, or bot with answered_by
// external for mirrored ones). Emits chat.new_session (+ chat.handed_off when it starts pending).
Transition start_conversation(const Conversation& initial, const Actor& customer, Millis now,
                              const ConversationPolicy& policy);

// A message from anyone. Checks who may post in which status:
//  - customer: any status; in `resolved` within the reopen window the conversation first reopens
//    (events chat.reopened + the message); after the window: invalid_transition with field
//    "reopen_window" (the caller starts a follow-up conversation instead: on_customer_return);
//  - bot: only in `bot`;
//  - agent, kind text: only the assignee while `active` (ErrorCode::not_assigned otherwise);
//    records first_agent_response_at;
//  - agent, kind note: any status, audience staff;
//  - system: any status.
// `m.seq`, `m.at` and `m.conversation_id` are filled in here.
Result<Transition> post_message(const Conversation& c, const Actor& from, Message m, Millis now,
                                const ConversationPolicy& policy);

// bot -> pending. `summary` (may be "") becomes a staff-only chat.handoff_summary event.
Result<Transition> hand_off(const Conversation& c, const Actor& by, const std::string& reason,
                            const std::string& summary, Millis now);

// pending -> active for `agent`. Already active: already_assigned (or a no-op success when the
// same agent accepts twice). Other statuses: invalid_transition.
Result<Transition> accept(const Conversation& c, const Actor& agent, Millis now);

// Staff take-over straight from `bot` or `pending`: hand_off (if needed) + accept in one step.
// An empty `reason` becomes "staff_took_over" ("mirror_handoff" when answered_by is external).
Result<Transition> take_over(const Conversation& c, const Actor& agent, const std::string& reason,
                             Millis now);

// active -> resolved by staff. Only the assignee, or a supervisor/admin (`may_override`).
Result<Transition> resolve(const Conversation& c, const Actor& agent, bool may_override,
                           const std::string& resolution, const std::string& issue_type, Millis now);

// Customer ends: resolved with ending ended_by_customer (abandoned when it was pending).
Result<Transition> customer_end(const Conversation& c, const Actor& customer, Millis now);

// pending -> resolved (abandoned): the customer left while waiting.
Result<Transition> abandon(const Conversation& c, Millis now);

// active -> pending: the assignee has been gone longer than the grace period. The agent becomes
// previous_agent_id (routing hint).
Result<Transition> agent_gone(const Conversation& c, Millis now);

Result<Transition> set_priority(const Conversation& c, const Actor& by, Priority p, Millis now);

// ---- issue 9: working a conversation ----

// Where a transfer goes: exactly one of an agent (id and name) or a team (its record's id, and
// its name for people; the relay resolves both from the tenant's team records).
struct TransferTarget {
  std::string agent_id, agent_name;
  std::string team, team_name;
};

// Hands the conversation to another agent (it stays `active`, assigned to them, the old
// assignee kept as previous_agent_id) or to a team (back to `pending`, waiting from now, with
// `team` set to the team's id, so routing offers it to that team's members). Who: the assignee of an active conversation, or a supervisor/admin
// (`may_override`), who may also transfer a waiting one. Emits chat.transferred (everyone: the
// system line) and, when `note` is not blank, a staff-only chat.new_message of kind note by `by`.
// Errors: forbidden (not staff), not_assigned (not the assignee and no override),
// invalid_transition (bot or resolved), missing_field (no target), bad_field (both targets, or
// the agent who already has it).
Result<Transition> transfer(const Conversation& c, const Actor& by, bool may_override, const TransferTarget& to,
                            const std::string& note, Millis now);

// Staff set the issue type of an open or closed conversation (staff-only chat.issue_type_changed;
// no event when unchanged). Errors: forbidden (not staff).
Result<Transition> set_issue_type(const Conversation& c, const Actor& by, const std::string& issue_type, Millis now);

}  // namespace parley
