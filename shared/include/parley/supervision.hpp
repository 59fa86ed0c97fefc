// parley/supervision.hpp: the pure rules of supervision (issue 9, "listen in" and the queue's
// waiting threshold), shared by the relay and the inbox app. No I/O, no clocks: callers pass
// `now`. Tested in tests/unit/test_supervision.cpp.
#pragma once

#include <string>
#include <string_view>

#include "parley/model.hpp"

namespace parley {

// Whether a chat that has waited since `waiting_since` (its hand-off, ms) is over the tenant's
// waiting threshold at `now`. A chat with no hand-off time, or a threshold of 0 (none), never is.
// The queue highlights such chats (colour and a text marker) and queue stats count them.
bool over_wait_threshold(Millis waiting_since, Millis now, Millis threshold_ms);

// How a staff member sees an open conversation.
//   own       the assignee of an active chat: replies, resolves, transfers.
//   listen_in a supervisor or admin on anyone else's live chat (bot, pending or active): reads
//             every message as it arrives, never writes to the customer; may reassign.
//   read_only everyone else, and everyone on a resolved chat.
enum class ViewMode { own, listen_in, read_only };
ViewMode view_mode(std::string_view role, const Conversation& c, std::string_view user_id);
std::string_view to_string(ViewMode m);

// Whether `role` may hand chat `c` to another agent through POST /api/live-chat/{id}/assign
// (supervisors and admins; waiting or active chats only).
bool can_reassign(std::string_view role, const Conversation& c);

// Whether `role` is a lead (supervisor or admin).
bool is_lead(std::string_view role);

// inbox.snapshot's `wait_threshold_s` (the tenant's threshold in seconds; docs/protocol.md). The
// relay adds it to the encoded frame (with_wait_threshold: `"wait_threshold_s":N,` first in its
// data object; the frame is text joined, as encode_inbox_snapshot's lists are); the inbox reads it
// from the notice's data (snapshot_wait_threshold_s: 0 when absent or not a positive integer).
// (A member of InboxSnapshot would say the same; this keeps replies.hpp, included everywhere,
// as it is.) seconds <= 0 or a frame without a data object: the frame unchanged.
std::string with_wait_threshold(std::string frame, std::int64_t seconds);
std::int64_t snapshot_wait_threshold_s(const Json& data);

}  // namespace parley
