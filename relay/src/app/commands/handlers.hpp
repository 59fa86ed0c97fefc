// relay/src/app/commands/handlers.hpp: the command handlers (internal to commands/). One function
// per command; table.cpp decides who may call which. Contracts as commands.hpp.
#pragma once

#include "app/commands/commands.hpp"
#include "app/hub_state.hpp"

namespace parley::relay::cmd {

// session.cpp: connection-bound commands.
void hello(HubState&, const Principal&, ConnState*, const Hello&, AckFn);
void join(HubState&, const Principal&, ConnState*, const Join&, AckFn);
void leave(HubState&, const Principal&, ConnState*, const Leave&, AckFn);
void ping(HubState&, const Principal&, ConnState*, const Ping&, AckFn);
// Tells the staff watching the contact's loaded conversations whether the customer is connected
// (an ephemeral chat.customer_presence; see session.cpp). Call after their presence changed.
void customer_presence_changed(HubState&, const std::string& contact_id);
// customer.cpp
void start(HubState&, const Principal&, ConnState*, const ChatStart&, AckFn);
void end(HubState&, const Principal&, ConnState*, const ChatEnd&, AckFn);
void request_human(HubState&, const Principal&, ConnState*, const RequestHuman&, AckFn);
// messages.cpp
void send(HubState&, const Principal&, ConnState*, const SendMessage&, AckFn);
void typing(HubState&, const Principal&, ConnState*, const Typing&, AckFn);
void seen(HubState&, const Principal&, ConnState*, const Seen&, AckFn);
// staff.cpp
void accept(HubState&, const Principal&, ConnState*, const Accept&, AckFn);
void resolve(HubState&, const Principal&, ConnState*, const Resolve&, AckFn);
void handoff(HubState&, const Principal&, ConnState*, const Handoff&, AckFn);
void set_priority(HubState&, const Principal&, ConnState*, const SetPriority&, AckFn);
void inbox_list(HubState&, const Principal&, ConnState*, const InboxList&, AckFn);
// routing.cpp (issue 9): an agent's own status (live/router.hpp)
void set_agent_status(HubState&, const Principal&, ConnState*, const SetAgentStatus&, AckFn);

// convtools.cpp (issue 9, working a conversation)
void transfer(HubState&, const Principal&, ConnState*, const ChatTransfer&, AckFn);
void set_issue_type(HubState&, const Principal&, ConnState*, const SetIssueType&, AckFn);
void share_article(HubState&, const Principal&, ConnState*, const ShareArticle&, AckFn);

// survey.cpp (issue 9: the end of a chat)
void rate(HubState&, const Principal&, ConnState*, const Rate&, AckFn);
void request_csat(HubState&, const Principal&, ConnState*, const RequestCsat&, AckFn);
// A customer's message `s` (trimmed `text`) to `old`, resolved longer ago than the tenant's
// reopen window: starts a new conversation linked to it (previous_conversation_id), subscribes
// `conn` to it and posts the message there; the ack is a SendAck naming both.
void follow_up(HubState&, const Principal&, ConnState* conn, const ConvState& old, const SendMessage& s,
               std::string text, AckFn);
// dashboard_cmd.cpp (issue 9: the live dashboard)
void dashboard_watch(HubState&, const Principal&, ConnState*, const DashboardWatch&, AckFn);

// attachments.cpp (issue 9): a message of kind file announcing `a`, stored with its row.
void post_file(HubState&, const Principal&, Attachment a, std::string client_msg_id, AckFn);

// offline.cpp (issue 9: app/offline/)
void leave_message(HubState&, const Principal&, ConnState*, const LeaveMessage&, AckFn);
void email_transcript(HubState&, const Principal&, ConnState*, const EmailTranscript&, AckFn);

// ---- issue 9: tickets and blocks (tickets.cpp) ----
// Converts the conversation to a ticket (staff); the ack is the ticket's JSON. A conversation that
// already has a ticket: duplicate_error("conversation_id", <its ticket id>).
void convert_to_ticket(HubState& hub, const Principal& who, const std::string& actor_type,
                       const std::string& conversation_id, TicketInput in, AckFn ack);
// blocked_error() (ErrorCode::blocked) when `who` is a customer whose contact or socket address is blocked (and
// remembers the socket's address for the contact); nullopt otherwise.
std::optional<Error> block_refusal(HubState& hub, const Principal& who, ConnState* conn);

// ---- shared by the handlers ----
// The conversation if `who` may see it (its tenant; a customer only its own contact's), read
// back from the database when it is not in memory; nullptr otherwise ("not_found" for callers).
ConvState* visible(HubState& hub, const Principal& who, const std::string& conv_id);
Error not_found();
// {"conversation_id","head_seq"} of the committed state (HeadAck).
Json head_ack(const ConvState& cs);
// Submits a state transition computed by `transition` (against the live state, when the
// conversation's turn comes) and answers with head_ack.
void change(HubState& hub, ConvState& cs, std::function<Result<Transition>(const Conversation& live)> transition,
            AckFn ack);
// The decision for a re-sent client_msg_id whose original has `dup`: `ack` at once when the
// original has committed, else once the write holding it has (it is still in flight).
Decision duplicate_of(const ConvState& c, Seq dup, Json ack);
// Fills the bounded client_msg_id window from the database on first use.
void ensure_msg_ids(HubState& hub, ConvState& cs);
// After a customer message committed: the assistant's turn (assistant/runner.hpp).
void assistant_turn(HubState& hub, const std::string& conv_id, const std::string& text);

}  // namespace parley::relay::cmd
