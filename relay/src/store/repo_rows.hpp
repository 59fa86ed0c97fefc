// relay/src/store/repo_rows.hpp: row readers shared by the SQLite query files (repo_*.cpp,
// repo_queries.cpp). Internal to relay/src/store; the app never includes it.
// A reader fills its output from the current row of `q` and returns an error (ErrorCode::internal)
// when a stored value is unknown to this build.
#pragma once

#include <optional>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "store/db.hpp"

namespace parley::relay {

// Column list of every conversation query (order matters: see read_conversation).
inline constexpr const char* kConversationCols =
    "id, tenant_id, contact_id, channel, status, ending, priority, answered_by, topic, issue_type, "
    "assignee_id, assignee_name, previous_agent_id, resolution, handoff_summary, unanswered_turns, "
    "created_at, updated_at, handed_off_at, assigned_at, first_agent_response_at, resolved_at, head_seq, "
    "page_url, page_title, page_referrer, team, "
    "csat_rating, csat_comment, csat_at, csat_requested_at, previous_conversation_id";
std::optional<Error> read_conversation(const Stmt& q, Conversation& c);  // defined in repo_conversations.cpp
Result<std::vector<Conversation>> collect_conversations(Stmt& q);        // defined in repo_conversations.cpp

// Column list of message queries over `messages m` (order matters: see read_message).
inline constexpr const char* kMessageCols =
    "m.conversation_id, m.seq, m.client_msg_id, m.sender_role, m.sender_id, m.sender_name, m.kind, m.text, "
    "m.at, m.attachment_json";
std::optional<Error> read_message(const Stmt& q, Message& m);  // defined in repo_queries.cpp

}  // namespace parley::relay
